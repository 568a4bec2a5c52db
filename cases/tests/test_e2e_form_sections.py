"""Staff add a section to a project call's form in Chromium, with guidance that differs by 申报项目包; the
applicant's editor then shows the guidance of the lot they choose."""

import pytest

from cases.tests.factories import ApplicationFactory, defined_campaign


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_add_a_section_whose_guidance_follows_the_lot(page, live_server, login, cast, screenshot_dir):
    campaign = defined_campaign("project_call", title="2023年青铜峡市社会工作服务项目申报")
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, cast.staff)
    page.goto(live_server.url + f"/cases/staff/campaigns/{campaign.slug}/form/")
    page.click("[data-testid=add-section]")
    page.wait_for_selector("[data-testid=section-form]")
    page.fill("#id_key", "s_evaluation")
    page.fill("#id_title", "八、评估方案")
    page.select_option("#id_kind", "body")
    page.fill("#id_guidance", "说明项目的自评方法。")
    page.select_option("#id_guidance_field", "lot")
    page.screenshot(path=f"{screenshot_dir}/form_section_add.png", full_page=True)
    page.click("[data-testid=section-form] button[type=submit]")  # no text for any lot: refused beside the field
    page.wait_for_selector("#id_guidance_field.is-invalid")
    assert page.input_value("#id_title") == "八、评估方案"
    page.fill("#id_guidance_lot_2", "第三方评估类项目：写明评估指标、评估方法与评估进度。")
    page.click("[data-testid=section-form] button[type=submit]")
    page.wait_for_selector("[data-testid=form-section-s_evaluation]")
    assert "按“申报项目包”为“第三方评估类项目”" in page.inner_text("[data-testid=guidance-by-s_evaluation]")

    page.click("[data-testid=add-field-s_evaluation]")
    assert page.input_value("#id_type") == "textarea"
    page.fill("#id_key", "evaluation")
    page.fill("#id_label", "八、评估方案")
    page.click("[data-testid=field-form] button[type=submit]")
    page.wait_for_selector("[data-testid=form-field-evaluation]")
    page.screenshot(path=f"{screenshot_dir}/form_sections_editor.png", full_page=True)

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
    page.context.clear_cookies()
    login(page, cast.applicant_a)
    page.goto(live_server.url + f"/cases/applications/{draft.pk}/edit/")
    page.wait_for_selector("[data-testid=application-form]")
    section = page.locator("text=八、评估方案").first
    assert section.is_visible()
    assert "说明项目的自评方法。" in page.inner_text("[data-testid=application-form]")
    page.select_option("#id_lot", "第三方评估类项目")
    page.wait_for_function("document.body.innerText.includes('写明评估指标、评估方法与评估进度')")
    page.screenshot(path=f"{screenshot_dir}/form_section_guidance_applicant.png", full_page=True)
