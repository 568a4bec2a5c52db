"""Blind copies of attachments made from files with every trap Word-like tools leave: metadata parts, comments,
tracked changes, names split across runs, headers, footers, footnotes, text boxes; PDFs with Info and XMP in
compressed object streams. What cannot be made blind safely is withheld."""

import io
import os
import posixpath
import re
import shutil
import zipfile

import docx
import pikepdf
import pytest

from cases.blind import attachment_blind_copy
from cases.tests.blind_files import (
    DELETED,
    KEPT,
    PLANTED,
    blank_pdf_bytes,
    docx_parts,
    pdf_naming_in_text,
    planted_in_docx,
    planted_in_pdf,
    trap_docx,
    trap_pdf,
)

IDENTIFIERS = sorted(set(PLANTED), key=len, reverse=True)


@pytest.fixture(scope="module")
def docx_copy():
    source = trap_docx()
    assert planted_in_docx(source)  # the fixture does hold the traps
    copy = attachment_blind_copy(source, "案例全文.docx", IDENTIFIERS)
    assert copy.withheld_reason == ""
    return copy.data


def test_no_planted_identifier_is_left_in_any_xml_part_of_a_blind_docx(docx_copy):
    assert planted_in_docx(docx_copy) == []


def test_the_blind_docx_keeps_the_text_of_every_story(docx_copy):
    everything = "".join(docx_parts(docx_copy).values())
    for text in KEPT:
        assert text in everything, text


def test_a_name_split_across_runs_and_a_spaced_phone_number_are_redacted(docx_copy):
    texts = [p.text for p in docx.Document(io.BytesIO(docx_copy)).paragraphs]
    assert "社工＊＊负责，电话＊＊" in texts


def test_tracked_changes_are_accepted_and_leave_no_author(docx_copy):
    document = docx_parts(docx_copy)["word/document.xml"]
    assert "新增的服务记录" in document and DELETED not in document
    for mark in ("<w:ins ", "<w:del ", "w:delText", "w:rPrChange", "w:author"):
        assert mark not in document, mark


def test_comments_their_authors_and_every_metadata_part_are_gone(docx_copy):
    parts = docx_parts(docx_copy)
    with zipfile.ZipFile(io.BytesIO(docx_copy)) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.startswith(("docProps/", "customXml/")) or "comments" in n or "people" in n]
    assert "commentRangeStart" not in parts["word/document.xml"]
    assert "commentReference" not in parts["word/document.xml"]
    assert "w:author" not in "".join(parts.values())


def test_the_blind_docx_is_a_whole_package_word_can_open(docx_copy):
    """Every relationship and content-type override points at a part that is there."""
    parts = docx_parts(docx_copy)
    with zipfile.ZipFile(io.BytesIO(docx_copy)) as archive:
        names = set(archive.namelist())
    for override in re.findall(r'PartName="/([^"]+)"', parts["[Content_Types].xml"]):
        assert override in names, override
    for rels_name, rels in parts.items():
        if not rels_name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(rels_name))
        for target, mode in re.findall(r'Target="([^"]+)"(?: TargetMode="(\w+)")?', rels):
            if mode != "External":
                assert posixpath.normpath(posixpath.join(folder, target)) in names, (rels_name, target)
    document = docx.Document(io.BytesIO(docx_copy))
    assert document.core_properties.author != "张敏"


def test_a_blind_pdf_has_no_information_dictionary_xmp_comment_or_identifier_in_any_object():
    source = trap_pdf()
    assert planted_in_pdf(source)  # Info and XMP sit in compressed object streams
    copy = attachment_blind_copy(source, "全文.pdf", IDENTIFIERS)
    assert copy.withheld_reason == ""
    assert planted_in_pdf(copy.data) == []
    with pikepdf.open(io.BytesIO(copy.data)) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        assert [annot.Subtype for annot in pdf.pages[0].Annots] == [pikepdf.Name.Link]
        assert b"Case report" in pdf.pages[0].Contents.read_bytes()


def test_a_pdf_whose_page_text_names_the_applicant_is_withheld():
    copy = attachment_blind_copy(pdf_naming_in_text(), "全文.pdf", IDENTIFIERS)
    assert copy.data is None and "PDF 正文中含有申报人身份信息" in copy.withheld_reason


def test_a_pdf_without_identifiers_keeps_its_page():
    copy = attachment_blind_copy(blank_pdf_bytes(), "全文.pdf", IDENTIFIERS)
    with pikepdf.open(io.BytesIO(copy.data)) as pdf:
        assert len(pdf.pages) == 1


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"%PDF-1.4\n% not really\n", "a.pdf", "PDF 文件无法解析"),
        (b"PK\x03\x04 broken", "a.docx", "DOCX 文件无法解析"),
        (b"\xd0\xcf\x11\xe0 old word", "a.doc", "无法安全去除身份信息"),
    ],
)
def test_a_file_that_cannot_be_checked_is_withheld_with_a_reason(data, name, reason):
    copy = attachment_blind_copy(data, name, IDENTIFIERS)
    assert copy.data is None and reason in copy.withheld_reason


