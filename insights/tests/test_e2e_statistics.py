"""End to end in Chromium: the statistics page draws every chart (under the portal's CSP), at desktop and phone width,
and prints as a one-page report."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from accounts.tests.factories import OrganisationFactory, UserFactory
from awards.models import Award
from cases.models import Application
from reviews.models import Assignment, AwardDecision, Review
from reviews.tests.factories import ApplicationFactory, ReviewerFactory, review_window_campaign
from tests.fixtures import wait_for_js

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DISTRICTS = ("玉山镇", "周市镇", "巴城镇", "千灯镇", "花桥经济开发区")
STATUSES = [Application.Status.ACCEPTED] * 5 + [
    Application.Status.SUBMITTED,
    Application.Status.RECOMMENDED,
    Application.Status.DRAFT,
    Application.Status.INELIGIBLE,
]


def _campaign_with_cases(slug, title, n):
    campaign = review_window_campaign(slug=slug, title=title)
    orgs = [OrganisationFactory(name=f"{d}社会工作服务中心{slug[-2:]}", district=d) for d in DISTRICTS]
    applicant = UserFactory()
    apps = Application.objects.bulk_create(
        ApplicationFactory.build(
            campaign=campaign,
            applicant=applicant,
            organisation=orgs[i % len(orgs)],
            domain=campaign.domains[(i * 5) % 7],
            category=("casework", "group", "community")[i % 3],
            status=STATUSES[i % len(STATUSES)],
            submitted_at=campaign.submission_opens_at + dt.timedelta(hours=5 * i),
        )
        for i in range(n)
    )
    return campaign, [a for a in apps if a.status == Application.Status.ACCEPTED]


def test_the_statistics_page_draws_every_chart_at_desktop_and_phone_width(
    page, live_server, cast, login, screenshot_dir
):
    _campaign_with_cases("stats-e2e-25", "2025年昆山市优秀社工案例评选", 30)
    campaign, accepted = _campaign_with_cases("stats-e2e-26", "2026年昆山市优秀社工案例评选", 45)
    reviewers = [ReviewerFactory(name=n) for n in ("陈教授", "吴教授", "周老师", "林主任")]
    assignments = Assignment.objects.bulk_create(
        Assignment(application=a, reviewer=r) for i, a in enumerate(accepted) for r in reviewers if (i + r.pk) % 4
    )
    Review.objects.bulk_create(
        Review(
            assignment=a,
            status=Review.Status.SUBMITTED if a.pk % 5 else Review.Status.DRAFT,
            total=Decimal(55 + (a.pk * 13) % 45),
        )
        for a in assignments
    )
    AwardDecision.objects.bulk_create(  # the tier's one record
        AwardDecision(application=a, tier=("一等奖", "二等奖", "三等奖")[min(i // 3, 2)], rank=i + 1)
        for i, a in enumerate(accepted[:12])
    )
    Award.objects.bulk_create(
        Award(
            campaign=campaign,
            application=a,
            rank=i + 1,
            confirmed_by=cast.staff,
            confirmed_at=campaign.review_closes_at,
        )
        for i, a in enumerate(accepted[:12])
    )

    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, cast.staff)
    page.goto(f"{live_server.url}/accounts/manage/")
    page.get_by_test_id("manage-statistics").click()
    page.wait_for_load_state()
    page.select_option("#f-campaign", campaign.slug)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert campaign.title in page.get_by_test_id("statistics-scope").inner_text()

    charts = page.locator("[data-chart]")
    count = charts.count()
    assert count == 13  # every figure has data on this campaign
    wait_for_js(page, f"document.querySelectorAll('[data-chart][data-drawn]').length === {count}")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)
        drawn = page.evaluate(
            """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
                 const chart = echarts.getInstanceByDom(el);
                 const series = chart ? chart.getOption().series : [];
                 return {
                   key: el.dataset.chart,
                   series: series.length,
                   points: series.reduce((n, s) => n + (s.data || []).length, 0),
                   shapes: el.querySelectorAll('svg path, svg rect').length,
                   width: el.getBoundingClientRect().width,
                 };
               })"""
        )
        for chart in drawn:
            assert chart["series"] > 0 and chart["points"] > 0, chart
            assert chart["shapes"] >= chart["points"], chart  # a shape per number at least: drawn, not blank
            assert 0 < chart["width"] <= width, chart
        # No horizontal scrolling of the page itself on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.screenshot(path=f"{screenshot_dir}/insights-statistics-{width}.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(media="print")
    page.wait_for_timeout(300)
    assert not page.get_by_test_id("statistics-filters").is_visible()
    assert not page.locator(".statistics-table").first.is_visible()
    page.screenshot(path=f"{screenshot_dir}/insights-statistics-print.png", full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    assert _pages(pdf) == 1  # the report for leaders fits one A4 page
    page.emulate_media(media="screen")
    assert not csp_errors


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
