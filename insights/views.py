from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.permissions import PermissionMixin, permission_required
from cases.models import Campaign, Category

from . import selectors
from .exports import statistics_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request, campaigns: list[Campaign]) -> selectors.Filters:
    """The page's filters from the query string. No campaign asked for: the latest one; "all": every year."""
    slug = request.GET.get("campaign", "")
    if slug == selectors.ALL_CAMPAIGNS:
        campaign = None
    elif slug:
        campaign = next((c for c in campaigns if c.slug == slug), None) or get_object_or_404(Campaign, slug=slug)
    else:
        campaign = campaigns[0] if campaigns else None
    category = request.GET.get("category", "")
    return selectors.Filters(
        campaign=campaign,
        category=category if category in Category.values else "",
        domain=request.GET.get("domain", "")[:20],
        district=request.GET.get("district", "")[:30],
    )


class StatisticsView(PermissionMixin, TemplateView):
    """统计分析: charts with their data tables, for a campaign or across years, filtered."""

    permission_required = "insights.view_statistics"
    template_name = "insights/statistics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaigns = selectors.campaign_choices()
        filters = _filters(self.request, campaigns)
        figures = selectors.statistics_figures(filters)
        context.update(
            filters=filters,
            figures=figures,
            charts=[f.as_chart() for f in figures],
            campaigns=campaigns,
            all_campaigns=selectors.ALL_CAMPAIGNS,
            categories=Category.choices,
            domains=selectors.domain_choices(campaigns, filters.campaign),
            districts=selectors.district_choices(),
            generated_at=timezone.now(),
            query=self.request.GET.urlencode(),
        )
        return context


@permission_required("insights.view_statistics")
def statistics_xlsx_view(request):
    filters = _filters(request, selectors.campaign_choices())
    content = statistics_workbook(filters=filters, figures=selectors.statistics_figures(filters))
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'统计分析-{stamp}.xlsx')}"
    return response
