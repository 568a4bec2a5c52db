from django.utils import timezone
from django.views.generic import TemplateView

from accounts.permissions import PermissionMixin
from cases.models import Campaign


class QueueView(PermissionMixin, TemplateView):
    """我的评审: the reviewer's entry point. Assignments arrive with the expert-review issue."""

    permission_required = "reviews.review"
    template_name = "reviews/queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["campaigns"] = (
            Campaign.objects.published().filter(review_closes_at__gte=now).order_by("review_opens_at")
        )
        return context
