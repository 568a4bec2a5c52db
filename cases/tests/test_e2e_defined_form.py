"""A project call (社会工作服务项目申报) filled in Chromium: the defined form's editor, its table rows added in the
browser, autosave, a refused submit naming the missing field, then the submit; staff see the answers."""

import pytest

from accounts.tests.factories import UserFactory
from cases.models import Application
from cases.tests.factories import ApplicationFactory, defined_campaign
from tests.fixtures import wait_for_js


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_organisation_fills_a_project_call_and_staff_read_it(page, live_server, login, cast, screenshot_dir):
    campaign = defined_campaign("project_call", title="2023年青铜峡市“五社联动，幸福老小”社会工作服务项目申报")
    draft = ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        team=False,
        title="",
        category="",
        domain="",
        answers={},
        pledge_accepted=False,
        pledge_signature="",
    )
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, cast.applicant_a)
    page.goto(live_server.url + f"/cases/applications/{draft.pk}/edit/")
    page.wait_for_selector("[data-testid=application-form]")

    page.fill("#id_title", "五社联动幸福老小老年社会工作服务项目")
    page.select_option("#id_lot", "老年社会工作服务项目")
    page.fill("#id_service_area", "裕民街道怡园社区")
    page.fill("#id_budget", "十万")  # wrong on purpose: the message comes beside the field
    page.fill("#id_period_0", "2023-06-01")
    page.fill("#id_period_1", "2024-05-31")
    page.fill("#id_org_name", "青铜峡市和乐社会工作服务中心")
    page.fill("#id_leader_name", "马晓燕")
    page.fill("#id_leader_phone", "13909511234")
    for key, value in (("case_count", "5"), ("group_count", "4"), ("community_activity_count", "10")):
        page.fill(f"#id_{key}", value)
    page.check("input[name=beneficiary_groups][value='60岁以上老年人']")
    page.fill("#id_direct_beneficiaries", "120")
    page.fill("#id_indirect_beneficiaries", "3000")
    # The staff table starts with its minimum of 2 rows; a third is added in the browser.
    page.click("[data-table-add=staff]")
    for i, (name, qualification) in enumerate([("马晓燕", "社会工作师"), ("李静", "助理社会工作师"), ("王强", "无")]):
        page.fill(f"input[name='staff-{i}-name']", name)
        page.select_option(f"select[name='staff-{i}-qualification']", qualification)
    text = "社会工作者在怡园社区开展需求调研，服务对象为六十岁以上老年人，以个案、小组和社区活动回应需求。" * 6
    for key in ("summary", "necessity", "goals", "outcomes", "feasibility", "innovation", "schedule", "budget_detail"):
        page.fill(f"#id_{key}", text)

    page.evaluate("window.kpAutosaveNow()")
    wait_for_js(page, "document.getElementById('autosave-status').textContent.includes('已自动保存')")
    assert "请填写金额" in page.inner_text("[data-errors-for=budget]")
    draft.refresh_from_db()
    assert len(draft.answers["staff"]) == 3 and "budget" not in draft.answers

    page.fill("#id_budget", "10")
    page.click("[data-testid=submit]")  # no pledge yet: refused, everything typed still there
    page.wait_for_selector("[data-testid=submit-errors] div")
    assert "请阅读承诺" in page.inner_text("[data-errors-for=pledge_signature]")
    assert page.input_value("input[name='staff-2-name']") == "王强"
    page.screenshot(path=f"{screenshot_dir}/defined_form_refused.png", full_page=True)

    page.check("#id_pledge_accepted")
    page.fill("#id_pledge_signature", "马晓燕")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=reference]")
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED and draft.answers["budget"] == 10
    page.screenshot(path=f"{screenshot_dir}/defined_form_detail.png", full_page=True)

    staff = UserFactory(name="杨莹", is_staff=True)
    page.context.clear_cookies()
    login(page, staff)
    page.goto(live_server.url + f"/cases/staff/applications/?campaign={campaign.pk}&answer_lot=老年社会工作服务项目")
    assert draft.reference in page.inner_text("[data-testid=staff-applications]")
    page.goto(live_server.url + f"/cases/staff/campaigns/{campaign.slug}/form/")
    assert "表单已冻结" in page.inner_text("[data-testid=form-frozen]")
    page.screenshot(path=f"{screenshot_dir}/defined_form_frozen.png", full_page=True)
