"""A blind review shows nothing that identifies the applicant: not on the page, in file names or in file metadata."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases.models import CaseAttachment, CasePhoto
from cases.tests.blind_files import planted_in_pdf, trap_pdf
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    TeamMemberFactory,
    jpeg_bytes,
    review_window_campaign,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def blind_case(cast, client):
    campaign = review_window_campaign(blind_review=True)
    app = ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        applicant_name="张敏",
        phone="13712345678",
        email="zhangmin@example.cn",
        qq="87654321",
        title="阳光社会工作服务中心困境儿童陪伴个案",
        background="张敏作为社会工作者，在阳光社会工作服务中心接案，联系电话13712345678。",
    )
    TeamMemberFactory(application=app, name="李小红", unit_and_title="阳光社会工作服务中心 督导", contact="13600001234")
    AssignmentFactory(application=app, reviewer=cast.reviewer)
    client.force_login(cast.reviewer)
    identifying = [
        "张敏",
        "阳光社会工作服务中心",
        "13712345678",
        "zhangmin@example.cn",
        "87654321",
        "李小红",
        "13600001234",
        cast.applicant_a.email,
    ]
    return app, identifying


def test_the_blind_case_page_holds_no_identifying_string(blind_case, client):
    app, identifying = blind_case
    html = client.get(reverse("reviews:case", kwargs={"pk": app.pk})).content.decode()
    assert "匿名评审" in html and "困境儿童陪伴个案" in html
    for value in identifying:
        assert value not in html, value


def test_the_same_page_shows_the_form_when_the_review_is_not_blind(blind_case, client):
    app, _identifying = blind_case
    app.campaign.blind_review = False
    app.campaign.save()
    html = client.get(reverse("reviews:case", kwargs={"pk": app.pk})).content.decode()
    assert "张敏" in html and "李小红" in html


def test_a_blind_photo_download_has_no_exif(blind_case, client):
    app, _identifying = blind_case
    photo = CasePhoto.objects.create(
        application=app, image=SimpleUploadedFile("张敏.jpg", jpeg_bytes(artist="Zhang Min"), "image/jpeg")
    )
    response = client.get(reverse("reviews:photo", kwargs={"pk": photo.pk}))
    data = response.content
    assert b"Zhang Min" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


def _docx(author: str, text: str) -> bytes:
    document = docx.Document()
    document.core_properties.author = author
    document.core_properties.last_modified_by = author
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_blind_docx_download_has_a_neutral_name_and_no_identifying_metadata(blind_case, client):
    app, identifying = blind_case
    attachment = CaseAttachment.objects.create(
        application=app,
        original_name="案例名称+阳光社会工作服务中心+张敏.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        file=SimpleUploadedFile("x.docx", _docx("张敏", "阳光社会工作服务中心 李小红 撰写")),
    )
    response = client.get(reverse("reviews:attachment", kwargs={"pk": attachment.pk}))
    disposition = response["Content-Disposition"]
    assert "%E9%99%84%E4%BB%B61.docx" in disposition  # 附件1.docx, URL-encoded
    for value in identifying:
        assert value not in disposition
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    metadata = f"{document.core_properties.author}{document.core_properties.last_modified_by}"
    text = "\n".join(p.text for p in document.paragraphs)
    for value in identifying:
        assert value not in metadata and value not in text, value


def test_a_blind_pdf_download_has_no_identifying_metadata(blind_case, client):
    app, _identifying = blind_case
    attachment = CaseAttachment.objects.create(
        application=app,
        original_name="张敏的案例.pdf",
        content_type="application/pdf",
        file=SimpleUploadedFile("x.pdf", trap_pdf()),
    )
    response = client.get(reverse("reviews:attachment", kwargs={"pk": attachment.pk}))
    assert response.status_code == 200
    assert planted_in_pdf(b"".join(response.streaming_content)) == []


def test_the_blind_word_export_names_no_one_in_its_name_text_or_metadata(blind_case, client):
    app, identifying = blind_case
    response = client.get(reverse("reviews:case_docx", kwargs={"pk": app.pk}))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert app.reference in disposition
    document = docx.Document(io.BytesIO(response.content))
    props = document.core_properties
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    everything = "\n".join(texts + [props.author, props.last_modified_by, props.title, props.subject, disposition])
    assert "困境儿童陪伴个案" in everything
    for value in identifying:
        assert value not in everything, value


def test_the_case_page_shows_photos_as_small_thumbnails_without_metadata(blind_case, client):
    app, _identifying = blind_case
    big = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = "Zhang Min"
    Image.new("RGB", (3000, 2000), (30, 140, 90)).save(big, format="JPEG", exif=exif.tobytes())
    photo = CasePhoto.objects.create(application=app, image=SimpleUploadedFile("p.jpg", big.getvalue(), "image/jpeg"))
    html = client.get(reverse("reviews:case", kwargs={"pk": app.pk})).content.decode()
    thumb_url = reverse("reviews:photo", kwargs={"pk": photo.pk}) + "?size=thumb"
    assert f'src="{thumb_url}"' in html
    response = client.get(thumb_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    body = b"".join(response.streaming_content)
    thumb = Image.open(io.BytesIO(body))
    assert thumb.size[0] <= 480 and thumb.size[1] <= 360
    assert b"Zhang Min" not in body
