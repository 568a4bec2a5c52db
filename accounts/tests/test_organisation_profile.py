"""机构资质: the organisation's admin keeps it with evidence scans; staff read it; nobody else sees it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEvent, OrganisationEvidence, OrganisationProfile
from accounts.tests.factories import OrganisationProfileFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(media_storage):
    return media_storage


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def url(organisation):
    return reverse("accounts:organisation_profile", kwargs={"pk": organisation.pk})


def profile_data(**overrides) -> dict:
    data = {
        "registration_authority": "青铜峡市民政局",
        "registered_on": "2019-04-01",
        "inspection_year": "2022",
        "inspection_result": "passed",
        "full_time_staff": "3",
        "assistant_social_workers": "1",
        "social_workers": "0",
        "senior_social_workers": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.org_admin)
    return client


def test_the_admin_fills_in_the_profile_and_uploads_a_licence_scan(admin_client, cast):
    scan = SimpleUploadedFile("登记证书.jpg", jpeg(), "image/jpeg")
    response = admin_client.post(
        url(cast.org_a), profile_data(new_evidence=scan, new_evidence_description="法人登记证书副本（正面）")
    )
    assert response.status_code == 302
    profile = OrganisationProfile.objects.get(organisation=cast.org_a)
    assert (profile.inspection_year, profile.inspection_result, profile.full_time_staff) == (2022, "passed", 3)
    assert profile.updated_by == cast.org_admin
    evidence = OrganisationEvidence.objects.get(organisation=cast.org_a)
    assert evidence.content_type == "image/jpeg" and "登记证书" not in evidence.file.name
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PROFILE_CHANGE, object_id=str(cast.org_a.pk))
    assert "年检结论" in event.detail and "上传资质证明材料：法人登记证书副本（正面）" in event.detail
    download = admin_client.get(reverse("accounts:organisation_evidence", args=[cast.org_a.pk, evidence.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"


def test_bad_input_is_kept_and_the_message_is_beside_the_field(admin_client, cast):
    response = admin_client.post(
        url(cast.org_a),
        profile_data(full_time_staff="1", assistant_social_workers="2", registration_authority="某某局"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "持证社会工作者共 2 人，多于专职工作人员 1 人，请核对。" in html
    assert 'id="error_1_id_full_time_staff"' in html or "is-invalid" in html
    assert 'value="某某局"' in html
    assert not OrganisationProfile.objects.exists()


def test_a_year_without_a_result_is_refused_beside_the_result(admin_client, cast):
    response = admin_client.post(url(cast.org_a), profile_data(inspection_result=""))
    assert "年检年度和年检结论须同时填写。" in response.content.decode()
    assert not OrganisationProfile.objects.exists()


def test_an_evidence_file_that_is_not_pdf_jpeg_or_png_is_refused_and_nothing_is_written(admin_client, cast):
    fake = SimpleUploadedFile("证书.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    response = admin_client.post(url(cast.org_a), profile_data(new_evidence=fake, new_evidence_description="证书"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "此项只接受 PDF、JPEG、PNG 格式" in html and 'value="青铜峡市民政局"' in html
    assert not OrganisationProfile.objects.exists() and not OrganisationEvidence.objects.exists()


def test_an_evidence_file_needs_a_description(admin_client, cast):
    pdf = SimpleUploadedFile("a.pdf", PDF, "application/pdf")
    response = admin_client.post(url(cast.org_a), profile_data(new_evidence=pdf))
    assert "请写明上传的是什么材料。" in response.content.decode()
    assert not OrganisationEvidence.objects.exists()


def test_the_admin_removes_an_evidence_file(admin_client, cast):
    pdf = SimpleUploadedFile("a.pdf", PDF, "application/pdf")
    admin_client.post(url(cast.org_a), profile_data(new_evidence=pdf, new_evidence_description="年检结论"))
    evidence = OrganisationEvidence.objects.get()
    admin_client.post(url(cast.org_a), profile_data(evidence_delete=[str(evidence.pk)]))
    assert not OrganisationEvidence.objects.exists()


def test_staff_read_the_profile_but_cannot_change_it(client, cast):
    OrganisationProfileFactory(organisation=cast.org_a, inspection_result="basic")
    client.force_login(cast.staff)
    html = client.get(url(cast.org_a)).content.decode()
    assert 'data-testid="profile-readonly"' in html and "2022 年度 基本合格" in html
    assert client.post(url(cast.org_a), profile_data()).status_code == 403
    assert OrganisationProfile.objects.get().inspection_result == "basic"


def test_the_admin_of_another_organisation_gets_404(client, cast):
    client.force_login(cast.org_admin_b)
    assert client.get(url(cast.org_a)).status_code == 404
    assert client.post(url(cast.org_a), profile_data()).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_the_profile_page_costs_the_same_queries_for_one_and_many_evidence_files(
    admin_client, cast, count, django_assert_num_queries
):
    from django.core.files.base import ContentFile

    OrganisationProfileFactory(organisation=cast.org_a)
    for i in range(count):
        evidence = OrganisationEvidence(
            organisation=cast.org_a, description=f"材料{i}", original_name="a.pdf", content_type="application/pdf"
        )
        evidence.file.save("a.pdf", ContentFile(PDF), save=True)
    with django_assert_num_queries(9):
        assert admin_client.get(url(cast.org_a)).status_code == 200
