"""申报材料 and 申报资格 in Chromium: staff set them, an ineligible organisation is refused with the rule
named, its admin completes the 机构资质, the applicant uploads a JPEG licence scan and submits, staff see it all
in 形式审查."""

import os

import pytest
from PIL import Image

from accounts.models import Membership
from accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from cases.models import Application, TeamMember
from cases.tests.factories import SECTION_TEXT, CampaignFactory


def _jpeg(path):
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(path, "JPEG", quality=90)
    return path


def _pdf(path):
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return path


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_set_materials_and_eligibility_and_an_organisation_meets_them(
    page, live_server, login, screenshot_dir, tmp_path, media_storage
):
    org = OrganisationFactory(name="青铜峡市阳光社会工作服务中心")
    org_admin = MembershipFactory(organisation=org, role=Membership.Role.ADMIN, user__name="杨主任").user
    applicant = MembershipFactory(organisation=org, user__name="马社工").user
    staff = UserFactory(name="王晓民", is_staff=True)
    campaign = CampaignFactory(title="“五社联动，幸福老小”社会工作服务项目申报", recommendation_required=False)
    page.on("dialog", lambda dialog: dialog.accept())

    # Staff: two named materials (the second row added with 添加一行), then the four rules of the call.
    login(page, staff)
    page.goto(f"{live_server.url}/cases/staff/campaigns/{campaign.slug}/materials/")
    page.fill("#id_rows-0-name", "法人登记证书副本")
    page.uncheck("#id_rows-0-allowed_types_0")  # PDF: scans only
    page.fill("#id_rows-0-max_files", "2")
    page.fill("#id_rows-0-help_text", "正、反面各一张")
    page.click("[data-testid=add-row]")
    page.fill("#id_rows-1-name", "项目专职人员资质材料")
    page.fill("#id_rows-1-max_files", "5")
    page.screenshot(path=os.path.join(screenshot_dir, "materials-staff-slots.png"), full_page=True)
    page.click("[data-testid=save]")
    page.wait_for_selector("text=申报材料已保存。")
    assert [s.name for s in campaign.material_slots.all()] == ["法人登记证书副本", "项目专职人员资质材料"]

    page.goto(f"{live_server.url}/cases/staff/campaigns/{campaign.slug}/eligibility/")
    rules = [
        {"kind": "registered"},
        {"kind": "annual_inspection_passed", "year": "2022"},
        {"kind": "min_full_time_staff", "number": "2"},
        {"kind": "min_certified", "number": "1", "level": "assistant"},
    ]
    for i, rule in enumerate(rules):
        if i:
            page.click("[data-testid=add-row]")
        page.select_option(f"#id_rows-{i}-kind", rule["kind"])
        for name in ("year", "number"):
            if name in rule:
                page.fill(f"#id_rows-{i}-{name}", rule[name])
        if "level" in rule:
            page.select_option(f"#id_rows-{i}-level", rule["level"])
    page.click("[data-testid=save]")
    page.wait_for_selector("text=申报资格已保存。")
    page.screenshot(path=os.path.join(screenshot_dir, "materials-staff-eligibility.png"), full_page=True)
    assert campaign.eligibility_rules.count() == 4

    # The organisation has no 机构资质 yet: 申报 is refused, naming the rules.
    page.context.clear_cookies()
    login(page, applicant)
    page.goto(live_server.url + campaign.get_absolute_url())
    page.click("[data-testid=apply-button]")
    page.wait_for_selector("text=不符合本次申报资格")
    assert "年检：须 2022 年度年检合格（本机构：未填写年检情况）" in page.content()
    page.screenshot(path=os.path.join(screenshot_dir, "materials-refused.png"), full_page=True)

    # Its admin fills the profile in, with a licence scan as evidence.
    page.context.clear_cookies()
    login(page, org_admin)
    page.goto(f"{live_server.url}/accounts/profile/")
    page.click("[data-testid=organisation-profile-link]")
    page.fill("#id_registration_authority", "青铜峡市民政局")
    page.fill("#id_registered_on", "2019-04-01")
    page.fill("#id_inspection_year", "2022")
    page.select_option("#id_inspection_result", "passed")
    page.fill("#id_full_time_staff", "3")
    page.fill("#id_assistant_social_workers", "1")
    page.set_input_files("#id_new_evidence", _jpeg(tmp_path / "登记证书.jpg"))
    page.fill("#id_new_evidence_description", "法人登记证书副本")
    page.click("[data-testid=save]")
    page.wait_for_selector("text=机构资质已保存。")
    page.screenshot(path=os.path.join(screenshot_dir, "materials-organisation-profile.png"), full_page=True)

    # The applicant starts, the form is filled (not what this test is about), the scans are uploaded, submit.
    page.context.clear_cookies()
    login(page, applicant)
    page.goto(live_server.url + campaign.get_absolute_url())
    page.click("[data-testid=apply-button]")
    page.wait_for_selector("[data-testid=materials]")
    application = Application.objects.get(campaign=campaign)
    Application.objects.filter(pk=application.pk).update(
        title="幸福老小项目",
        period_start="2024-03-01",
        period_end="2024-09-30",
        qq="",
        category="casework",
        domain="老龄事业",
        pledge_accepted=True,
        pledge_signature="马社工",
        **{name: SECTION_TEXT for name in ("background", "analysis", "plan", "implementation", "evaluation")},
        reflection=SECTION_TEXT,
    )
    TeamMember.objects.create(application=application, name="马社工", certificate_level="assistant")
    page.reload()
    slots = list(campaign.material_slots.all())
    page.set_input_files(f"#id_material_{slots[0].pk}", _jpeg(tmp_path / "正面.jpg"))
    page.set_input_files(f"#id_material_{slots[1].pk}", _pdf(tmp_path / "社工证.pdf"))
    page.click("[data-testid=save]")
    page.wait_for_selector("text=草稿已保存")
    assert page.locator("[data-testid=material-file]").count() == 2
    page.screenshot(path=os.path.join(screenshot_dir, "materials-editor.png"), full_page=True)
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=申报已提交")

    # Staff see the materials and the eligibility in 形式审查.
    page.context.clear_cookies()
    login(page, staff)
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/formal-check/")
    page.wait_for_selector(f"[data-testid=formal-check-slots-{application.pk}]")
    text = page.inner_text(f"[data-testid=formal-check-eligibility-{application.pk}]")
    assert text.count("不符合") == 0 and text.count("符合") == 4
    page.screenshot(path=os.path.join(screenshot_dir, "materials-formal-check.png"), full_page=True)
