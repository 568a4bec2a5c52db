from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from accounts.permissions import PermissionMixin

from .models import Campaign


class CampaignListView(ListView):
    template_name = "cases/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = 20

    def get_queryset(self):
        return Campaign.objects.published().select_related("festival")


class CampaignDetailView(PermissionMixin, DetailView):
    login_required = False
    object_permission_required = "cases.view_campaign"
    template_name = "cases/campaign_detail.html"
    context_object_name = "campaign"
    queryset = Campaign.objects.select_related("festival")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(now=now, phase=self.object.phase(now), open=self.object.is_open_for_submission(now))
        return context


class DashboardView(PermissionMixin, TemplateView):
    """我的申报: the applicant's own applications and the campaigns open to them."""

    permission_required = "cases.apply"
    template_name = "cases/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["open_campaigns"] = Campaign.objects.open_for_submission(now)
        return context


class OrganisationApplicationsView(PermissionMixin, TemplateView):
    """单位推荐: the organisation admin's queue of their organisation's applications."""

    permission_required = "cases.recommend"
    template_name = "cases/organisation_applications.html"
