"""Issue #11's acceptance in Chromium: a staff member sets up next year's campaign from portal pages only, by the
links a user would click from the dashboard — never the Django admin.

They copy last year's campaign (rubric, panel, tiers, certificate template, reminder rules) to next year; open the
submission phase today in the timeline editor, which refuses the opening date beside its field while the 发文启动
date is still next year's; go from the workspace's 评审 tab to the expert pool and import 46 experts from an .xlsx
(two bad rows named, nothing written, then the fixed file); resend one invitation; see the 评审 tab count the new
experts; and publish the campaign from 基本信息. The public campaign page then shows it open for submission and an
applicant starts an application. Screenshots at 1280 and 360 px in var/screenshots/."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.tabular import table_write
from cases.models import Application, Campaign, default_domains
from notifications.models import OutboxEmail, ReminderRule
from reviews.models import Criterion, PanelMember, ReviewerProfile, TierRule
from reviews.services import EXPERT_COLUMNS
from tests.e2e.test_expert_import_journey import _experts
from workspace.tests.factories import finished_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The journey's page loads (GET navigations, redirects after a post included) and form posts, pinned: a change
# that adds a step to setting up a campaign shows here. The import template's download is one of the loads.
JOURNEY = (18, 8)


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _write(path, rows):
    with open(path, "wb") as f:
        f.write(table_write(columns=EXPERT_COLUMNS, rows=rows, title="评审专家"))
    return str(path)


def test_staff_set_up_next_years_campaign_from_the_dashboard_without_the_admin(
    page, browser, live_server, login, cast, screenshot_dir, tmp_path
):
    next_year = timezone.localdate().year + 1
    source = finished_campaign(staff=cast.staff, year=next_year - 1)  # last year's, from the new one's view
    source.description = "面向全市社会工作服务机构征集优秀社工案例，申报要求见评选方案。"
    source.domains = default_domains()  # the notice's 13 案例领域: the experts' 擅长领域 are checked against them
    source.save()
    title = f"{next_year}年昆山市优秀社工案例评选"
    shots = f"{screenshot_dir}/setup"
    login(page, cast.staff)

    loads = []  # every document the browser asked for: (method, url)
    page.on("request", lambda r: r.resource_type == "document" and loads.append((r.method, r.url)))
    admin_pages = []
    page.on("request", lambda r: "/admin/" in r.url and admin_pages.append(r.url))

    # --- Copy last year's campaign to next year -----------------------------------------------------------------
    page.click("[data-testid=nav-staff]")
    page.click("[data-testid=manage-workspace]")
    page.click("[data-testid=campaign-new]")
    page.fill("#id_title", title)
    page.fill("#id_year", str(next_year))
    page.check("input[name=source][value=copy]")
    page.select_option("#id_copy_from", str(source.pk))
    page.fill("#id_shift_amount", "1")
    page.select_option("#id_shift_unit", "years")
    page.click("[data-testid=campaign-new-form] button[type=submit]")
    page.wait_for_load_state()
    target = Campaign.objects.get(title=title)
    assert page.url.endswith(f"/staff/campaigns/{target.slug}/timeline/")
    assert not target.is_published
    assert Criterion.objects.filter(campaign=target).count() == 5
    assert PanelMember.objects.filter(campaign=target).count() == 2
    tier_rows = ("position", "name", "by", "value", "is_award")  # 奖项等级 are rows (TierRule), copied as they were
    assert list(TierRule.objects.filter(campaign=target).order_by("position").values_list(*tier_rows)) == list(
        TierRule.objects.filter(campaign=source).order_by("position").values_list(*tier_rows)
    )
    assert ReminderRule.objects.filter(campaign=target).count() == 2
    assert target.certificate_template.issuer == "昆山市民政局"

    # --- Open the submission phase today: the 发文启动 date still says next year, so the opening is refused ---
    now = timezone.localtime()
    opens = now.replace(hour=0, minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
    announced = timezone.localtime(target.submission_opens_at).date()
    page.fill("#id_submission_opens_at", opens)
    page.click("[data-testid=timeline-form] button[type=submit]")
    page.wait_for_load_state()
    message = page.inner_text("[data-testid=error-submission_opens_at]")
    assert message == f"申报开始时间不得早于发文启动日期（{announced:%Y-%m-%d}）。"
    field_box = page.locator("#id_submission_opens_at").bounding_box()
    message_box = page.locator("[data-testid=error-submission_opens_at]").bounding_box()
    assert 0 <= message_box["y"] - (field_box["y"] + field_box["height"]) < 20  # right under the field
    assert page.input_value("#id_submission_opens_at") == opens  # what was typed is kept
    _shots(page, f"{shots}-timeline-refused")
    target.refresh_from_db()
    assert target.submission_opens_at > timezone.now()  # nothing saved

    page.fill("#id_announced_on", now.date().isoformat())
    page.click("[data-testid=timeline-form] button[type=submit]")
    page.wait_for_load_state()
    assert "时间安排已保存" in page.inner_text("main")
    target.refresh_from_db()
    assert target.announced_on == now.date() and target.submission_opens_at <= timezone.now()
    assert target.submission_closes_at > timezone.now()
    assert page.inner_text("[data-testid=workspace-phase]") == "组织申报（未公开）"
    _shots(page, f"{shots}-timeline-saved")

    # --- From the 评审 tab to the expert pool: 46 experts, two bad rows first -----------------------------------
    page.click("[data-testid=workspace-tabs] a[href$='/review/']")
    assert "评审组 2 人" in page.inner_text("[data-testid=review-panel]")
    page.click("[data-testid=review-pool]")
    page.click("[data-testid=experts-import]")
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.click("[data-testid=import-template]")
    assert download.value.suggested_filename == "导入评审专家模板.xlsx"

    rows = _experts()
    bad = [list(r) for r in rows]
    bad[9][6] = "expert09-at-example.cn"  # spreadsheet row 11
    bad[30][0] = ""  # spreadsheet row 32
    page.set_input_files("[data-testid=import-file]", _write(tmp_path / "专家库.xlsx", bad))
    page.click("[data-testid=import-preview]")
    page.wait_for_load_state()
    errors = page.inner_text("[data-testid=import-errors]")
    assert "2 行有误，本次未导入任何数据" in errors
    assert "第 11 行：电子邮箱“expert09-at-example.cn”格式不正确" in errors and "第 32 行：缺少姓名" in errors
    assert page.locator("[data-testid=import-confirm]").count() == 0
    assert not ReviewerProfile.objects.filter(user__email__startswith="expert").exists()
    _shots(page, f"{shots}-import-bad-rows")

    page.click("[data-testid=import-again]")
    page.wait_for_load_state()
    page.set_input_files("[data-testid=import-file]", _write(tmp_path / "专家库-已修改.xlsx", rows))
    page.click("[data-testid=import-preview]")
    page.wait_for_load_state()
    assert "全部 46 行检查无误" in page.inner_text("[data-testid=import-ok]")
    assert not ReviewerProfile.objects.filter(user__email__startswith="expert").exists()
    page.click("[data-testid=import-confirm]")
    page.wait_for_load_state()
    assert "已导入 46 位评审专家" in page.inner_text("main")
    assert PanelMember.objects.filter(campaign=target, is_active=True).count() == 47
    assert OutboxEmail.objects.filter(subject="评审专家邀请").count() == 46

    # --- Resend one invitation from the 未设置密码 list (sent a quarter of an hour ago: past the 10-minute limit) ---
    page.click("[data-testid=filter-password-unset]")
    page.wait_for_load_state()
    expert = User.objects.get(email="expert05@example.cn")
    ReviewerProfile.objects.filter(user=expert).update(invited_at=timezone.now() - dt.timedelta(minutes=15))
    page.click(f"[data-testid=resend-{expert.pk}]")
    page.wait_for_load_state()
    assert f"已向 {expert.name}（expert05@example.cn）重发邀请邮件" in page.inner_text("main")
    assert OutboxEmail.objects.filter(subject="评审专家邀请", to__contains=["expert05@example.cn"]).count() == 2
    _shots(page, f"{shots}-pool-resent")

    # --- Back to the workspace: the 评审 tab counts the new experts ------------------------------------------------
    page.click("[data-testid=back-to-workspace]")
    page.wait_for_load_state()
    panel = page.inner_text("[data-testid=review-panel]")
    assert "评审组 48 人" in panel and "参与本次评审 47 人" in panel and "46 人尚未设置密码" in panel
    assert "少于每个案例所需" not in page.inner_text("[data-testid=workspace-checklist]")
    _shots(page, f"{shots}-review-tab")

    # --- Publish from 基本信息, after a confirmation ------------------------------------------------------------------
    page.click("[data-testid=workspace-tabs] a[href$='/campaigns/" + target.slug + "/']")
    page.click("[data-testid=publish-link]")
    page.wait_for_load_state()
    assert "申报人即可在门户上申报" in page.inner_text("[data-testid=publish-box]")
    _shots(page, f"{shots}-publish-confirm")
    page.click("[data-testid=publish-confirm]")
    page.wait_for_load_state()
    assert "评选活动已公开" in page.inner_text("main")
    target.refresh_from_db()
    assert target.is_published
    assert AuditEvent.objects.filter(object_id=str(target.pk), detail__contains="公开评选活动").exists()
    assert "评选活动尚未公开" not in page.inner_text("[data-testid=workspace-checklist]")
    assert page.inner_text("[data-testid=workspace-phase]") == "组织申报"
    _shots(page, f"{shots}-published")

    page.click("[data-testid=public-page]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=campaign-phase]") == "组织申报"
    assert page.locator("[data-testid=apply-button]").is_visible()

    gets = [u for m, u in loads if m == "GET"]
    posts = [u for m, u in loads if m == "POST"]
    print(f"\ncampaign set-up journey: {len(gets)} page loads, {len(posts)} form posts ({len(loads)} in all)")
    assert (len(gets), len(posts)) == JOURNEY, loads
    assert admin_pages == []

    # --- An applicant finds it open and starts an application ------------------------------------------------------
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 800})
    applicant = context.new_page()
    login(applicant, cast.applicant_a)
    applicant.goto(f"{live_server.url}{target.get_absolute_url()}")
    assert applicant.inner_text("[data-testid=campaign-phase]") == "组织申报"
    applicant.screenshot(path=f"{shots}-public-open-360.png", full_page=True)
    applicant.click("[data-testid=apply-button]")
    applicant.wait_for_load_state()
    assert Application.objects.filter(campaign=target, applicant=cast.applicant_a).exists()
    context.close()
