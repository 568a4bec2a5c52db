"""The station evaluation's 佐证材料 in Chromium: staff generate one slot per observation point of the 淮安 index
from the 申报材料 page, and a station uploads evidence for one point on a phone (360 px), the 67 slots folded
under their 7 level-1 indicators. Screenshots in var/screenshots/."""

import pytest
from django.urls import reverse

from cases.models import CaseAttachment, MaterialSlot
from cases.tests.factories import ApplicationFactory, defined_campaign
from cases.tests.factories_materials import PDF_BYTES
from reviews.tests.test_evidence_slots import huaian_index


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_generate_evidence_slots_and_a_station_uploads_on_a_phone(
    page, browser, live_server, login, cast, screenshot_dir, media_storage, tmp_path
):
    campaign = defined_campaign("station_evaluation", slug="huaian-evidence", title="淮安市社工站评估")
    huaian_index(campaign)
    draft = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, team=False, answers={}
    )
    login(page, cast.staff)
    page.goto(live_server.url + reverse("cases:campaign_materials", kwargs={"slug": campaign.slug}))
    page.get_by_role("button", name="按评分指标生成佐证材料").click()
    assert "已按评分指标生成 67 项佐证材料（选交）。" in page.content()
    page.screenshot(path=f"{screenshot_dir}/evidence-materials-page-1280.png", full_page=True)
    assert MaterialSlot.objects.filter(campaign=campaign).count() == 67

    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 800})
    phone = context.new_page()
    login(phone, cast.applicant_a)
    phone.goto(live_server.url + reverse("cases:application_edit", args=[draft.pk]))
    groups = phone.get_by_test_id("material-group")
    assert groups.count() == 7
    assert phone.locator('[data-testid="material-group"][open]').count() == 0
    phone.screenshot(path=f"{screenshot_dir}/evidence-editor-folded-360.png", full_page=True)
    groups.first.locator("summary").click()
    first = MaterialSlot.objects.get(campaign=campaign, name="政策支持 › 政策文件 › 政策文件观测点1")
    file_input = phone.locator(f"#id_material_{first.pk}")
    assert file_input.is_visible()
    scan = tmp_path / "区政府购买服务文件.pdf"
    scan.write_bytes(PDF_BYTES)
    file_input.set_input_files(str(scan))
    phone.screenshot(path=f"{screenshot_dir}/evidence-editor-open-360.png", full_page=True)
    phone.get_by_test_id("save").click()
    phone.wait_for_load_state()
    assert CaseAttachment.objects.get(application=draft, slot=first).original_name == "区政府购买服务文件.pdf"
    assert "（7 项，已上传 1 项）" in phone.content()
    context.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_switch_the_roll_up_between_the_county_field_and_the_district(
    page, live_server, login, cast, screenshot_dir
):
    from cases.presets import preset_apply
    from reviews.tests.factories import ReviewerFactory, review_window_campaign
    from reviews.tests.test_rollup_grouping import PLAN, _rubric, _stations

    campaign = review_window_campaign(slug="huaian-rollup-e2e", title="淮安市社工站评估")
    preset_apply(campaign=campaign, key="station_evaluation")
    campaign.save()
    _rubric(campaign)
    _stations(campaign, ReviewerFactory(), PLAN)
    login(page, cast.staff)
    page.goto(live_server.url + reverse("reviews:rollup", kwargs={"slug": campaign.slug}))
    assert page.locator("#id_by").input_value() == "answer:county"
    assert page.locator("[data-testid=rollup-table] tbody tr").count() == 5
    page.screenshot(path=f"{screenshot_dir}/rollup-by-county-1280.png", full_page=True)
    page.select_option("#id_by", "district")
    page.get_by_role("button", name="汇总").click()
    assert page.locator("[data-testid=rollup-table] tbody tr").count() == 1
    assert "按申报机构的所属区镇汇总" in page.get_by_test_id("rollup-rule").inner_text()
