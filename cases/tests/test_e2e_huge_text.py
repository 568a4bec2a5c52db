"""In Chromium: an over-long section is refused beside the field and kept in the browser; the privacy findings
arrive after the autosave instead of holding it (issue 15 item 4)."""

import pytest
from django.test import override_settings

from cases.tests.factories import ApplicationFactory

PLANTED_ID = "320583199001011232"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_over_long_section_stays_in_the_browser_with_the_message_beside_it(
    page, live_server, login, cast, screenshot_dir
):
    draft = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a)
    with override_settings(CASE_SECTION_MAX_CHARS=3_000):
        login(page, cast.applicant_a)
        page.goto(f"{live_server.url}/cases/applications/{draft.pk}/edit/")
        too_long = "社会工作者陪伴服务对象。" * 300  # 3,600 characters
        page.fill("#id_plan", too_long)
        page.fill("#id_reflection", f"服务对象身份证号 {PLANTED_ID}。")
        page.fill("#id_title", "标题照常保存")
        page.evaluate("window.kpAutosaveNow()")
        page.wait_for_function("document.getElementById('autosave-status').textContent.includes('已自动保存')")
        errors = page.locator('[data-errors-for="plan"]')
        assert "超过每节 3000 字的上限" in errors.inner_text()
        assert "超过字数上限未保存" in page.inner_text("#autosave-status")
        assert "超过每节 3000 字的上限" in page.inner_text('[data-count-for="plan"]')
        # The findings came after the save answered.
        page.locator('[data-findings-for="reflection"] [data-testid=finding]').first.wait_for()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.locator("#id_plan").scroll_into_view_if_needed()
        page.screenshot(path=f"{screenshot_dir}/editor-section-too-long-1280.png")
        page.set_viewport_size({"width": 360, "height": 800})
        page.locator("#id_plan").scroll_into_view_if_needed()
        page.screenshot(path=f"{screenshot_dir}/editor-section-too-long-360.png")
        # The browser keeps its copy: a reload offers to restore the refused text.
        page.reload()
        page.locator("[data-testid=restore-banner]").wait_for(state="visible")
        page.click("#restore-button")
        assert page.input_value("#id_plan") == too_long
        # The restore may start an autosave and a findings request: let them answer before the test's database is
        # flushed (a request still inside its transaction deadlocks the flush's TRUNCATE of the tables it reads).
        page.wait_for_load_state("networkidle")
        page.goto("about:blank")
    draft.refresh_from_db()
    assert draft.title == "标题照常保存" and draft.plan != too_long
