"""Blind attachments end to end in Chromium: staff see on the formal check which attachment reviewers will not
get and why; the blind reviewer downloads every attachment and none of the planted identifiers is in any XML
part of a DOCX or any object of a PDF (streams decompressed)."""

import pytest

from cases.models import Application, CaseAttachment
from cases.tests.blind_files import (
    EMAIL,
    MEMBER,
    NAME,
    ORG,
    PHONE,
    QQ,
    pdf_naming_in_text,
    planted_in_docx,
    planted_in_pdf,
    trap_docx,
    trap_pdf,
)
from reviews.tests.factories import ApplicationFactory, AssignmentFactory, TeamMemberFactory, review_window_campaign


def _attach(app, name, data, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return CaseAttachment.objects.create(
        application=app, original_name=name, content_type=content_type, file=SimpleUploadedFile("x", data)
    )


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_blind_reviewer_downloads_attachments_that_hold_none_of_the_planted_identifiers(
    page, live_server, login, cast, screenshot_dir
):
    campaign = review_window_campaign(blind_review=True, slug="blind-files")
    app = ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        status=Application.Status.RECOMMENDED,
        title="困境儿童成长陪伴个案",
        applicant_name=NAME,
        organisation_name=ORG,
        phone=PHONE,
        email=EMAIL,
        qq=QQ,
    )
    TeamMemberFactory(application=app, name=MEMBER, unit_and_title=f"{ORG} 督导", contact="13600001234")
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    _attach(app, f"案例全文+{ORG}+{NAME}.docx", trap_docx(), docx_type)
    _attach(app, f"{NAME}的评估报告.pdf", trap_pdf(), "application/pdf")
    withheld = _attach(app, "服务记录扫描.pdf", pdf_naming_in_text(), "application/pdf")

    # Staff: the formal check says which attachment reviewers will not get, and why; then accept.
    login(page, cast.staff)
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/formal-check/")
    line = page.locator(f"[data-testid=blind-attachment-{withheld.pk}]").inner_text()
    assert "评审专家不可见" in line and "PDF 正文中含有申报人身份信息" in line
    page.screenshot(path=f"{screenshot_dir}/reviews-blind-formal-check-1280.png", full_page=True)
    page.locator(f"[data-testid=formal-check-{app.pk}] button[value=accept]").click()
    assert "形式审查通过" in page.content()
    AssignmentFactory(application=app, reviewer=cast.reviewer)

    # The blind reviewer: two attachments to download, the third listed as hidden.
    page.context.clear_cookies()
    login(page, cast.reviewer)
    page.goto(f"{live_server.url}/reviews/cases/{app.pk}/")
    assert page.locator("[data-testid=attachment-withheld]").count() == 1
    assert "已隐去" in page.locator("[data-testid=attachment-withheld]").inner_text()
    page.screenshot(path=f"{screenshot_dir}/reviews-blind-case-1280.png", full_page=True)
    links = page.locator("[data-testid=attachment]")
    assert links.count() == 2
    downloads = {}
    for index in range(links.count()):
        with page.expect_download() as download_info:
            links.nth(index).click()
        download = download_info.value
        with open(download.path(), "rb") as f:
            downloads[download.suggested_filename] = f.read()
    assert sorted(downloads) == ["附件1.docx", "附件2.pdf"]
    assert planted_in_docx(downloads["附件1.docx"]) == []
    assert planted_in_pdf(downloads["附件2.pdf"]) == []
    with page.expect_download() as download_info:
        page.click("[data-testid=case-docx]")
    with open(download_info.value.path(), "rb") as f:
        assert planted_in_docx(f.read()) == []
