"""A mid-term evaluation in Chromium, end to end: staff add the stage with its criterion and evaluator, the
organisation admin uploads the progress report with a PDF, the evaluator scores, staff decide 合格, and the
organisation admin sees 合格. Screenshots at 1280 and 360 px go to var/screenshots/."""

import datetime as dt

import pytest
from django.utils import timezone

from awards.tests.factories import AwardFactory, publicity_campaign
from evaluations.models import Stage, StageRecord
from reviews.tests.factories import ApplicationFactory, ReviewerProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_mid_term_evaluation_from_the_stage_to_the_organisations_result(
    page, live_server, login, cast, screenshot_dir, media_storage, tmp_path
):
    campaign = publicity_campaign(open_now=False, slug="qingtongxia-2023", title="青铜峡市2023年社会工作服务项目")
    project = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, title="怡园社区老年社会工作服务项目"
    )
    AwardFactory(campaign=campaign, application=project, confirmed_by=cast.staff)
    ReviewerProfileFactory(user=cast.reviewer, organisation="宁夏众益社会工作评估中心")
    now = timezone.now()

    # Staff add the mid-term stage; it is open, so the awarded project gets its record at once.
    login(page, cast.staff)
    page.goto(f"{live_server.url}/accounts/manage/")
    page.click("[data-testid=manage-evaluations]")
    page.locator("[data-testid=evaluation-campaigns] tr", has_text="青铜峡").locator("a").click()
    form = page.locator("[data-testid=stage-form]")
    form.locator("#id_kind").select_option("midterm")
    form.locator("#id_name").fill("中期评估")
    form.locator("#id_position").fill("2")
    form.locator("#id_opens_at").fill(_local(now - dt.timedelta(hours=1)))
    form.locator("#id_closes_at").fill(_local(now + dt.timedelta(days=14)))
    form.locator("#id_instructions").fill("请提交项目中期进展报告：服务指标完成情况、经费使用情况，附服务记录。")
    _shots(page, f"{screenshot_dir}/evaluation-stage-add")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    stage = Stage.objects.get(campaign=campaign)
    assert page.url.endswith(f"/evaluations/manage/stages/{stage.pk}/")
    assert "怡园社区老年社会工作服务项目" in page.locator("[data-testid=stage-records]").inner_text()
    criteria = page.locator("[data-testid=criterion-form]")
    criteria.locator("#id_name").fill("服务指标完成情况")
    criteria.locator("#id_max_points").fill("60")
    criteria.locator("button[type=submit]").click()
    page.wait_for_load_state()
    criteria = page.locator("[data-testid=criterion-form]")
    criteria.locator("#id_name").fill("项目管理与经费使用")
    criteria.locator("#id_max_points").fill("40")
    criteria.locator("button[type=submit]").click()
    page.wait_for_load_state()
    evaluators = page.locator("[data-testid=evaluator-form]")
    evaluators.locator("#id_user").select_option(str(cast.reviewer.pk))
    evaluators.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "宁夏众益社会工作评估中心" in page.locator("[data-testid=stage-evaluators]").inner_text()
    _shots(page, f"{screenshot_dir}/evaluation-stage-detail")
    page.context.clear_cookies()

    # The organisation admin uploads the report with a PDF from the organisation page.
    login(page, cast.org_admin)
    page.click("[data-testid=nav-org-admin]")
    page.locator("[data-testid=organisation-stages] a", has_text="提交材料").click()
    page.wait_for_load_state()
    page.fill("#id_report", "截至目前已完成个案服务 5 个、小组活动 2 个、社区活动 6 场，服务老年人 320 人次。")
    pdf = tmp_path / "中期进展报告.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("#id_attachments", str(pdf))
    page.locator("[data-testid=record-form] button[type=submit]").click()
    page.wait_for_load_state()
    assert "中期进展报告.pdf" in page.locator("[data-testid=record-attachments]").inner_text()
    _shots(page, f"{screenshot_dir}/evaluation-org-report")
    page.context.clear_cookies()

    # The evaluator scores against the stage's criteria.
    login(page, cast.reviewer)
    page.click("[data-testid=nav-evaluator]")
    page.locator("[data-testid=evaluation-queue] a", has_text="评分").click()
    page.wait_for_load_state()
    assert "服务老年人 320 人次" in page.locator("[data-testid=record-report]").inner_text()
    inputs = page.locator("[data-testid=score-form] input[type=number]")
    inputs.nth(0).fill("52")
    inputs.nth(1).fill("35.5")
    page.fill("#id_opinion", "服务指标完成过半，进度符合协议要求；建议完善服务记录的归档。")
    _shots(page, f"{screenshot_dir}/evaluation-score")
    page.click("button[name=submit]")
    page.wait_for_load_state()
    assert "已提交" in page.locator("[data-testid=evaluation-queue]").inner_text()
    page.context.clear_cookies()

    # Staff see the mean and decide 合格.
    login(page, cast.staff)
    record = StageRecord.objects.get(stage=stage)
    page.goto(f"{live_server.url}/evaluations/manage/stages/{stage.pk}/")
    assert "87.5" in page.locator("[data-testid=stage-records]").inner_text()
    page.locator("[data-testid=stage-records] a", has_text="查看与评定").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=record-mean]").inner_text() == "87.5"
    page.locator("[data-testid=decide-form] input[value=passed]").check()
    page.fill("#id_note", "中期评估合格，请按计划推进。")
    _shots(page, f"{screenshot_dir}/evaluation-decide")
    page.locator("[data-testid=decide-form] button[type=submit]").click()
    page.wait_for_load_state()
    assert "合格" in page.locator("[data-testid=stage-records]").inner_text()
    page.context.clear_cookies()

    # The organisation admin sees 合格 on the organisation page and the record page.
    login(page, cast.org_admin)
    page.click("[data-testid=nav-org-admin]")
    assert page.locator("[data-testid=organisation-stages] [data-testid=stage-result]").inner_text() == "合格"
    _shots(page, f"{screenshot_dir}/evaluation-org-result")
    page.goto(f"{live_server.url}/evaluations/records/{record.pk}/")
    assert "评估结果：合格" in page.locator("[data-testid=record-result]").inner_text()
