"""Word and PDF documents: the certificate (荣誉证书) and the publicity list (公示名单).

A certificate is produced from a per-campaign master .docx built once with python-docx: the master holds
tokens (@@NAME@@ ...) and a placeholder QR image; each certificate is the master's ZIP with the tokens
replaced (XML-escaped) and the QR image swapped. That keeps a batch far above 50 certificates per second
while every document is still a real python-docx document with East Asian fonts set (w:eastAsia).

PDFs come from LibreOffice headless, several documents per call, each call with its own profile directory
(two soffice processes sharing a profile block each other).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from cases.docx_export import set_east_asian_font

FONT_TITLE = "华文中宋"
FONT_BODY = "仿宋"
FONT_HEI = "黑体"
# LibreOffice has none of the Windows fonts; it falls back through fontconfig to Noto CJK, which is installed.

TOKENS = ("NAME", "CASE_TITLE", "TIER", "ORGANISATION", "DATE", "ISSUER", "NUMBER", "URL", "CAMPAIGN")
PLACEHOLDERS = {
    "campaign": "@@CAMPAIGN@@",
    "name": "@@NAME@@",
    "case_title": "@@CASE_TITLE@@",
    "tier": "@@TIER@@",
    "organisation": "@@ORGANISATION@@",
    "date": "@@DATE@@",
    "issuer": "@@ISSUER@@",
}


def set_run_font(run, name: str, size: float | None = None, bold: bool = False, color: RGBColor | None = None):
    """Latin and East Asian font both: Word picks w:eastAsia for Chinese characters."""
    run.font.name = name
    set_east_asian_font(run._element, name)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def qr_png(url: str) -> bytes:
    qr = qrcode.QRCode(border=1, box_size=6, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(url)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image().save(out)
    return out.getvalue()


def _float_behind(inline, *, width, height) -> None:
    """Turns an inline picture into one anchored at the page's top-left corner, behind the text."""
    graphic = inline.find(qn("a:graphic"))
    doc_pr = inline.find(qn("wp:docPr"))
    anchor = parse_xml(
        f'<wp:anchor {nsdecls("wp", "a", "pic", "r")} distT="0" distB="0" distL="0" distR="0" '
        'simplePos="0" relativeHeight="0" behindDoc="1" locked="1" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="page"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="page"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{int(width)}" cy="{int(height)}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/></wp:anchor>'
    )
    anchor.append(copy.deepcopy(doc_pr))
    anchor.append(parse_xml(f"<wp:cNvGraphicFramePr {nsdecls('wp')}/>"))
    anchor.append(copy.deepcopy(graphic))
    inline.getparent().replace(inline, anchor)


@dataclass
class TemplateData:
    title: str
    body: str
    background: bytes | None = None
    seal: bytes | None = None
    portal: str = ""  # the portal's name (站点设置): the document's author tool, never the library's


PLACEHOLDER_QR = qr_png("@@URL@@")


