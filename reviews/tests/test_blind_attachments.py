"""Blind reviewers get blind copies of attachments, made once and kept; what cannot be made blind is listed to
them as 已隐去, and staff see why on the formal-check page."""

import io

import docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import Application, CaseAttachment, Endorsement
from cases.tests.blind_files import (
    EMAIL,
    MEMBER,
    NAME,
    ORG,
    PHONE,
    QQ,
    pdf_naming_in_text,
    planted_in_docx,
    trap_docx,
)
from reviews.selectors import blind_identifiers, redact
from reviews.tests.factories import ApplicationFactory, AssignmentFactory, TeamMemberFactory, review_window_campaign

pytestmark = pytest.mark.django_db

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _case(cast, **kwargs):
    campaign = review_window_campaign(blind_review=True)
    app = ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        applicant_name=NAME,
        organisation_name=ORG,
        phone=PHONE,
        email=EMAIL,
        qq=QQ,
        **kwargs,
    )
    TeamMemberFactory(application=app, name=MEMBER, unit_and_title=f"{ORG} 督导", contact="13600001234")
    return app


def _attach(app, name, data, content_type=DOCX_TYPE):
    return CaseAttachment.objects.create(
        application=app, original_name=name, content_type=content_type, file=SimpleUploadedFile("x", data)
    )


@pytest.fixture
def reviewed(cast, client):
    app = _case(cast)
    AssignmentFactory(application=app, reviewer=cast.reviewer)
    client.force_login(cast.reviewer)
    return app


def test_a_blind_reviewer_downloads_a_copy_without_the_planted_identifiers(reviewed, client):
    attachment = _attach(reviewed, f"{NAME}的案例.docx", trap_docx())
    response = client.get(reverse("reviews:attachment", kwargs={"pk": attachment.pk}))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert planted_in_docx(data) == []
    assert "新增的服务记录" in "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_the_blind_copy_is_made_once_and_kept_in_storage(reviewed, cast, client):
    attachment = _attach(reviewed, "全文.docx", trap_docx())
    url = reverse("reviews:attachment", kwargs={"pk": attachment.pk})
    client.get(url)
    attachment.refresh_from_db()
    first_name, first_key = attachment.blind_file.name, attachment.blind_key
    assert first_name and first_key and attachment.blind_file.storage.exists(first_name)
    client.get(url)
    attachment.refresh_from_db()
    assert (attachment.blind_file.name, attachment.blind_key) == (first_name, first_key)


def test_a_changed_source_file_makes_the_copy_anew_and_removes_the_old_one(reviewed):
    attachment = _attach(reviewed, "全文.docx", trap_docx())
    identifiers = blind_identifiers(reviewed)
    services.attachment_blind_copy_ensure(attachment=attachment, identifiers=identifiers)
    old_name, old_key = attachment.blind_file.name, attachment.blind_key
    document = docx.Document()
    document.add_paragraph(f"第二稿 {NAME}")
    out = io.BytesIO()
    document.save(out)
    attachment.file.save("second.docx", ContentFile(out.getvalue()), save=True)
    services.attachment_blind_copy_ensure(attachment=attachment, identifiers=identifiers)
    assert attachment.blind_key != old_key and attachment.blind_file.name != old_name
    assert not attachment.blind_file.storage.exists(old_name)
    with attachment.blind_file.open("rb") as f:
        assert [p.text for p in docx.Document(f).paragraphs] == ["第二稿 ＊＊"]


def test_a_new_identifier_makes_the_copy_anew(reviewed):
    attachment = _attach(reviewed, "全文.docx", trap_docx())
    services.attachment_blind_copy_ensure(attachment=attachment, identifiers=blind_identifiers(reviewed))
    old_key = attachment.blind_key
    TeamMemberFactory(application=reviewed, name="王小明")
    reviewed = Application.objects.get(pk=reviewed.pk)
    services.attachment_blind_copy_ensure(attachment=attachment, identifiers=blind_identifiers(reviewed))
    assert attachment.blind_key != old_key


def test_a_withheld_attachment_is_listed_as_hidden_without_a_link_or_the_reason(reviewed, client):
    attachment = _attach(reviewed, "全文.pdf", pdf_naming_in_text(), "application/pdf")
    html = client.get(reverse("reviews:case", kwargs={"pk": reviewed.pk})).content.decode()
    assert "已隐去" in html
    assert reverse("reviews:attachment", kwargs={"pk": attachment.pk}) not in html
    assert "PDF 正文" not in html  # the reviewer gets a neutral line, not what was found
    response = client.get(reverse("reviews:attachment", kwargs={"pk": attachment.pk}))
    assert response.status_code == 404
    assert PHONE.encode() not in response.content and "已隐去" in response.content.decode()


def test_staff_see_on_the_formal_check_page_why_an_attachment_is_withheld(cast, client):
    app = _case(cast, status=Application.Status.RECOMMENDED)
    withheld = _attach(app, "全文.pdf", pdf_naming_in_text(), "application/pdf")
    kept = _attach(app, "附录.docx", trap_docx())
    client.force_login(cast.staff)
    response = client.get(reverse("reviews:formal_check", kwargs={"slug": app.campaign.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="blind-attachment-{withheld.pk}"' in html
    assert "评审专家不可见" in html and "PDF 正文中含有申报人身份信息" in html
    assert f'data-testid="blind-attachment-{kept.pk}"' in html and "匿名副本" in html


def test_staff_download_the_original_attachment(reviewed, cast, client):
    source = trap_docx()
    attachment = _attach(reviewed, "全文.docx", source)
    client.force_login(cast.staff)
    response = client.get(reverse("reviews:attachment", kwargs={"pk": attachment.pk}))
    assert b"".join(response.streaming_content) == source


def test_the_case_page_the_word_export_and_the_attachments_redact_one_list_of_identifiers(cast):
    """The pledge signature and the recommending admin's name were redacted in the Word export only."""
    app = _case(cast, pledge_signature="张敏签")
    Endorsement.objects.create(
        application=app, decided_by=cast.org_admin, decision=Endorsement.Decision.RECOMMENDED, opinion="同意"
    )
    app = Application.objects.get(pk=app.pk)
    identifiers = blind_identifiers(app)
    assert "张敏签" in identifiers and cast.org_admin.name in identifiers
    assert redact(f"由{cast.org_admin.name}推荐，电话 137-1234-5678", identifiers) == "由＊＊推荐，电话 ＊＊"


def test_a_number_is_redacted_however_its_digits_are_grouped():
    identifiers = ["0512-57501234", "87654321"]
    text = "座机 0512 5750 1234，QQ 8765-4321，编号 1234"
    assert redact(text, identifiers) == "座机 ＊＊，QQ ＊＊，编号 1234"
