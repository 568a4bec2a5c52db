from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from accounts.permissions import PermissionMixin

from .models import Festival
from .selectors import campaigns_active, festivals_current, festivals_past


class HomeView(TemplateView):
    template_name = "events/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        today = timezone.localdate(now)
        campaigns = list(campaigns_active(now=now))
        context.update(
            now=now,
            festivals=festivals_current(today=today)[:3],
            past_festivals=festivals_past(today=today)[:6],
            campaigns=[(c, c.phase(now), c.next_deadline(now)) for c in campaigns],
        )
        return context


class FestivalListView(ListView):
    template_name = "events/festival_list.html"
    context_object_name = "festivals"
    paginate_by = 20

    def get_queryset(self):
        return Festival.objects.published()


class FestivalDetailView(PermissionMixin, DetailView):
    login_required = False
    object_permission_required = "events.view_festival"
    template_name = "events/festival_detail.html"
    context_object_name = "festival"

    def get_queryset(self):
        return Festival.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaigns"] = self.object.campaigns.published()
        return context
