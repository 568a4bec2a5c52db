"""Issue #10's acceptance journey (a) in Chromium: a 社会工作服务项目申报 in 青铜峡's shape (seed 004), from the preset
to the organisation seeing 合格 for its mid-term evaluation.

Staff create the campaign from the preset in the workspace with the call's timeline (submission closing at 17:00,
the window open today), one application per organisation, the three eligibility rules and two required material
slots, and publish it. An organisation whose 2022 annual inspection was only 基本合格 is refused with the rule named;
an eligible one fills the 项目申报书, uploads a JPEG licence scan and the staff qualification, pledges and submits.
Staff accept it in the formal check; the panel scores (one review in the browser, the other through the service);
staff confirm the decision; the publicity runs 7 days; the results are published; staff add a 签订协议 stage whose
record the organisation admin completes with the date and scan; a 中期评估 stage is scored by a third-party
evaluator; staff decide 合格 and the organisation admin sees it.

The clock is moved between phases the way the other journeys move it: the campaign's dates are set in the
database (the whole timeline, in order, relative to now). Screenshots at 1280 and 360 px in var/screenshots/."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from accounts.services import organisation_profile_save
from awards.models import Award, Publicity
from cases.models import Application, Campaign
from evaluations.models import Stage, StageRecord
from evaluations.services import stage_report_submit
from kunshan_portal.public_cache import public_pages_changed
from reviews import selectors as review_selectors
from reviews.models import Assignment, PanelMember, ReviewerProfile, ReviewSettings
from reviews.services import assignments_auto, criterion_add, review_save, tiers_save
from workspace.demo import ELIGIBLE_PROFILE, INELIGIBLE_PROFILE, PROJECT_RUBRIC, project_tiers

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Page loads (GET navigations, redirects after a post included) and form posts of the whole journey, a ceiling: a
# change that adds steps to running a project call shows here. Eleven logins as six people are among them (each a GET
# of the form, its POST and the GET it redirects to); the journey's own steps are 53 page loads and 24 posts.
JOURNEY_CEILING = (75, 35)
LOGINS = 11


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _jpeg(path, colour=(30, 90, 160)):
    Image.new("RGB", (1200, 800), colour).save(path, "JPEG", quality=90)
    return str(path)


def _pdf(path):
    path.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return str(path)


def _clock(campaign: Campaign, *, submission_closed: dt.timedelta) -> None:
    """Move the campaign's whole timeline so that its submission closed `submission_closed` ago, the call's gaps
    kept: formal check one day, review from an hour later for ten days, publicity the day after for 7 days."""
    closes = timezone.now() - submission_closed
    review_closes = closes + dt.timedelta(days=11)
    publicity_starts = review_closes + dt.timedelta(days=1)
    Campaign.objects.filter(pk=campaign.pk).update(
        submission_opens_at=closes - dt.timedelta(days=10),
        submission_closes_at=closes,
        formal_check_closes_at=closes + dt.timedelta(days=1),
        review_opens_at=closes + dt.timedelta(days=1, hours=1),
        review_closes_at=review_closes,
        publicity_starts_at=publicity_starts,
        publicity_ends_at=publicity_starts + dt.timedelta(days=7),
    )
    public_pages_changed(campaign=campaign)


def test_a_project_call_from_the_preset_to_a_mid_term_result(
    page, browser, live_server, login, cast, screenshot_dir, media_storage, tmp_path
):
    year = timezone.localdate().year
    title = f"{year}年青铜峡市“五社联动，幸福老小”社会工作服务项目申报"
    shots = f"{screenshot_dir}/project-call"
    page.on("dialog", lambda dialog: dialog.accept())
    loads = []  # every document the browser asked for: (method, url)
    page.on("request", lambda r: r.resource_type == "document" and loads.append((r.method, r.url)))

    # --- Staff: a new campaign from the 社会工作服务项目申报 preset ------------------------------------------------
    login(page, cast.staff)
    page.click("[data-testid=nav-staff]")
    page.click("[data-testid=manage-workspace]")
    page.click("[data-testid=campaign-new]")
    page.fill("#id_title", title)
    page.fill("#id_short_name", "qtx-xmsb")
    page.fill("#id_year", str(year))
    page.check("input[name=source][value=preset]")
    page.select_option("#id_preset", "project_call")
    page.click("[data-testid=campaign-new-form] button[type=submit]")
    page.wait_for_load_state()
    campaign = Campaign.objects.get(title=title)
    assert campaign.slug == f"{year}-qtx-xmsb" and campaign.form_preset == "project_call"
    assert page.url.endswith(f"/staff/campaigns/{campaign.slug}/timeline/")

    # --- The call's timeline (5月6日 发文, 申报 to 17:00 on the tenth day, 评审 11 days, 公示 7 days), today inside
    # the submission window.
    today = timezone.localdate()
    opens = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(8, 30)))
    closes = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=9), dt.time(17, 0)))
    review_opens = closes + dt.timedelta(hours=16)  # the next morning, 9:00
    review_closes = review_opens + dt.timedelta(days=10, hours=8)  # 17:00, ten days on
    publicity_starts = review_closes + dt.timedelta(days=2, hours=16)
    dates = {
        "announced_on": (today - dt.timedelta(days=1)).isoformat(),
        "submission_opens_at": _local(opens),
        "submission_closes_at": _local(closes),
        "recommendation_closes_at": "",
        "formal_check_closes_at": _local(review_opens - dt.timedelta(hours=1)),
        "review_opens_at": _local(review_opens),
        "review_closes_at": _local(review_closes),
        "publicity_starts_at": _local(publicity_starts),
        "publicity_ends_at": _local(publicity_starts + dt.timedelta(days=7)),
        "ceremony_at": "",
    }
    for name, value in dates.items():
        page.fill(f"#id_{name}", value)
    page.click("[data-testid=timeline-form] button[type=submit]")
    page.wait_for_load_state()
    assert "时间安排已保存" in page.inner_text("main"), page.inner_text("main")
    campaign.refresh_from_db()
    assert timezone.localtime(campaign.submission_closes_at).time() == dt.time(17, 0)
    assert campaign.submission_opens_at < timezone.now() < campaign.submission_closes_at
    assert campaign.publicity_ends_at - campaign.publicity_starts_at == dt.timedelta(days=7)
    _shots(page, f"{shots}-timeline")

    # --- 申报规则: one application per organisation; then 申报材料 and 申报资格 from the rules tab -------------------
    page.click("[data-testid=workspace-tabs] a[href$='/rules/']")
    page.fill("#id_max_applications_per_organisation", "1")
    page.click("[data-testid=rules-form] button[type=submit]")
    page.wait_for_load_state()
    assert "申报规则" in page.inner_text("main")
    campaign.refresh_from_db()
    assert campaign.max_applications_per_organisation == 1 and not campaign.recommendation_required

    page.click("[data-testid=rules-materials]")
    page.fill("#id_rows-0-name", "法人登记证书副本")
    page.uncheck("#id_rows-0-allowed_types_3")  # DOC
    page.uncheck("#id_rows-0-allowed_types_4")  # DOCX: a scan, JPEG / PNG / PDF only
    page.fill("#id_rows-0-max_files", "2")
    page.fill("#id_rows-0-help_text", "复印件正、反面，扫描或拍照上传。")
    page.click("[data-testid=add-row]")
    page.fill("#id_rows-1-name", "工作人员资质证明")
    page.fill("#id_rows-1-max_files", "5")
    page.fill("#id_rows-1-help_text", "项目专职人员的身份证、社会工作者职业水平证书等。")
    page.click("[data-testid=save]")
    page.wait_for_selector("text=申报材料已保存。")
    slots = list(campaign.material_slots.order_by("position", "id"))
    assert [(s.name, s.required) for s in slots] == [("法人登记证书副本", True), ("工作人员资质证明", True)]
    assert sorted(slots[0].allowed_types) == ["jpeg", "pdf", "png"]
    _shots(page, f"{shots}-materials")

    page.click("[data-testid=campaign-config-nav] a:has-text('申报资格')")
    rules = [
        ("annual_inspection_passed", {"year": "2022"}),
        ("min_full_time_staff", {"number": "2"}),
        ("min_certified", {"number": "1", "level": "assistant"}),
    ]
    for i, (kind, values) in enumerate(rules):
        if i:
            page.click("[data-testid=add-row]")
        page.select_option(f"#id_rows-{i}-kind", kind)
        for name in ("year", "number"):
            if name in values:
                page.fill(f"#id_rows-{i}-{name}", values[name])
        if "level" in values:
            page.select_option(f"#id_rows-{i}-level", values["level"])
    page.click("[data-testid=save]")
    page.wait_for_selector("text=申报资格已保存。")
    assert campaign.eligibility_rules.count() == 3
    _shots(page, f"{shots}-eligibility")

    # --- 基本信息 and publish -----------------------------------------------------------------------------------
    page.click("[data-testid=campaign-config-nav-workspace]")  # back to the workspace, its 申报规则 tab
    page.click(f"[data-testid=workspace-tabs] a[href$='/campaigns/{campaign.slug}/']")
    page.fill("#id_description", "面向在青铜峡市民政部门登记的社会工作服务机构征集服务项目，每个机构最多申报 1 个。")
    page.fill("#id_contact", "青铜峡市民政局 杨莹 qtxsmzj@nx.gov.cn")
    page.click("[data-testid=basics-form] button[type=submit]")
    page.wait_for_load_state()
    page.click("[data-testid=publish-link]")
    page.wait_for_load_state()
    _shots(page, f"{shots}-publish-confirm")
    page.click("[data-testid=publish-confirm]")
    page.wait_for_load_state()
    assert "评选活动已公开" in page.inner_text("main"), page.inner_text("main")
    campaign.refresh_from_db()
    assert campaign.is_published
    page.context.clear_cookies()

    # --- An ineligible organisation (2022 inspection only 基本合格) is refused, the rule named ---------------------
    organisation_profile_save(organisation=cast.org_b, values=INELIGIBLE_PROFILE, by=cast.org_admin_b)
    organisation_profile_save(organisation=cast.org_a, values=ELIGIBLE_PROFILE, by=cast.org_admin)
    login(page, cast.applicant_b)
    page.goto(live_server.url + campaign.get_absolute_url())
    assert page.inner_text("[data-testid=campaign-phase]") == "组织申报"
    page.click("[data-testid=apply-button]")
    page.wait_for_selector("text=不符合本次申报资格")
    refusal = page.inner_text("main")
    assert "须 2022 年度年检合格" in refusal, refusal
    assert not Application.objects.filter(campaign=campaign, organisation=cast.org_b).exists()
    _shots(page, f"{shots}-refused")
    page.context.clear_cookies()

    # --- An eligible organisation fills the 项目申报书, uploads the scans, pledges and submits ---------------------
    login(page, cast.applicant_a)
    page.goto(live_server.url + campaign.get_absolute_url())
    page.click("[data-testid=apply-button]")
    page.wait_for_selector("[data-testid=materials]")
    application = Application.objects.get(campaign=campaign, organisation=cast.org_a)
    page.fill("#id_title", "“夕阳暖心”怡园社区老年社会工作服务项目")
    page.select_option("#id_lot", "老年社会工作服务项目")
    page.fill("#id_service_area", "裕民街道怡园社区")
    page.fill("#id_budget", "10")
    page.fill("#id_period_0", f"{year}-06-01")
    page.fill("#id_period_1", f"{year + 1}-05-31")
    page.fill("#id_org_name", cast.org_a.name)
    page.fill("#id_leader_name", "张敏")
    page.fill("#id_leader_phone", "13909511234")
    for key, value in (("case_count", "5"), ("group_count", "4"), ("community_activity_count", "10")):
        page.fill(f"#id_{key}", value)
    page.check("input[name=beneficiary_groups][value='60岁以上老年人']")
    page.fill("#id_direct_beneficiaries", "120")
    page.fill("#id_indirect_beneficiaries", "3000")
    for i, (name, qualification) in enumerate([("张敏", "社会工作师"), ("李静", "助理社会工作师")]):
        page.fill(f"input[name='staff-{i}-name']", name)
        page.select_option(f"select[name='staff-{i}-qualification']", qualification)
    text = "社会工作者在怡园社区开展需求调研，服务对象为六十岁以上老年人，以个案、小组和社区活动回应需求。" * 6
    for key in ("summary", "necessity", "goals", "outcomes", "feasibility", "innovation", "schedule", "budget_detail"):
        page.fill(f"#id_{key}", text)
    page.set_input_files(f"#id_material_{slots[0].pk}", _jpeg(tmp_path / "法人登记证书副本（正面）.jpg"))
    page.set_input_files(f"#id_material_{slots[1].pk}", _pdf(tmp_path / "社会工作者职业水平证书.pdf"))
    page.click("[data-testid=save]")
    page.wait_for_selector("text=草稿已保存")
    assert page.locator("[data-testid=material-file]").count() == 2
    _shots(page, f"{shots}-editor")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing scrolls sideways on a phone
    page.set_viewport_size({"width": 1280, "height": 900})
    page.check("#id_pledge_accepted")
    page.fill("#id_pledge_signature", "张敏")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=reference]")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.answers["budget"] == 10 and application.answers["lot"] == "老年社会工作服务项目"
    licence = application.attachments.get(slot=slots[0])
    assert licence.content_type == "image/jpeg"
    _shots(page, f"{shots}-submitted")
    page.context.clear_cookies()

    # --- Submission closed: staff accept it in the formal check (materials and eligibility on the page) -----------
    _clock(campaign, submission_closed=dt.timedelta(hours=1))
    login(page, cast.staff)
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/formal-check/")
    eligibility = page.inner_text(f"[data-testid=formal-check-eligibility-{application.pk}]")
    assert eligibility.count("不符合") == 0 and eligibility.count("符合") == 3
    assert "法人登记证书副本" in page.inner_text(f"[data-testid=formal-check-slots-{application.pk}]")
    _shots(page, f"{shots}-formal-check")
    page.locator(f"[data-testid=formal-check-{application.pk}] button[value=accept]").click()
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED

    # --- The panel: the rubric, two experts, one review through the service, the other in the browser ------------
    for name, description, points in PROJECT_RUBRIC:
        criterion_add(campaign=campaign, name=name, description=description, max_points=Decimal(points), by=cast.staff)
    ReviewSettings.objects.update_or_create(campaign=campaign, defaults={"reviewers_per_application": 2})
    tiers_save(campaign=campaign, tiers=project_tiers(), by=cast.staff)
    for expert, org in ((cast.reviewer, "宁夏大学社会学系"), (cast.reviewer_unassigned, "青铜峡市社会工作协会")):
        ReviewerProfile.objects.get_or_create(user=expert, defaults={"organisation": org, "title": "副教授"})
        PanelMember.objects.get_or_create(campaign=campaign, reviewer=expert)
    _clock(campaign, submission_closed=dt.timedelta(days=1, hours=2))
    made, short = assignments_auto(campaign=campaign, by=cast.staff)
    assert made == 2 and short == []
    leaves = review_selectors.rubric_leaves(review_selectors.rubric_tree(campaign))
    other = Assignment.objects.get(application=application, reviewer=cast.reviewer_unassigned)
    review_save(
        assignment=other,
        leaves=leaves,
        points={leaf.pk: leaf.max_points * Decimal("0.8") for leaf in leaves},
        opinion="需求调研扎实，服务目标与指标对应清楚，实施计划可行；建议细化服务成效的评估方法，加强过程记录。",
        submit=True,
    )
    page.context.clear_cookies()

    login(page, cast.reviewer)
    page.goto(f"{live_server.url}/reviews/cases/{application.pk}/")
    inputs = page.locator("[data-testid=score-form] input[type=number]")
    assert inputs.count() == len(PROJECT_RUBRIC)
    for i, (_name, _text, points) in enumerate(PROJECT_RUBRIC):
        inputs.nth(i).fill(str(points - 2))
    opinion = "项目设计规范，服务内容体现社会工作专业方法，机构能力较强；建议细化成效评估方法和经费测算。"
    page.fill("textarea[name=opinion]", opinion)
    _shots(page, f"{shots}-review")
    page.click("[data-testid=score-form] button[value=submit]")
    page.wait_for_load_state()
    assert Assignment.objects.get(application=application, reviewer=cast.reviewer).review.status == "submitted"
    page.context.clear_cookies()

    # --- Review closed: staff confirm the decision (拟立项), the award list, 7 days of publicity -------------------
    _clock(campaign, submission_closed=dt.timedelta(days=11, hours=12))
    login(page, cast.staff)
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/ranking/")
    row = page.get_by_test_id("ranking-table").locator("tr").filter(has_text="夕阳暖心")
    ranked = row.inner_text()
    assert "拟立项" in ranked and "85.00" in ranked, ranked  # (80 + 90) / 2: 80% of each criterion, and 100 − 5 × 2
    _shots(page, f"{shots}-ranking")
    page.get_by_test_id("decision-confirm").click()
    assert page.get_by_test_id("decision-confirmed").is_visible()
    page.goto(f"{live_server.url}/awards/manage/{campaign.slug}/")
    page.get_by_role("button", name="导入专家评审确认的评审结果").click()
    page.wait_for_load_state()
    assert Award.objects.get(campaign=campaign, application=application).tier == "拟立项"

    _clock(campaign, submission_closed=dt.timedelta(days=12, hours=1))  # publicity opened an hour ago, 7 days
    campaign.refresh_from_db()
    assert campaign.publicity_ends_at - campaign.publicity_starts_at == dt.timedelta(days=7)
    page.goto(f"{live_server.url}/awards/{campaign.slug}/publicity/")
    assert "夕阳暖心" in page.get_by_test_id("award-list").inner_text()
    _shots(page, f"{shots}-publicity")

    _clock(campaign, submission_closed=dt.timedelta(days=19, hours=1))  # the 7 days are over, no objection
    page.goto(f"{live_server.url}/awards/manage/{campaign.slug}/")
    page.get_by_test_id("publish-results").click()
    assert "获奖名单已发布" in page.content() or "结果已发布" in page.content(), page.inner_text("main")
    assert Publicity.objects.get(campaign=campaign).results_published_at is not None
    _shots(page, f"{shots}-results-published")

    # --- Staff add a 签订协议 stage; the organisation admin records date and scan ----------------------------------
    now = timezone.now()
    page.goto(f"{live_server.url}/accounts/manage/")
    page.click("[data-testid=manage-evaluations]")
    page.locator("[data-testid=evaluation-campaigns] tr", has_text="青铜峡").locator("a").click()
    form = page.locator("[data-testid=stage-form]")
    form.locator("#id_kind").select_option("contract")
    form.locator("#id_name").fill("签订服务协议")
    form.locator("#id_position").fill("1")
    form.locator("#id_opens_at").fill(_local(now - dt.timedelta(hours=1)))
    form.locator("#id_closes_at").fill(_local(now + dt.timedelta(days=10)))
    form.locator("#id_instructions").fill("请上传签字盖章后的服务协议扫描件，并填写协议签订日期。")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    contract_stage = Stage.objects.get(campaign=campaign, kind=Stage.Kind.CONTRACT)
    assert "夕阳暖心" in page.locator("[data-testid=stage-records]").inner_text()
    page.context.clear_cookies()

    login(page, cast.org_admin)
    page.click("[data-testid=nav-org-admin]")
    page.locator("[data-testid=organisation-stages] a", has_text="提交材料").first.click()
    page.wait_for_load_state()
    signed = today.isoformat()
    page.fill("#id_signed_on", signed)
    page.set_input_files("#id_scan", _jpeg(tmp_path / "服务协议.jpg", colour=(240, 240, 235)))
    page.locator("[data-testid=record-form] button[type=submit]").click()
    page.wait_for_load_state()
    assert "材料已提交" in page.inner_text("main")
    contract = StageRecord.objects.get(stage=contract_stage)
    assert contract.contract_signed_on == today and contract.contract_scan
    _shots(page, f"{shots}-contract")
    page.context.clear_cookies()

    # --- Staff read the contract (date and scan) and record it; then the 中期评估 stage, its criterion and a
    # third-party evaluator.
    login(page, cast.staff)
    page.goto(f"{live_server.url}/evaluations/manage/records/{contract.pk}/")
    submitted = page.inner_text("main")
    assert f"协议签订日期\n{today.year}年{today.month}月{today.day}日" in submitted and "下载协议扫描件" in submitted
    page.locator("[data-testid=decide-form] input[value=passed]").check()
    page.fill("#id_note", "服务协议已签订，扫描件已备案。")
    page.locator("[data-testid=decide-form] button[type=submit]").click()
    page.wait_for_load_state()
    contract.refresh_from_db()
    assert contract.result == StageRecord.Result.PASSED
    _shots(page, f"{shots}-contract-recorded")
    page.goto(f"{live_server.url}/evaluations/manage/{campaign.slug}/")
    form = page.locator("[data-testid=stage-form]")
    form.locator("#id_kind").select_option("midterm")
    form.locator("#id_name").fill("中期评估")
    form.locator("#id_position").fill("2")
    form.locator("#id_opens_at").fill(_local(now - dt.timedelta(hours=1)))
    form.locator("#id_closes_at").fill(_local(now + dt.timedelta(days=14)))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    midterm = Stage.objects.get(campaign=campaign, kind=Stage.Kind.MIDTERM)
    criteria = page.locator("[data-testid=criterion-form]")
    criteria.locator("#id_name").fill("服务指标完成情况")
    criteria.locator("#id_max_points").fill("100")
    criteria.locator("button[type=submit]").click()
    page.wait_for_load_state()
    ReviewerProfile.objects.filter(user=cast.reviewer).update(organisation="宁夏众益社会工作评估中心")
    evaluators = page.locator("[data-testid=evaluator-form]")
    evaluators.locator("#id_user").select_option(str(cast.reviewer.pk))
    evaluators.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "宁夏众益社会工作评估中心" in page.locator("[data-testid=stage-evaluators]").inner_text()
    _shots(page, f"{shots}-midterm-stage")
    page.context.clear_cookies()

    # The progress report is the neighbour journey's subject (test_evaluation_stage_journey): through the service.
    record = StageRecord.objects.get(stage=midterm)
    stage_report_submit(
        record=record,
        by=cast.org_admin,
        report="已完成个案服务 3 个、小组 2 个、社区活动 6 场，服务老年人 320 人次。",
        attachments=[],
    )

    # --- The evaluator scores in the browser -----------------------------------------------------------------------
    login(page, cast.reviewer)
    page.click("[data-testid=nav-evaluator]")
    page.locator("[data-testid=evaluation-queue] a", has_text="评分").click()
    page.wait_for_load_state()
    page.locator("[data-testid=score-form] input[type=number]").nth(0).fill("86")
    page.fill("#id_opinion", "服务指标完成过半，进度符合协议要求。")
    _shots(page, f"{shots}-midterm-score")
    page.click("button[name=submit]")
    page.wait_for_load_state()
    assert "已提交" in page.locator("[data-testid=evaluation-queue]").inner_text()
    page.context.clear_cookies()

    # --- Staff decide 合格 --------------------------------------------------------------------------------------------
    login(page, cast.staff)
    page.goto(f"{live_server.url}/evaluations/manage/records/{record.pk}/")
    assert page.locator("[data-testid=record-mean]").inner_text() == "86.0"
    page.locator("[data-testid=decide-form] input[value=passed]").check()
    page.fill("#id_note", "中期评估合格，请按计划推进。")
    page.locator("[data-testid=decide-form] button[type=submit]").click()
    page.wait_for_load_state()
    record.refresh_from_db()
    assert record.result == StageRecord.Result.PASSED
    page.context.clear_cookies()

    # --- The organisation admin sees 合格 ----------------------------------------------------------------------------
    login(page, cast.org_admin)
    page.click("[data-testid=nav-org-admin]")
    rows = page.locator("[data-testid=organisation-stages] tr")
    for stage_name in ("签订服务协议", "中期评估"):
        assert rows.filter(has_text=stage_name).locator("[data-testid=stage-result]").inner_text() == "合格"
    _shots(page, f"{shots}-org-result")
    page.goto(f"{live_server.url}/evaluations/records/{record.pk}/")
    assert "评估结果：合格" in page.locator("[data-testid=record-result]").inner_text()
    _shots(page, f"{shots}-org-record")

    gets = [u for m, u in loads if m == "GET"]
    posts = [u for m, u in loads if m == "POST"]
    logins = [u for u in posts if u.endswith("/accounts/login/")]
    print(f"\nproject call journey: {len(gets)} page loads, {len(posts)} form posts, {len(logins)} of them logins")
    assert len(logins) == LOGINS
    assert len(gets) <= JOURNEY_CEILING[0] and len(posts) <= JOURNEY_CEILING[1], loads
