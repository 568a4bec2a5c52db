"""The applicant's journey and draft safety, driven in Chromium against live_server."""

import io
import os
import re

import pytest
from django.core import mail
from PIL import Image

from accounts.models import Membership
from accounts.tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from cases.models import Application
from cases.tests.factories import SECTION_TEXT, ApplicationFactory, CampaignFactory
from tests.e2e.test_foundation import activation_path
from tests.fixtures import wait_for_js

PLANTED_ID = "320583199001011232"


def _noise_photo(path, seed):
    """A PNG of random pixels, 1700×1200: above the 2 megapixels the campaign asks for ("不小于2M", a resolution)."""
    rng = __import__("random").Random(seed)
    Image.frombytes("RGB", (1700, 1200), rng.randbytes(1700 * 1200 * 3)).save(path, "PNG")
    assert os.path.getsize(path) < 20 * 1024 * 1024
    return path


def _pdf(path):
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return path


def _fill_team_row(page, i, name, gender, age, level):
    page.fill(f"#id_team-{i}-name", name)
    page.select_option(f"#id_team-{i}-gender", gender)
    page.fill(f"#id_team-{i}-age", str(age))
    page.fill(f"#id_team-{i}-education", "本科")
    page.fill(f"#id_team-{i}-unit_and_title", "阳光社会工作服务中心 社工")
    page.fill(f"#id_team-{i}-years_in_social_work", "5")
    page.select_option(f"#id_team-{i}-certificate_level", level)
    page.fill(f"#id_team-{i}-contact", "13912345678")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_social_worker_files_a_case_the_org_recommends_and_staff_download_it(
    page, live_server, login, screenshot_dir, tmp_path
):
    org = OrganisationFactory(name="阳光社会工作服务中心")
    org_admin = MembershipFactory(organisation=org, role=Membership.Role.ADMIN, user__name="李主任").user
    staff = UserFactory(name="王晓民", is_staff=True)
    campaign = CampaignFactory(title="昆山市优秀社工案例评选")
    page.on("dialog", lambda dialog: dialog.accept())

    # Sign up.
    page.goto(live_server.url + "/accounts/signup/")
    page.fill("#id_email", "new.worker@example.cn")
    page.fill("#id_name", "赵新")
    page.fill("#id_phone", "13800001111")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.select_option("#id_organisation", label=org.name)
    page.click("form[data-testid=signup-form] button[type=submit]")
    page.wait_for_selector("[data-testid=signup-done]")
    page.goto(live_server.url + activation_path("new.worker@example.cn"))  # the link in the e-mail
    page.wait_for_load_state()

    # 申报 on the campaign page opens a new draft in the editor.
    page.goto(live_server.url + campaign.get_absolute_url())
    page.click("[data-testid=apply-button]")
    page.wait_for_selector("[data-testid=application-form]")
    assert page.input_value("#id_applicant_name") == "赵新"

    page.fill("#id_title", "“银龄同行”独居老人互助小组")
    page.fill("#id_period_start", "2024-03-01")
    page.fill("#id_period_end", "2024-10-31")
    page.fill("#id_qq", "123456789")
    page.check("input[name=category][value=group]")
    assert "小组理念" in page.inner_text("#plan-guidance")
    page.select_option("#id_domain", "老龄事业")
    _fill_team_row(page, 0, "赵新", "female", 29, "social_worker")
    page.click("[data-testid=team-add]")
    page.click("[data-testid=team-add]")
    _fill_team_row(page, 1, "钱进", "male", 35, "assistant")
    _fill_team_row(page, 2, "孙悦", "female", 41, "none")
    for name in ["background", "analysis", "plan", "implementation", "evaluation", "reflection"]:
        text = SECTION_TEXT[:900]
        if name == "background":
            text = f"服务对象身份证号{PLANTED_ID}。" + text
        page.fill(f"#id_{name}", text)
    assert "正文共 54" in page.inner_text("[data-testid=body-total]")
    photos = [_noise_photo(tmp_path / f"photo{i}.png", i) for i in range(3)]
    page.set_input_files("#id_new_photos", [str(p) for p in photos])
    page.fill("#id_new_photo_caption", "小组活动现场")
    page.set_input_files("#id_new_attachment", str(_pdf(tmp_path / "案例全文.pdf")))
    page.fill("#id_new_attachment_description", "案例详细文本")
    page.check("#id_pledge_accepted")
    page.fill("#id_pledge_signature", "赵新")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=application-form]")
    assert page.locator("[data-testid=photo]").count() == 3
    assert page.locator("[data-testid=attachment]").count() == 1

    # The planted ID number is flagged and masked with one click.
    flagged = page.locator("[data-findings-for=background] [data-kind=id_number]")
    assert flagged.count() == 1
    flagged.scroll_into_view_if_needed()
    page.screenshot(path=f"{screenshot_dir}/application-finding-1280.png")
    flagged.locator(".finding-fix").click()
    assert PLANTED_ID not in page.input_value("#id_background")
    assert page.locator("[data-findings-for=background] [data-kind=id_number]").count() == 0

    wait_for_js(page, "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{screenshot_dir}/application-form-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=f"{screenshot_dir}/application-form-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=reference]")
    reference = page.inner_text("[data-testid=reference]")
    assert re.fullmatch(r"KS\d{4}-\d{4}", reference)
    application = Application.objects.get(reference=reference)
    assert PLANTED_ID not in application.background
    assert application.team_members.count() == 3 and application.photos.count() == 3
    assert application.body_length() >= 5000
    receipts = [m for m in mail.outbox if reference in m.subject]
    assert len(receipts) == 1 and receipts[0].to == ["new.worker@example.cn"]
    page.screenshot(path=f"{screenshot_dir}/application-detail-1280.png", full_page=True)

    # The organisation admin recommends it.
    page.context.clear_cookies()
    login(page, org_admin)
    page.goto(live_server.url + "/cases/organisation/")
    page.click("text=填写推荐意见")
    page.check("input[name=decision][value=recommended]")
    page.fill("#id_opinion", "该案例服务规范、成效明显，同意推荐。")
    page.click("[data-testid=decide-form] button[type=submit]")
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == Application.Status.RECOMMENDED

    # Staff find it in the filtered list and download the Word file.
    page.context.clear_cookies()
    login(page, staff)
    page.goto(live_server.url + "/cases/staff/applications/")
    page.select_option("#id_status", "recommended")
    page.select_option("#id_category", "group")
    page.fill("#id_q", reference)
    page.click("[data-testid=staff-filter] button[type=submit]")
    rows = page.locator("[data-testid=staff-applications] tbody tr")
    assert rows.count() == 1 and reference in rows.inner_text()
    page.screenshot(path=f"{screenshot_dir}/staff-applications-1280.png", full_page=True)
    with page.expect_download() as download_info:
        rows.locator("[data-testid=docx-link]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx") and "赵新" in download.suggested_filename
    import docx

    document = docx.Document(io.BytesIO(open(download.path(), "rb").read()))
    assert "一、背景介绍" in "\n".join(p.text for p in document.paragraphs)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_autosave_keeps_the_draft_across_a_closed_browser_and_refuses_a_stale_tab(
    browser, browser_context_args, live_server, login, cast, screenshot_dir
):
    draft = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a)
    edit_url = f"{live_server.url}/cases/applications/{draft.pk}/edit/"

    # Type, let the 30-second autosave run, close the browser context.
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.clock.install()
    login(page, cast.applicant_a)
    page.goto(edit_url)
    page.fill("#id_reflection", "自动保存的专业反思：社会工作者在服务中不断反思。")
    page.clock.run_for(31_000)
    wait_for_js(page, "document.getElementById('autosave-status').textContent.includes('已自动保存')")
    context.close()

    # Reopen: the text is back.
    context = browser.new_context(**browser_context_args)
    tab_a = context.new_page()
    login(tab_a, cast.applicant_a)
    tab_a.goto(edit_url)
    assert tab_a.input_value("#id_reflection") == "自动保存的专业反思：社会工作者在服务中不断反思。"

    # A second tab on the same draft: its stale save is refused, never silently written.
    tab_b = context.new_page()
    tab_b.goto(edit_url)
    tab_a.fill("#id_team-0-name", "自动保存成员")
    tab_a.evaluate("window.kpAutosaveNow()")
    tab_a.fill("#id_title", "A 窗口的标题")
    tab_a.evaluate("window.kpAutosaveNow()")  # a second save from the same page keeps the team rows
    assert list(draft.team_members.values_list("name", flat=True)) == ["自动保存成员"]
    tab_b.fill("#id_title", "B 窗口的标题")
    tab_b.evaluate("window.kpAutosaveNow()")
    conflict = tab_b.locator("[data-testid=autosave-conflict]")
    conflict.wait_for(state="visible")
    assert "为避免覆盖，本次未保存" in conflict.inner_text()
    tab_b.screenshot(path=f"{screenshot_dir}/application-conflict-1280.png")
    draft.refresh_from_db()
    assert draft.title == "A 窗口的标题"

    # The session expires while editing: autosave says so, the text stays in this browser,
    # and logging in again brings the user back to the draft with an offer to restore it.
    context.close()
    context2 = browser.new_context(**browser_context_args)
    page = context2.new_page()
    login(page, cast.applicant_a)
    page.goto(edit_url)
    context2.clear_cookies()
    page.fill("#id_evaluation", "会话过期时写下的总结评估。")
    page.evaluate("window.kpAutosaveNow()")
    page.locator("[data-testid=session-expired]").wait_for(state="visible")
    page.click("#relogin-link")
    page.fill("#id_username", cast.applicant_a.email)
    page.fill("#id_password", cast.password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=application-form]")
    assert page.url == edit_url
    page.locator("[data-testid=restore-banner]").wait_for(state="visible")
    page.click("#restore-button")
    assert page.input_value("#id_evaluation") == "会话过期时写下的总结评估。"
    page.evaluate("window.kpAutosaveNow()")  # saved before the browser closes (no beacon left in flight)
    draft.refresh_from_db()
    assert draft.evaluation == "会话过期时写下的总结评估。"
    context2.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_screenshots_of_the_case_pages_at_1280_and_360(page, live_server, login, cast, screenshot_dir):
    from cases import services
    from cases.tests.factories import add_photo

    campaign = CampaignFactory(title="昆山市优秀社工案例评选")
    submitted = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    for _ in range(3):
        add_photo(submitted)
    services.application_submit(application_id=submitted.pk, by=cast.applicant_a)
    ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, title="", team=False)
    pages = [
        (cast.applicant_a, "/cases/my/", "dashboard"),
        (cast.applicant_a, f"/cases/applications/{submitted.pk}/", "application-detail"),
        (cast.applicant_a, campaign.get_absolute_url(), "campaign"),
        (cast.org_admin, "/cases/organisation/", "organisation-applications"),
        (cast.org_admin, f"/cases/applications/{submitted.pk}/decide/", "decide"),
        (cast.staff, "/cases/staff/applications/", "staff-applications"),
        (cast.staff, f"/admin/cases/campaign/{campaign.pk}/change/", "campaign-admin"),
    ]
    for user, path, name in pages:
        page.context.clear_cookies()
        login(page, user)
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + path)
            assert page.locator("main").count() == 1
            page.screenshot(path=f"{screenshot_dir}/{name}-{width}.png", full_page=True)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_export_a_campaign_watch_the_bar_reach_100_and_download_the_zip(
    page, live_server, login, cast, screenshot_dir
):
    import zipfile

    from playwright.sync_api import expect

    from cases import services
    from cases.docx_export import application_docx_filename
    from cases.models import CaseExport
    from cases.tests.factories import add_photo

    campaign = CampaignFactory(title="昆山市优秀社工案例评选")
    applications = [
        ApplicationFactory(
            campaign=campaign, status=Application.Status.SUBMITTED, reference=f"KS2026-{n:04d}", title=f"案例{n}"
        )
        for n in (1, 2, 3)
    ]
    add_photo(applications[0])
    login(page, cast.staff)

    # A job queued but not yet picked up: the page shows 0 % and follows the status endpoint
    # while a worker (here: this test) builds the ZIP.
    waiting = CaseExport.objects.create(campaign=campaign, requested_by=cast.staff)
    page.goto(f"{live_server.url}/cases/exports/{waiting.pk}/")
    bar = page.locator("[data-testid=export-progress] .progress-bar")
    expect(bar).to_have_text("0%")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{screenshot_dir}/case-export-waiting-{width}.png", full_page=True)
    services.case_export_run(export_id=waiting.pk)
    expect(bar).to_have_text("100%", timeout=5000)
    expect(page.locator("[data-testid=export-done]")).to_have_text("3")
    expect(page.locator("[data-testid=export-download]")).to_be_visible()

    # Staff start it from the list (the eager task finishes inside the click) and download the ZIP.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/cases/staff/applications/")
    page.locator("[data-testid=campaign-exports] button", has_text=campaign.title).click()
    expect(page.locator("[data-testid=export-progress]")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("[data-testid=export-status]")).to_have_text("已完成")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{screenshot_dir}/case-export-done-{width}.png", full_page=True)
    with page.expect_download() as download_info:
        page.locator("[data-testid=export-download]").click()
    download = download_info.value
    assert download.suggested_filename == f"{campaign.title}-申报案例.zip"
    with zipfile.ZipFile(download.path()) as archive:
        assert sorted(archive.namelist()) == sorted(application_docx_filename(a) for a in applications)