def build_master(template: TemplateData) -> bytes:
    """The campaign's master certificate with tokens in place of every per-certificate value."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(3.2)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(1.6)
    style = document.styles["Normal"]
    style.font.name = FONT_BODY
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_BODY)

    if template.background:
        run = section.header.paragraphs[0].add_run()
        shape = run.add_picture(io.BytesIO(template.background), width=section.page_width, height=section.page_height)
        _float_behind(shape._inline, width=section.page_width, height=section.page_height)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(18)
    set_run_font(title.add_run(template.title), FONT_TITLE, 40, bold=True, color=RGBColor(0xB0, 0x1E, 0x1E))

    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_run_font(number.add_run("证书编号：@@NUMBER@@"), FONT_BODY, 11)

    values = {key: value for key, value in PLACEHOLDERS.items()}
    body = template.body.format_map(_Keep(values))
    for line in body.splitlines() or [""]:
        p = document.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(36) if line and not line.endswith("：") else None
        p.paragraph_format.line_spacing = 1.6
        set_run_font(p.add_run(line), FONT_BODY, 20)

    # Issuer and date on the right, the seal beside them; the QR code and its words on the left.
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(8), Cm(15)
    qr_par = left.paragraphs[0]
    qr_par.add_run().add_picture(io.BytesIO(PLACEHOLDER_QR), width=Cm(3))
    hint = left.add_paragraph()
    set_run_font(hint.add_run("扫码验证证书真伪"), FONT_BODY, 9)
    for text in ("@@ISSUER@@", "@@DATE@@"):
        p = right.add_paragraph() if right.paragraphs[0].text or text == "@@DATE@@" else right.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        set_run_font(p.add_run(text), FONT_BODY, 18)
    if template.seal:
        p = right.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run().add_picture(io.BytesIO(template.seal), width=Cm(3.6))
    # The document's properties name the certificate, its campaign, the issuing body and the portal (the
    # tokens are filled per certificate like the text), not python-docx; LibreOffice carries them into the PDF.
    set_core_properties(
        document,
        title=f"{template.title} @@NUMBER@@",
        subject="@@CAMPAIGN@@",
        author="@@ISSUER@@",
        portal=template.portal,
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def set_core_properties(document, *, title: str, subject: str, author: str, portal: str) -> None:
    properties = document.core_properties
    properties.title = title
    properties.subject = subject
    properties.author = author
    properties.last_modified_by = portal
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""
    properties.revision = 1
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    properties.created = now
    properties.modified = now


class _Keep(dict):
    """format_map that leaves an unknown {placeholder} as it was typed instead of failing."""

    def __missing__(self, key):
        return "{" + key + "}"


def _qr_entry(master: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(master)) as z:
        for name in z.namelist():
            if name.startswith("word/media/") and z.read(name) == PLACEHOLDER_QR:
                return name
    raise ValueError("master certificate has no QR placeholder")


class CertificateRenderer:
    """Fills the master for one certificate after another."""

    def __init__(self, master: bytes):
        self.master = master
        self.qr_name = _qr_entry(master)
        with zipfile.ZipFile(io.BytesIO(master)) as z:
            self.entries = [(info, z.read(info.filename)) for info in z.infolist()]

    def render(self, values: dict[str, str]) -> bytes:
        replacements = {f"@@{k}@@".encode(): escape(v).encode("utf-8") for k, v in values.items()}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in self.entries:
                if info.filename == self.qr_name:
                    data = qr_png(values["URL"])
                elif info.filename.endswith(".xml") and b"@@" in data:
                    for token, value in replacements.items():
                        data = data.replace(token, value)
                z.writestr(info, data)
        return out.getvalue()


# ------------------------------------------------------------------------- PDF


class PdfConversionError(RuntimeError):
    pass


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


CONVERTER_GUARD = Path(__file__).with_name("converter_guard.py")


def _run_guarded(command: list[str], *, timeout: int) -> bytes:
    """Run the converter in its own process group under converter_guard.py, which kills the group when this
    process dies (a SIGKILLed worker leaves no LibreOffice behind); on a timeout the group is killed here.
    Returns the converter's stderr."""
    process = subprocess.Popen(
        # -I: isolated, so the guard's folder (awards/, with its selectors.py) does not shadow the standard library.
        [sys.executable, "-I", str(CONVERTER_GUARD), str(os.getpid()), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        return process.communicate(timeout=timeout)[1]
    except BaseException:
        # Still unreaped, so its process group id cannot have been reused: the kill reaches only the converter.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise


def docx_to_pdf(docx_files: list[Path], out_dir: Path, *, timeout: int = 300) -> dict[Path, Path]:
    """Converts several .docx files with one LibreOffice process and its own throw-away profile.

    Returns {docx: pdf}. Raises PdfConversionError when LibreOffice is missing or a PDF did not appear.
    """
    binary = soffice_path()
    if binary is None:
        raise PdfConversionError("未安装 LibreOffice（soffice），无法生成 PDF。")
    if not docx_files:
        return {}
    profile = Path(tempfile.gettempdir()) / f"kp-lo-{os.getpid()}-{uuid.uuid4().hex}"
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        binary,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(out_dir),
        *[str(p) for p in docx_files],
    ]
    try:
        stderr = _run_guarded(command, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = {}
    for docx in docx_files:
        pdf = out_dir / (docx.stem + ".pdf")
        if not pdf.exists():
            raise PdfConversionError(f"LibreOffice 未能转换 {docx.name}：{stderr.decode(errors='replace')[-500:]}")
        pdfs[docx] = pdf
    return pdfs


@dataclass
class PdfMetadata:
    title: str
    author: str  # the issuing body
    subject: str  # the campaign
    portal: str  # Creator and Producer: the portal that made the file


def pdf_set_metadata(path: Path, metadata: PdfMetadata) -> None:
    """Rewrites a PDF's document information and XMP so that they name the certificate, the campaign, the
    issuing body and the portal: LibreOffice writes "Writer" and "LibreOffice 7.x" there."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:title"] = metadata.title
            xmp["dc:creator"] = [metadata.author]
            xmp["dc:description"] = metadata.subject
            xmp["xmp:CreatorTool"] = metadata.portal
            xmp["pdf:Producer"] = metadata.portal
        info = pdf.docinfo
        info[pikepdf.Name.Title] = metadata.title
        info[pikepdf.Name.Author] = metadata.author
        info[pikepdf.Name.Subject] = metadata.subject
        info[pikepdf.Name.Creator] = metadata.portal
        info[pikepdf.Name.Producer] = metadata.portal
        pdf.save(path)


# ------------------------------------------------------------------- publicity list


LIST_HEADERS = (
    "序号",
    "申报编号",
    "案例名称",
    "申报单位 / 机构名称",
    "申报社工姓名",
    "案例类别",
    "案例领域",
    "奖项等级",
)
# Column widths (cm) of the list, summing to the landscape A4 text width (29.7 − 2 × 2): 案例名称 is the long
# text of a row, so it gets the most room, then the unit names; short codes and labels get what they need.
LIST_WIDTHS_CM = (1.3, 3.1, 7.6, 4.6, 2.2, 1.5, 2.9, 2.5)


def list_headers_and_widths(*, noun: str, answer_headings: list[str]) -> tuple[tuple, tuple]:
    """The list's columns for a campaign with its own form: its noun's name, 申报单位, the form's public fields
    (cases.formdef.public_fields) and the tier; the name keeps the most room, the rest share what is left."""
    headers = ("序号", "申报编号", f"{noun}名称", "申报单位", *answer_headings, "奖项等级")
    fixed = (1.3, 3.1, 4.6, 2.5)  # 序号, 申报编号, 申报单位, 奖项等级
    room = 29.7 - 4 - sum(fixed)
    each = round(min(3.0, (room - 6.0) / len(answer_headings)), 2) if answer_headings else 0
    name = round(room - each * len(answer_headings), 2)
    widths = (fixed[0], fixed[1], name, fixed[2], *([each] * len(answer_headings)), fixed[3])
    return headers, widths


def publicity_list_docx(
    *,
    title: str,
    lines: list[str],
    rows: list[tuple],
    headers: tuple = LIST_HEADERS,
    widths: tuple = LIST_WIDTHS_CM,
    issuer: str = "",
    portal: str = "",
    campaign: str = "",
) -> bytes:
    """The publicity (or results) list as a Word table, for the bureau's own website. `headers` and `widths`
    default to the case award's notice (LIST_HEADERS); a campaign with its own form passes its own
    (list_headers_and_widths)."""
    document = Document()
    set_core_properties(document, title=title, subject=campaign, author=issuer, portal=portal)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2)
    style = document.styles["Normal"]
    style.font.name = FONT_BODY
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_BODY)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(heading.add_run(title), FONT_TITLE, 20, bold=True)
    for line in lines:
        set_run_font(document.add_paragraph().add_run(line), FONT_BODY, 12)
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False  # fixed layout: Word and LibreOffice keep the widths below
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        set_run_font(cell.paragraphs[0].add_run(text), FONT_HEI, 11, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            set_run_font(cell.paragraphs[0].add_run(str(text)), FONT_BODY, 11)
    for row in table.rows:  # each cell carries its width too: LibreOffice reads the cells, Word the grid
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_bytes_to_pdf(data: bytes, stem: str = "list", *, metadata: PdfMetadata | None = None) -> bytes:
    with tempfile.TemporaryDirectory(prefix="kp-pdf-") as tmp:
        source = Path(tmp) / f"{stem}.docx"
        source.write_bytes(data)
        pdf = docx_to_pdf([source], Path(tmp) / "out")[source]
        if metadata is not None:
            pdf_set_metadata(pdf, metadata)
        return pdf.read_bytes()
