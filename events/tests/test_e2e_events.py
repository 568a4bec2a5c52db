"""End to end in Chromium: staff set up a festival and an activity in the admin, a unit's user files a report
with photos, staff accept it, and the public pages show the gallery, the festival and the open campaign."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.tests.factories import CampaignFactory
from events.models import Activity, ActivityReport, Festival
from events.tests.factories import photo_bytes
from tests.fixtures import wait_for_js

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


def log_in(login, page, user):
    """Log in and wait until the portal shows the user's name: the next goto must not cut the login short."""
    login(page, user)
    page.wait_for_selector("[data-testid=nav-user]")


def shoot(page, screenshot_dir, name):
    page.wait_for_load_state("networkidle")
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=f"{screenshot_dir}/events-{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_festival_activity_report_gallery_and_home_in_chromium(
    page, live_server, login, cast, screenshot_dir, tmp_path
):
    campaign = CampaignFactory(title="2026年昆山市优秀社工案例评选")
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)

    # Staff create the festival, with its host, in the admin.
    log_in(login, page, cast.staff)
    page.goto(f"{live_server.url}/admin/events/festival/add/")
    page.fill("#id_title", "昆山市第三届社工节")
    page.fill("#id_slug", "kunshan-3rd")
    page.fill("#id_edition", "第三届")
    page.fill("#id_year", str(today.year))
    page.fill("#id_theme", "追梦新征程，社工在行动")
    page.fill("#id_goals", "总结发展成果，展示优秀成果；\n加强长三角区域社会工作领域的交流与合作。")
    page.fill("#id_starts_on", (today - dt.timedelta(days=5)).isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=25)).isoformat())
    page.select_option("#id_status", "published")
    page.fill("#id_body", "**欢迎**各单位参与。<script>alert('x')</script>")
    page.fill("#id_banner_text", "昆山市第三届社工节活动")
    page.fill("#id_publicity_channels", "昆山社会组织网站\n昆山社会组织微信公众号")
    page.select_option("#id_units-0-role", "host")
    page.fill("#id_units-0-name", "昆山市民政局")
    page.click("input[name=_save]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/admin/events/festival/"), page.locator(".errorlist").all_inner_texts()
    festival = Festival.objects.get(slug="kunshan-3rd")
    assert festival.units.get().name == "昆山市民政局"
    campaign.festival = festival  # the case award of this festival (set in the cases admin, not under test here)
    campaign.save()

    # ... and an activity run by org_a, which began yesterday.
    page.goto(f"{live_server.url}/admin/events/activity/add/")
    page.select_option("#id_festival", label="昆山市第三届社工节")
    page.select_option("#id_kind", "community_team")
    page.fill("#id_title", "社区项目团队响应社工节")
    page.fill("#id_starts_at_0", yesterday.isoformat())
    page.fill("#id_starts_at_1", "09:00:00")
    page.fill("#id_ends_at_0", yesterday.isoformat())
    page.fill("#id_ends_at_1", "11:30:00")
    page.fill("#id_venue", "玉山镇城北社区活动中心")
    page.select_option("#id_district", "玉山镇")
    page.select_option("#id_status", "published")
    page.select_option("#id_units-0-organisation", label=cast.org_a.name)
    page.click("input[name=_save]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/admin/events/activity/"), page.locator(".errorlist").all_inner_texts()
    assert Activity.objects.get().units.get().organisation == cast.org_a
    page.context.clear_cookies()

    # A user of org_a files the report with three photos of at least 100 KB.
    photos = []
    for i in range(3):
        path = tmp_path / f"photo{i}.jpg"
        path.write_bytes(photo_bytes(min_kb=120, seed=i))
        photos.append(str(path))
    log_in(login, page, cast.applicant_a)
    page.goto(f"{live_server.url}/festivals/activities/")
    page.click("text=社区项目团队响应社工节")
    page.click("[data-testid=file-report]")
    page.fill("#id_held_on", yesterday.isoformat())
    page.fill("#id_participants", "42")
    page.fill("#id_summary", "在社区开展社工知识竞赛和主题沙龙，居民踊跃参与。")
    for i, path in enumerate(photos):
        page.set_input_files(f"#id_photos-{i}-image", path)
        page.fill(f"#id_photos-{i}-caption", f"活动现场{i + 1}")
    shoot(page, screenshot_dir, "report-form")
    page.click("button[type=submit]:has-text('提交报送')")
    assert page.locator("[data-testid=report-status]").inner_text() == "待审核"
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()

    # Staff accept it from their queue.
    log_in(login, page, cast.staff)
    page.goto(f"{live_server.url}/accounts/manage/")
    page.click("[data-testid=manage-reports]")
    page.click("[data-testid=report-queue] a:has-text('审核')")
    page.select_option("#id_decision", "accept")
    page.click("button:has-text('提交审核意见')")
    page.wait_for_selector("[data-testid=report-queue]")
    page.wait_for_load_state("networkidle")
    assert ActivityReport.objects.get().status == ActivityReport.Status.ACCEPTED
    page.context.clear_cookies()

    # The public activity page shows the gallery; every thumbnail loads.
    page.goto(f"{live_server.url}/festivals/activities/")
    page.click("text=社区项目团队响应社工节")
    page.wait_for_selector("[data-testid=gallery] img")
    assert page.locator("[data-testid=gallery] img").count() == 3
    wait_for_js(
        page, "[...document.querySelectorAll('[data-testid=gallery] img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert "活动现场1" in page.locator("[data-testid=gallery]").inner_text()
    shoot(page, screenshot_dir, "activity")

    # The festival page: theme, host, banner, and the script in the body did not run or show.
    page.goto(f"{live_server.url}/festivals/kunshan-3rd/")
    assert "追梦新征程，社工在行动" in page.locator("[data-testid=festival-theme]").inner_text()
    assert "昆山市民政局" in page.locator("[data-testid=festival-units]").inner_text()
    assert page.locator("script:has-text('alert')").count() == 0
    shoot(page, screenshot_dir, "festival")

    page.goto(f"{live_server.url}/festivals/calendar/")
    assert "社区项目团队响应社工节" in page.locator("[data-testid=calendar-grid]").inner_text()
    shoot(page, screenshot_dir, "calendar")

    # The home page: the festival, the open campaign with days left, the accepted report.
    page.goto(live_server.url + "/")
    assert "昆山市第三届社工节" in page.locator("[data-testid=current-festival]").inner_text()
    campaign = page.locator("[data-testid=open-campaign]").inner_text()
    assert "2026年昆山市优秀社工案例评选" in campaign and "还剩" in campaign and "天" in campaign
    assert "社区项目团队响应社工节" in page.locator("[data-testid=latest-reports]").inner_text()
    shoot(page, screenshot_dir, "home")
