"""申报材料: named material slots — uploads checked by content, the submit's checks, the editor's upload areas."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.materials import application_material_problems
from cases.models import Application, CaseAttachment
from cases.tests.factories import add_attachment, add_photo
from cases.tests.factories_checks import jpeg_bytes
from cases.tests.factories_materials import PDF_BYTES, MaterialSlotFactory
from cases.tests.test_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_storage):
    return media_storage


@pytest.fixture
def licence(draft):
    return MaterialSlotFactory(
        campaign=draft.campaign, name="法人登记证书副本", allowed_types=["jpeg", "png"], max_files=2, max_size_mb=5
    )


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/octet-stream")


def submittable(application):
    for _ in range(3):
        add_photo(application)
    return application


# --- Uploads -----------------------------------------------------------------------------------


def test_a_jpeg_scan_is_stored_under_a_random_name_for_its_slot(draft, licence):
    attachment = services.material_add(application=draft, slot=licence, uploaded_file=upload(jpeg_bytes(), "正面.jpg"))
    assert attachment.slot == licence and attachment.content_type == "image/jpeg"
    assert attachment.original_name == "正面.jpg" and "正面" not in attachment.file.name
    assert attachment.file.name.endswith(".jpg")


def test_a_jpg_that_is_really_a_pdf_is_refused_by_its_content(draft, licence):
    with pytest.raises(ValidationError) as caught:
        services.material_add(application=draft, slot=licence, uploaded_file=upload(PDF_BYTES, "正面.jpg"))
    assert "文件内容是 PDF" in caught.value.messages[0] and "只接受 JPEG、PNG" in caught.value.messages[0]
    assert not draft.attachments.exists()


def test_a_pdf_named_jpg_where_pdf_is_allowed_keeps_the_pdf_extension(draft):
    slot = MaterialSlotFactory(campaign=draft.campaign, allowed_types=["pdf", "jpeg"])
    attachment = services.material_add(application=draft, slot=slot, uploaded_file=upload(PDF_BYTES, "证书.jpg"))
    assert attachment.content_type == "application/pdf" and attachment.original_name == "证书.pdf"


def test_a_broken_jpeg_is_refused_like_a_photo(draft, licence):
    with pytest.raises(ValidationError) as caught:
        services.material_add(application=draft, slot=licence, uploaded_file=upload(jpeg_bytes()[:200], "x.jpg"))
    assert "损坏" in caught.value.messages[0]


def test_a_file_over_the_slots_size_limit_is_refused(draft):
    slot = MaterialSlotFactory(campaign=draft.campaign, allowed_types=["pdf"], max_size_mb=1)
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        services.material_add(application=draft, slot=slot, uploaded_file=upload(big, "big.pdf"))
    assert "不能超过 1.0 MB" in caught.value.messages[0]


def test_a_file_beyond_the_slots_count_is_refused(draft, licence):
    for _ in range(2):
        services.material_add(application=draft, slot=licence, uploaded_file=upload(jpeg_bytes(), "a.jpg"))
    with pytest.raises(ValidationError) as caught:
        services.material_add(application=draft, slot=licence, uploaded_file=upload(jpeg_bytes(), "c.jpg"))
    assert "最多上传 2 个文件" in caught.value.messages[0]


def test_a_slot_of_another_campaign_is_refused(draft):
    other = MaterialSlotFactory()
    with pytest.raises(ValidationError):
        services.material_add(application=draft, slot=other, uploaded_file=upload(PDF_BYTES, "a.pdf"))


# --- Submit --------------------------------------------------------------------------------------


def test_submit_is_refused_naming_each_missing_required_slot(cast, draft, licence):
    submittable(draft)
    MaterialSlotFactory(campaign=draft.campaign, name="项目专职人员资质材料")
    MaterialSlotFactory(campaign=draft.campaign, name="其他证明", required=False)
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application_id=draft.pk, by=cast.applicant_a)
    messages = [m for found in caught.value.message_dict.values() for m in found]
    assert "“法人登记证书副本”为必交材料，尚未上传。" in messages
    assert "“项目专职人员资质材料”为必交材料，尚未上传。" in messages
    assert not any("其他证明" in m for m in messages)
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_submit_goes_through_with_every_required_slot_given(cast, draft, licence):
    submittable(draft)
    services.material_add(application=draft, slot=licence, uploaded_file=upload(jpeg_bytes(), "正面.jpg"))
    services.application_submit(application_id=draft.pk, by=cast.applicant_a)
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED


def test_submit_is_refused_when_a_slot_holds_more_files_than_staff_now_allow(cast, draft, licence):
    submittable(draft)
    for name in ("正面.jpg", "反面.jpg"):
        services.material_add(application=draft, slot=licence, uploaded_file=upload(jpeg_bytes(), name))
    licence.max_files = 1
    licence.save()
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application_id=draft.pk, by=cast.applicant_a)
    assert caught.value.message_dict[f"material_{licence.pk}"] == [
        "“法人登记证书副本”最多 1 个文件，现有 2 个，请删除多余的文件。"
    ]


def test_submit_is_refused_for_a_file_whose_content_the_slot_does_not_accept(cast, draft, licence):
    attachment = add_attachment(draft)  # a PDF
    CaseAttachment.objects.filter(pk=attachment.pk).update(slot=licence)
    problems = application_material_problems(draft)
    assert problems == {
        f"material_{licence.pk}": ["“法人登记证书副本”的文件“案例全文.pdf”是 PDF，此项只接受 JPEG、PNG。"]
    }


def test_a_campaign_without_slots_has_no_material_problems(draft):
    add_attachment(draft)
    assert application_material_problems(draft) == {}


# --- The editor ----------------------------------------------------------------------------------


def test_the_editor_shows_one_upload_area_per_slot_with_its_rules(client_a, draft, licence):
    MaterialSlotFactory(campaign=draft.campaign, name="其他证明", required=False, allowed_types=["pdf", "docx"])
    html = client_a.get(reverse("cases:application_edit", args=[draft.pk])).content.decode()
    assert 'data-testid="materials"' in html
    assert "法人登记证书副本" in html and "JPEG、PNG · 最多 2 个文件 · 单个不超过 5 MB" in html
    assert f'name="material_{licence.pk}"' in html and 'accept=".jpg,.jpeg,.png"' in html
    assert "PDF、DOCX" in html


def test_the_editor_of_a_campaign_without_slots_has_no_materials_area(client_a, draft):
    html = client_a.get(reverse("cases:application_edit", args=[draft.pk])).content.decode()
    assert 'data-testid="materials"' not in html and "附件与报道链接" in html


def test_a_scan_uploaded_in_the_editor_lands_in_its_slot(client_a, draft, licence):
    response = client_a.post(
        reverse("cases:application_edit", args=[draft.pk]),
        form_data(draft, action="save", **{f"material_{licence.pk}": upload(jpeg_bytes(), "正面.jpg")}),
    )
    assert response.status_code == 302
    assert draft.attachments.get().slot == licence


def test_a_refused_scan_is_reported_beside_its_slot_and_the_text_is_kept(client_a, draft, licence):
    response = client_a.post(
        reverse("cases:application_edit", args=[draft.pk]),
        form_data(
            draft, action="save", title="新的案例名称", **{f"material_{licence.pk}": upload(PDF_BYTES, "正面.jpg")}
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-errors-for="material_{licence.pk}"><div>正面.jpg：文件内容是 PDF' in html
    draft.refresh_from_db()
    assert draft.title == "新的案例名称" and not draft.attachments.exists()


def test_a_submit_missing_a_required_slot_says_so_beside_the_slot(client_a, draft, licence):
    submittable(draft)
    response = client_a.post(reverse("cases:application_edit", args=[draft.pk]), form_data(draft, action="submit"))
    html = response.content.decode()
    assert "“法人登记证书副本”为必交材料，尚未上传。" in html
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_the_submit_refusal_for_eligibility_names_the_rule_in_the_editor(client_a, draft, cast):
    from accounts.tests.factories import OrganisationProfileFactory
    from cases.tests.factories_materials import EligibilityRuleFactory

    submittable(draft)
    EligibilityRuleFactory(campaign=draft.campaign, kind="min_full_time_staff", number=2)
    OrganisationProfileFactory(organisation=cast.org_a, full_time_staff=1, assistant_social_workers=0)
    response = client_a.post(reverse("cases:application_edit", args=[draft.pk]), form_data(draft, action="submit"))
    html = response.content.decode()
    assert 'data-testid="eligibility-errors"' in html and "专职工作人员：须不少于 2 名（本机构：1 名）" in html


def test_a_scan_is_withheld_from_blind_reviewers_with_a_reason_that_fits_a_scan():
    from cases.blind import attachment_blind_copy

    copy = attachment_blind_copy(jpeg_bytes(), "正面.jpg", ["青铜峡市阳光社会工作服务中心"])
    assert copy.data is None and "图片扫描件" in copy.withheld_reason
