"""查重 in Chromium: staff follow a high share from the list to the side-by-side view with its highlights."""

import pytest

from cases.models import Application
from cases.tests.factories import ApplicationFactory, CampaignFactory
from similarity import services
from similarity.tests.test_services import _sections
from similarity.tests.texts import QUOTING_A, REWORDED, SOURCE, UNRELATED


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_see_the_share_in_the_list_and_the_passages_side_by_side(page, live_server, login, cast, screenshot_dir):
    past = CampaignFactory(title="第二届昆山市优秀社工案例评选")
    campaign = CampaignFactory(title="第三届昆山市优秀社工案例评选")
    source = ApplicationFactory(
        campaign=past,
        status=Application.Status.SUBMITTED,
        reference="KS2025-0007",
        title="陪伴独居老人重建支持网络",
        **_sections(SOURCE + QUOTING_A),
    )
    copy = ApplicationFactory(
        campaign=campaign,
        status=Application.Status.RECOMMENDED,
        reference="KS2026-0012",
        title="独居老人防跌倒与社会支持个案",
        **_sections(REWORDED + "<b>服务对象</b>的女儿表示感谢。" + UNRELATED[:200]),
    )
    services.application_check(application_id=source.pk)
    services.application_check(application_id=copy.pk)

    login(page, cast.staff)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/cases/staff/applications/?similarity=30")
    badge = page.locator(f"[data-testid=similarity-{copy.pk}] a")
    assert badge.inner_text().endswith("%")
    page.screenshot(path=f"{screenshot_dir}/similarity-staff-list-1280.png", full_page=True)

    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/formal-check/")
    assert "KS2025-0007" in page.locator(f"[data-testid=similarity-{copy.pk}]").inner_text()
    page.screenshot(path=f"{screenshot_dir}/similarity-formal-check-1280.png", full_page=True)

    badge_url = f"{live_server.url}/similarity/applications/{copy.pk}/"
    page.goto(badge_url)
    page.click("text=对照查看")
    left, right = page.locator("[data-testid=side-left] mark"), page.locator("[data-testid=side-right] mark")
    assert left.count() >= 5 and left.count() == right.count()
    # The highlight is drawn (the stylesheet is served and applied), and the applicant's markup stays text.
    assert left.first.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 224, 138)"
    assert "<b>服务对象</b>" in page.locator("[data-testid=side-left]").inner_text()
    page.screenshot(path=f"{screenshot_dir}/similarity-side-by-side-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.reload()
    page.screenshot(path=f"{screenshot_dir}/similarity-side-by-side-360.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/formal-check/")
    page.click("text=对本活动全部案例批量查重")
    page.wait_for_selector("[data-testid=export-status]:has-text('已完成')")
    assert page.locator("[data-testid=export-progress]").get_attribute("aria-valuenow") == "100"
    page.screenshot(path=f"{screenshot_dir}/similarity-run-1280.png", full_page=True)
