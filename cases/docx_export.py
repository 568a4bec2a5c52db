"""Word export: an application as the official 昆山市优秀社工案例报名表, then its body and photos.

The layout follows the paper form row by row (seed 000), so a reviewer or the bureau sees the document they know.
`blind=True` leaves out everything that names the applicant or the organisation, for blind review.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

import docx
from django.db.models import QuerySet
from django.utils import timezone
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from PIL import Image, ImageOps

from cases.models import DEFAULT_DOMAINS, Category, Endorsement
from kunshan_portal.selectors import site_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORM_TITLE = "昆山市优秀社工案例报名表"
PLEDGE_TEXT = "所选送案例提供的基本案情、工作过程、案例材料等均来源于实际，内容真实有效。"
PHOTO_NOTE = "注：请另附3-4张服务过程照片，文件不小于2M。"
TEAM_LABELS = ["姓名", "性别", "年龄", "学历", "单位及职务", "从事社会工作年限", "社会工作专业技术等级", "联系方式"]
BLIND_MARK = "（匿名评审，不显示）"

FONT_BODY = "仿宋"
FONT_FORM = "宋体"
FONT_HEADING = "黑体"
COLUMNS = len(TEAM_LABELS)
PHOTO_WIDTH_CM = 14
PHOTO_MAX_HEIGHT_CM = 20
PHOTO_MAX_PIXELS = round(PHOTO_MAX_HEIGHT_CM / 2.54 * 300)  # the longer side at 300 dpi

# Characters that no file system (Windows included) accepts in a name.
_UNSAFE_NAME_RE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')
_NAME_MAX_BYTES = 200  # ext4 and most others allow 255 bytes; room left for "（2）.docx"


# ---------------------------------------------------------------- fonts


def set_east_asian_font(element_with_rpr, name: str) -> None:
    """Sets the Latin and the East Asian font: Word uses w:eastAsia for Chinese characters."""
    rpr = element_with_rpr.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _style_fonts(document) -> None:
    styles = document.styles
    for style_name, font, size, bold in (
        ("Normal", FONT_BODY, 14, False),
        ("Title", FONT_HEADING, 18, True),
        ("Heading 1", FONT_HEADING, 16, True),
        ("Heading 2", FONT_HEADING, 14, True),
        ("Caption", FONT_FORM, 10.5, False),
    ):
        style = styles[style_name]
        style.font.name = font
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        set_east_asian_font(style.element, font)


def _run(paragraph, text: str, *, font: str = FONT_FORM, size: float = 10.5, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    set_east_asian_font(run._element, font)
    return run


# ---------------------------------------------------------------- values


def _date(value) -> str:
    if not value:
        return "    年  月  日"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, SHANGHAI).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _period(application) -> str:
    if not application.period_start and not application.period_end:
        return ""
    start = _date(application.period_start) if application.period_start else "    "
    end = _date(application.period_end) if application.period_end else "    "
    return f"{start}至{end}"


def _choices(options: list[str], chosen: str, per_line: int) -> str:
    marks = [("☑" if option == chosen else "□") + option for option in options]
    return "\n".join("    ".join(marks[i : i + per_line]) for i in range(0, len(marks), per_line))


def _recommendation(application) -> Endorsement | None:
    recommended = [e for e in application.endorsements.all() if e.decision == Endorsement.Decision.RECOMMENDED]
    return max(recommended, key=lambda e: (e.decided_at, e.pk), default=None)


# ---------------------------------------------------------------- the form table


class _Form:
    """The 报名表 as one 8-column table, like the paper form."""

    def __init__(self, document):
        self.table = document.add_table(rows=0, cols=COLUMNS)
        self.table.style = "Table Grid"
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def _fill(self, cell, text: str, *, bold: bool = False, align=None) -> None:
        paragraph = cell.paragraphs[0]
        if align is not None:
            paragraph.alignment = align
        lines = (text or "").split("\n")
        for i, line in enumerate(lines):
            if i:
                paragraph = cell.add_paragraph()
                if align is not None:
                    paragraph.alignment = align
            _run(paragraph, line, bold=bold)

    def _span(self, row, first: int, last: int):
        cell = row.cells[first]
        return cell.merge(row.cells[last]) if last > first else cell

    def label_row(self, label: str, value: str):
        row = self.table.add_row()
        self._fill(row.cells[0], label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._fill(self._span(row, 1, COLUMNS - 1), value)
        return row

    def pair_row(self, label: str, value: str, label2: str, value2: str) -> None:
        row = self.table.add_row()
        self._fill(row.cells[0], label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._fill(self._span(row, 1, 3), value)
        self._fill(self._span(row, 4, 5), label2, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._fill(self._span(row, 6, 7), value2)

    def heading_row(self, label: str) -> None:
        row = self.table.add_row()
        self._fill(self._span(row, 0, COLUMNS - 1), label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    def cells_row(self, values: list[str], *, bold: bool = False) -> None:
        row = self.table.add_row()
        for cell, value in zip(row.cells, values, strict=True):
            self._fill(cell, value, bold=bold, align=WD_ALIGN_PARAGRAPH.CENTER)

    def box_row(self, label: str, lines: list[tuple[str, object]], *, min_lines: int = 0) -> None:
        """A label and a box of text lines; each line is (text, alignment)."""
        row = self.table.add_row()
        self._fill(row.cells[0], label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell = self._span(row, 1, COLUMNS - 1)
        padding = [("", None)] * max(0, min_lines - len(lines))
        for i, (text, align) in enumerate(padding + lines if min_lines else lines):
            paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            if align is not None:
                paragraph.alignment = align
            _run(paragraph, text)


def _team_row(member, *, blind: bool) -> list[str]:
    return [
        BLIND_MARK if blind else member.name,
        member.get_gender_display() if member.gender else "",
        str(member.age) if member.age is not None else "",
        member.education,
        BLIND_MARK if blind else member.unit_and_title,
        f"{member.years_in_social_work}年" if member.years_in_social_work is not None else "",
        member.get_certificate_level_display(),
        BLIND_MARK if blind else member.contact,
    ]


def _add_form(document, application, *, blind: bool, redact) -> None:
    hidden = BLIND_MARK if blind else None
    organisation_name = application.organisation_name or application.organisation.name
    form = _Form(document)
    form.label_row("案例名称", redact(application.title))
    form.pair_row("案例起止时间", _period(application), "申报单位", hidden or application.declaring_unit)
    form.label_row("机构名称", hidden or organisation_name)
    form.pair_row("申报社工姓名", hidden or application.applicant_name, "联系方式（电话）", hidden or application.phone)
    form.pair_row("电子邮箱", hidden or application.email, "QQ", hidden or application.qq)
    form.label_row(
        "案例类别", _choices([label for _, label in Category.choices], application.get_category_display(), 3)
    )
    domains = list(application.campaign.domains or DEFAULT_DOMAINS)
    form.label_row("案例领域", _choices(domains, application.domain, 3))
    form.heading_row("实施团队基本情况")
    form.cells_row(TEAM_LABELS, bold=True)
    members = list(application.team_members.all())
    for member in members:
        form.cells_row(_team_row(member, blind=blind))
    if not members:
        form.cells_row([""] * COLUMNS)

    signature = "" if blind else application.pledge_signature
    form.box_row(
        "真实情况承诺",
        [
            (PLEDGE_TEXT, None),
            (f"签名：{signature}", WD_ALIGN_PARAGRAPH.RIGHT),
            (_date(application.pledged_at) if application.pledge_accepted else _date(None), WD_ALIGN_PARAGRAPH.RIGHT),
        ],
    )
    endorsement = _recommendation(application)
    recommendation_lines = [(redact(endorsement.opinion), None)] if endorsement else []
    if endorsement and not blind:
        recommendation_lines.append((f"推荐人：{endorsement.decided_by.name}", WD_ALIGN_PARAGRAPH.RIGHT))
    unit = "" if blind else organisation_name
    recommendation_lines += [
        (f"单位（盖章）{unit}", WD_ALIGN_PARAGRAPH.RIGHT),
        (_date(endorsement.decided_at if endorsement else None), WD_ALIGN_PARAGRAPH.RIGHT),
    ]
    form.box_row("所在单位推荐意见", recommendation_lines, min_lines=4)
    form.box_row("专家评审意见", [("年   月   日", WD_ALIGN_PARAGRAPH.RIGHT)], min_lines=5)
    for row in form.table.rows:
        row.cells[0].width = Cm(2.6)
    _run(document.add_paragraph(), PHOTO_NOTE, size=10.5)


# ---------------------------------------------------------------- body and photos


def _add_body(document, application, *, redact) -> None:
    document.add_page_break()
    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, redact(application.title) or "（正文部分）", font=FONT_HEADING, size=18, bold=True)
    for _, heading, text in application.sections():
        _run(document.add_heading(level=1), heading, font=FONT_HEADING, size=16, bold=True)
        for line in (text or "").splitlines():
            if not line.strip():
                continue
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(28)
            paragraph.paragraph_format.line_spacing = 1.5
            _run(paragraph, redact(line.strip()), font=FONT_BODY, size=14)


def _picture_for_print(data: bytes) -> tuple[io.BytesIO, bool]:
    """The photo scaled to 300 dpi at its printed size, so that five 20 MB originals make a mailable file.

    Returns the picture and whether its height, not its width, is the limit on the page.
    """
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        portrait = img.height / img.width > PHOTO_MAX_HEIGHT_CM / PHOTO_WIDTH_CM
        img.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
        out = io.BytesIO()
        if img.mode in ("RGBA", "LA", "P"):
            img.save(out, "PNG")
        else:
            img.convert("RGB").save(out, "JPEG", quality=85)
    out.seek(0)
    return out, portrait


def _add_photos(document, application, *, redact) -> None:
    photos = list(application.photos.all())
    if not photos:
        return
    _run(document.add_heading(level=1), "服务照片", font=FONT_HEADING, size=16, bold=True)
    for number, photo in enumerate(photos, start=1):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        try:
            with photo.image.open("rb") as stored:
                picture, portrait = _picture_for_print(stored.read())
        except (OSError, ValueError, Image.DecompressionBombError):
            _run(paragraph, "（照片文件缺失）", size=10.5)
        else:
            run = paragraph.add_run()
            if portrait:
                run.add_picture(picture, height=Cm(PHOTO_MAX_HEIGHT_CM))
            else:
                run.add_picture(picture, width=Cm(PHOTO_WIDTH_CM))
        caption = document.add_paragraph(style="Caption")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(caption, f"图{number}　{redact(photo.caption)}".rstrip(), size=10.5)


def _keep(text: str) -> str:
    return text


def _redactor(application):
    """Blanks, in free text, every name and contact the form itself leaves out in blind mode."""
    from .selectors import application_identifiers, identifiers_pattern

    pattern = identifiers_pattern(application_identifiers(application))
    if pattern is None:
        return _keep
    return lambda text: pattern.sub("***", text or "")


def _neutral_properties(document, application, *, blind: bool) -> None:
    """Core properties that never carry the server's user name, nor the applicant's in blind mode."""
    properties = document.core_properties
    portal_name = site_settings().name  # the bureau's portal (站点设置), not a constant
    properties.author = portal_name
    properties.last_modified_by = portal_name
    properties.title = FORM_TITLE if blind else f"{FORM_TITLE}：{application.title}"
    properties.subject = ""
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""
    properties.revision = 1
    now = timezone.now().replace(microsecond=0)
    properties.created = now
    properties.modified = now


def _a4_document():
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.5)
    _style_fonts(document)
    return document


def _cell(cell, text: str, *, bold: bool = False) -> None:
    cell.text = ""
    _run(cell.paragraphs[0], text, bold=bold)


def defined_form_docx(application, *, blind: bool = False) -> bytes:
    """A defined form's application as a .docx: its fields as a two-column table per section, its body sections
    under their headings, then the photos. `blind` leaves out the personal fields and blanks identifiers."""
    from .formdef import answers_for_display, campaign_definition

    document = _a4_document()
    properties_title = f"{application.campaign.title}申报表"
    _neutral_properties(document, application, blind=blind)
    document.core_properties.title = properties_title if blind else f"{properties_title}：{application.title}"
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, properties_title, font=FONT_HEADING, size=18, bold=True)
    if application.reference:
        reference = document.add_paragraph()
        reference.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(reference, f"申报编号：{application.reference}")
    redact = _redactor(application) if blind else _keep
    definition = campaign_definition(application.campaign)
    for section in answers_for_display(definition, application.answers, hide_personal=blind, redact=redact):
        if section["kind"] == "body":
            for row in section["rows"]:
                _run(document.add_heading(level=1), row["label"], font=FONT_HEADING, size=16, bold=True)
                for line in (row["text"] or "").splitlines():
                    if line.strip():
                        paragraph = document.add_paragraph()
                        paragraph.paragraph_format.first_line_indent = Pt(28)
                        paragraph.paragraph_format.line_spacing = 1.5
                        _run(paragraph, line.strip(), font=FONT_BODY, size=14)
            continue
        if not section["rows"]:
            continue
        _run(document.add_heading(level=2), section["title"], font=FONT_HEADING, size=14, bold=True)
        simple = [row for row in section["rows"] if row["type"] != "table"]
        if simple:
            table = document.add_table(rows=len(simple), cols=2)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cells, row in zip(table.rows, simple, strict=True):
                _cell(cells.cells[0], row["label"], bold=True)
                _cell(cells.cells[1], row["text"])
        for row in section["rows"]:
            if row["type"] != "table":
                continue
            _run(document.add_paragraph(), row["label"], bold=True)
            table = document.add_table(rows=1 + len(row["rows"]), cols=max(1, len(row["columns"])))
            table.style = "Table Grid"
            for cell, label in zip(table.rows[0].cells, row["columns"], strict=False):
                _cell(cell, label, bold=True)
            for cells, values in zip(table.rows[1:], row["rows"], strict=True):
                for cell, value in zip(cells.cells, values, strict=False):
                    _cell(cell, value)
    _add_photos(document, application, redact=redact)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def application_docx(application, *, blind: bool = False) -> bytes:
    """The application as a .docx laid out like the official 报名表; `blind` omits who filed it. A campaign
    whose form is defined as data gets the generic layout (defined_form_docx)."""
    if application.campaign.uses_defined_form:
        return defined_form_docx(application, blind=blind)
    document = _a4_document()
    _neutral_properties(document, application, blind=blind)

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, FORM_TITLE, font=FONT_HEADING, size=18, bold=True)
    if application.reference:
        reference = document.add_paragraph()
        reference.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(reference, f"申报编号：{application.reference}")
    redact = _redactor(application) if blind else _keep
    _add_form(document, application, blind=blind, redact=redact)
    _add_body(document, application, redact=redact)
    _add_photos(document, application, redact=redact)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- names and the ZIP


def _safe_name(stem: str) -> str:
    stem = unicodedata.normalize("NFC", stem)
    stem = _UNSAFE_NAME_RE.sub("", stem).strip().strip(".").strip()
    encoded = stem.encode("utf-8")[:_NAME_MAX_BYTES]
    return encoded.decode("utf-8", errors="ignore").strip()


def application_docx_filename(application, *, blind: bool = False) -> str:
    """案例名称+组织名称+负责人个人姓名.docx, as the notice asks; the reference alone when blind."""
    fallback = application.reference or f"申报案例{application.pk or ''}"
    if blind:
        stem = _safe_name(fallback)
    else:
        parts = [
            application.title or "未命名案例",
            application.organisation_name or application.organisation.name,
            application.applicant_name or application.applicant.name,
        ]
        stem = _safe_name("+".join(_safe_name(part) for part in parts if _safe_name(part)))
    return f"{stem or _safe_name(fallback) or '申报案例'}.docx"


def export_queryset(applications: QuerySet) -> QuerySet:
    """Applications with everything the export reads, in a fixed number of queries."""
    # Plain lookups (no Prefetch objects) so that applying this twice is harmless.
    return applications.select_related("campaign", "organisation", "applicant").prefetch_related(
        "team_members", "photos", "endorsements__decided_by"
    )


def write_applications_zip(
    fileobj, applications: Iterable, *, blind: bool = False, progress: Callable[[int], None] | None = None
) -> int:
    """Writes one ZIP of the applications' .docx files, each under a unique name, into `fileobj`.

    Entry by entry: only one application's .docx is in memory at a time, so a file on disk keeps a
    campaign of any size out of memory. `progress(n)` is called after the n-th entry is written.
    Returns the number of entries.
    """
    if isinstance(applications, QuerySet):
        applications = export_queryset(applications)
    used: set[str] = set()
    count = 0
    # A .docx is already compressed: storing it is as small and much faster.
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as archive:
        for application in applications:
            name = application_docx_filename(application, blind=blind)
            stem, n = name[: -len(".docx")], 1
            while name.casefold() in used:
                n += 1
                name = f"{stem}（{n}）.docx"
            used.add(name.casefold())
            archive.writestr(name, application_docx(application, blind=blind))
            count += 1
            if progress is not None:
                progress(count)
    return count


def applications_zip(applications: Iterable, *, blind: bool = False) -> bytes:
    """One ZIP of the applications' .docx files, in memory (small sets; a campaign goes through CaseExport)."""
    out = io.BytesIO()
    write_applications_zip(out, applications, blind=blind)
    return out.getvalue()
