"""评选活动工作台 in Chromium: staff go from the dashboard to the workspace, copy the campaign that ran this
year to next year (every date one year on), enter a review start before the submission deadline, read the message beside
that field, fix it and save. Screenshots at 1280 and 360 px in var/screenshots/. The admin's date widgets do not
show the browser-versus-server time note, even in a browser on UTC."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Campaign
from reviews.models import Criterion
from workspace.tests.factories import finished_campaign, roomy_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_staff_copy_a_campaign_to_next_year_and_fix_a_refused_date(page, live_server, login, cast, screenshot_dir):
    this_year = timezone.localdate().year + 1  # the new campaign's year; the one copied ran a year before
    source = finished_campaign(staff=cast.staff, year=this_year - 1)
    login(page, cast.staff)

    loads = []  # every page the browser loaded: (method, path)
    page.on("request", lambda r: r.resource_type == "document" and loads.append((r.method, r.url)))

    page.click("[data-testid=nav-staff]")
    page.click("[data-testid=manage-workspace]")
    page.wait_for_load_state()
    assert source.title in page.inner_text("[data-testid=workspace-campaigns]")
    _shots(page, f"{screenshot_dir}/workspace-list")

    page.click("[data-testid=campaign-new]")
    page.fill("#id_title", f"{this_year}年昆山市优秀社工案例评选")
    page.fill("#id_year", str(this_year))
    page.check("input[name=source][value=copy]")
    page.select_option("#id_copy_from", str(source.pk))
    page.fill("#id_shift_amount", "1")
    page.select_option("#id_shift_unit", "years")
    _shots(page, f"{screenshot_dir}/workspace-new")
    page.click("[data-testid=campaign-new-form] button[type=submit]")
    page.wait_for_load_state()

    target = Campaign.objects.get(title=f"{this_year}年昆山市优秀社工案例评选")
    assert target.slug == f"{this_year}-kssyxsgalpx"
    assert page.url.endswith(f"/staff/campaigns/{target.slug}/timeline/")
    assert "已创建评选活动" in page.inner_text("main")
    assert Criterion.objects.filter(campaign=target).count() == Criterion.objects.filter(campaign=source).count()
    assert timezone.localtime(target.review_opens_at).year == this_year

    # A review start the day before the submission deadline: refused beside that field, naming the deadline.
    closes = timezone.localtime(target.submission_closes_at)
    wrong = (closes - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_review_opens_at", wrong)
    page.click("[data-testid=timeline-form] button[type=submit]")
    page.wait_for_load_state()
    message = page.inner_text("[data-testid=error-review_opens_at]")
    assert message.startswith("专家评审开始时间须晚于形式审查截止时间（")
    field_box = page.locator("#id_review_opens_at").bounding_box()
    message_box = page.locator("[data-testid=error-review_opens_at]").bounding_box()
    assert 0 <= message_box["y"] - (field_box["y"] + field_box["height"]) < 20  # right under the field
    assert page.input_value("#id_review_opens_at") == wrong  # what was typed is still there
    assert page.locator("#id_review_opens_at.is-invalid").count() == 1
    _shots(page, f"{screenshot_dir}/workspace-timeline-refused")
    target.refresh_from_db()
    assert timezone.localtime(target.review_opens_at).strftime("%Y-%m-%dT%H:%M") != wrong

    # Fixed: two days after the formal check closes.
    fixed = (timezone.localtime(target.formal_check_closes_at) + dt.timedelta(days=2)).replace(hour=9, minute=0)
    page.fill("#id_review_opens_at", fixed.strftime("%Y-%m-%dT%H:%M"))
    page.click("[data-testid=timeline-form] button[type=submit]")
    page.wait_for_load_state()
    assert "时间安排已保存" in page.inner_text("main")
    target.refresh_from_db()
    assert target.review_opens_at == fixed
    assert page.locator("[data-testid=timeline] .timeline-bar").count() == 7
    _shots(page, f"{screenshot_dir}/workspace-timeline-saved")

    gets = [u for m, u in loads if m == "GET"]
    posts = [u for m, u in loads if m == "POST"]
    print(f"\nworkspace journey: {len(gets)} page loads, {len(posts)} form posts ({len(loads)} in all)")
    assert (len(gets), len(posts)) == (5, 3)

    # A campaign in its submission window: today is marked on its timeline.
    current = roomy_campaign(title="正在申报的评选活动")
    page.goto(f"{live_server.url}/staff/campaigns/{current.slug}/timeline/")
    assert page.locator("[data-testid=timeline] .timeline-today").count() == 7
    assert page.locator("[data-testid=suggested-recommendation_closes_at]").is_visible()
    assert "今天" in page.inner_text("[data-testid=timeline-today]")
    _shots(page, f"{screenshot_dir}/workspace-timeline-today")
    for tab in ("rules", "review", "awards"):
        page.click(f"[data-testid=workspace-tabs] a[href$='/{tab}/']")
        page.wait_for_load_state()
        assert page.locator("[data-testid=workspace-checklist]").is_visible()
        _shots(page, f"{screenshot_dir}/workspace-{tab}")


def test_admin_date_widgets_show_no_timezone_note_in_a_utc_browser(browser, live_server, login, cast, screenshot_dir):
    context = browser.new_context(locale="zh-CN", timezone_id="UTC", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, cast.staff)
    page.goto(f"{live_server.url}/admin/cases/campaign/add/")
    page.wait_for_load_state()
    notes = page.locator(".timezonewarning")
    assert notes.count() > 0  # Django added its note (the browser is 8 hours behind the server) …
    assert all(not notes.nth(i).is_visible() for i in range(notes.count()))  # … and nobody sees it
    assert "滞后" not in page.inner_text("body")
    page.screenshot(path=f"{screenshot_dir}/admin-campaign-add-utc-1280.png")
    context.close()