def test_a_docx_with_an_embedded_object_is_withheld():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(trap_docx())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", b"PK\x03\x04 a workbook")
    copy = attachment_blind_copy(out.getvalue(), "a.docx", IDENTIFIERS)
    assert copy.data is None and "嵌入" in copy.withheld_reason


def test_printer_settings_which_name_the_authors_printer_are_dropped_not_withheld():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(trap_docx())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("word/printerSettings/printerSettings1.bin", "阳光社会工作服务中心-HP".encode("utf-16-le"))
    copy = attachment_blind_copy(out.getvalue(), "a.docx", IDENTIFIERS)
    assert copy.withheld_reason == ""
    with zipfile.ZipFile(io.BytesIO(copy.data)) as archive:
        assert not [name for name in archive.namelist() if "printerSettings" in name]


def test_an_identifier_that_survives_cleaning_withholds_the_docx():
    """A name in a part the cleaning does not rewrite (here a font part) is caught by the final check."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(trap_docx())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("word/fonts/font1.odttf", "张敏".encode("utf-16-le"))
    copy = attachment_blind_copy(out.getvalue(), "a.docx", IDENTIFIERS)
    assert copy.data is None and "word/fonts/font1.odttf" in copy.withheld_reason


def test_photos_in_a_docx_lose_their_metadata_and_keep_their_pixels_byte_for_byte():
    from PIL import Image, PngImagePlugin

    from reviews.tests.factories import jpeg_bytes

    jpeg = jpeg_bytes(artist="zhangmin@example.cn")
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "zhangmin@example.cn")
    png = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 200, 30)).save(png, format="PNG", pnginfo=text)
    document = docx.Document()
    document.add_picture(io.BytesIO(jpeg))
    document.add_picture(io.BytesIO(png.getvalue()))
    out = io.BytesIO()
    document.save(out)
    copy = attachment_blind_copy(out.getvalue(), "a.docx", IDENTIFIERS)
    assert copy.withheld_reason == ""
    with zipfile.ZipFile(io.BytesIO(copy.data)) as archive:
        media = {name: archive.read(name) for name in archive.namelist() if name.startswith("word/media/")}
    assert len(media) == 2
    for data in media.values():
        assert b"zhangmin" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif() and "Author" not in image.info
    cleaned_jpeg = next(data for data in media.values() if data.startswith(b"\xff\xd8"))
    scan = jpeg.index(b"\xff\xda")
    assert cleaned_jpeg.endswith(jpeg[scan:])  # the compressed pixels are untouched


@pytest.mark.django_db
def test_submitting_a_case_makes_the_blind_copies_of_its_attachments_in_the_background(
    cast, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import services
    from cases.models import CaseAttachment
    from cases.tests.blind_files import pdf_naming_in_text
    from cases.tests.factories import ApplicationFactory

    draft = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a, phone="13712345678")
    assert draft.campaign.blind_review
    kept = CaseAttachment.objects.create(
        application=draft, original_name="全文.docx", content_type="x", file=SimpleUploadedFile("x", trap_docx())
    )
    scan = SimpleUploadedFile("x", pdf_naming_in_text())
    withheld = CaseAttachment.objects.create(application=draft, original_name="扫描.pdf", content_type="x", file=scan)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application_id=draft.pk, by=draft.applicant)
    kept.refresh_from_db()
    withheld.refresh_from_db()
    assert kept.blind_key and kept.blind_file and not kept.blind_withheld_reason
    assert withheld.blind_key and not withheld.blind_file and "PDF 正文" in withheld.blind_withheld_reason


needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None and os.environ.get("CI", "").lower() != "true",
    reason="LibreOffice（soffice）未安装；CI 中必须安装。",
)


@needs_soffice
def test_an_office_suite_opens_the_blind_docx_and_a_pdf_it_writes_of_the_original_is_withheld(tmp_path):
    """LibreOffice, a Word-like tool, renders the blind copy with every story and no identifier; its PDF of the
    original (CID fonts, compressed streams, Author in Info and XMP) names the applicant in its text: withheld."""
    from pypdf import PdfReader

    from awards.documents import docx_to_pdf

    original = trap_docx()
    (tmp_path / "original.docx").write_bytes(original)
    (tmp_path / "blind.docx").write_bytes(attachment_blind_copy(original, "a.docx", IDENTIFIERS).data)
    pdfs = docx_to_pdf([tmp_path / "original.docx", tmp_path / "blind.docx"], tmp_path / "pdf")

    blind_pdf = pdfs[tmp_path / "blind.docx"].read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(blind_pdf)).pages)
    for kept in ("接案评估", "社工＊＊负责", "新增的服务记录", "页眉文字", "页脚文字", "脚注说明", "表格内容"):
        assert kept in text, kept
    assert planted_in_pdf(blind_pdf) == []
    assert attachment_blind_copy(blind_pdf, "a.pdf", IDENTIFIERS).withheld_reason == ""

    original_pdf = pdfs[tmp_path / "original.docx"].read_bytes()
    assert planted_in_pdf(original_pdf)
    copy = attachment_blind_copy(original_pdf, "a.pdf", IDENTIFIERS)
    assert copy.data is None and "PDF 正文中含有申报人身份信息" in copy.withheld_reason
