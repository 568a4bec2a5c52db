"""Attachments as Word-like tools write them, with every trap that leaks who wrote them.

`trap_docx` is a python-docx file edited at the XML level the way Word saves it: core, app (Company, Manager)
and custom properties, a comment with its author (and a people part), tracked insertions and deletions with
their authors, a name split across runs, identifiers in a header, a footer, a footnote, a text box, a table,
alt text and a mailto: hyperlink. `trap_pdf` has Author/Creator in the information dictionary and XMP, written
in compressed object streams, a bookmark, a comment annotation and a mailto: link; `pdf_naming_in_text` has a
phone number in its page text, which cannot be rewritten safely.
"""

import io
import zipfile

import docx
import pikepdf
from docx.oxml import parse_xml

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

# The identifiers of the blind review fixture (see reviews/tests/test_blind.py): applicant 张敏, org 阳光社会工作
# 服务中心, phone 13712345678, e-mail zhangmin@example.cn, QQ 87654321, team member 李小红 (13600001234).
NAME, ORG, MEMBER = "张敏", "阳光社会工作服务中心", "李小红"
PHONE, EMAIL, QQ = "13712345678", "zhangmin@example.cn", "87654321"
PLANTED = [NAME, ORG, PHONE, EMAIL, QQ, MEMBER, "13600001234"]
KEPT = ["接案评估", "新增的服务记录", "页眉文字", "页脚文字", "脚注说明", "文本框内容", "表格内容"]
DELETED = "被删除的旧段落"


def _paragraph(text_runs: list[str]) -> str:
    runs = "".join(f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>' for text in text_runs)
    return f"<w:p {W_NS}>{runs}</w:p>"


def _append(body, element) -> None:
    body[-1].addprevious(element)  # before the closing section properties, as Word writes it


def trap_docx() -> bytes:
    document = docx.Document()
    props = document.core_properties
    props.author = NAME
    props.last_modified_by = MEMBER
    props.title = f"{ORG}案例"
    props.comments = PHONE
    body = document.element.body

    # A name split across runs, as Word writes it after an edit: 社工张 | 敏负责.
    document.add_paragraph("接案评估")
    split = document.add_paragraph()
    split.add_run("社工张")
    split.add_run("敏负责").bold = True
    split.add_run("，电话137 1234 5678")
    # A comment with its author.
    commented = document.add_paragraph()
    run = commented.add_run("服务对象的需求")
    document.add_comment(run, text=f"请{MEMBER}核对", author=NAME, initials="ZM")
    # Tracked changes: an insertion and a deletion, each with an author.
    _append(
        body,
        parse_xml(
            f'<w:p {W_NS}><w:ins w:id="901" w:author="{NAME}" w:date="2026-03-01T10:00:00Z"><w:r>'
            f"<w:t>新增的服务记录</w:t></w:r></w:ins>"
            f'<w:del w:id="902" w:author="{MEMBER}" w:date="2026-03-01T10:00:00Z"><w:r>'
            f"<w:delText>{DELETED}{ORG}</w:delText></w:r></w:del>"
            f'<w:r><w:rPr><w:rPrChange w:id="903" w:author="{NAME}" w:date="2026-03-01T10:00:00Z"><w:rPr/>'
            f"</w:rPrChange></w:rPr><w:t>格式修订</w:t></w:r></w:p>"
        ),
    )
    # A text box (VML, as Word keeps for compatibility) with the member's name split across runs.
    _append(
        body,
        parse_xml(
            f'<w:p {W_NS} xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:pict><v:shape><v:textbox>'
            f"<w:txbxContent>{_paragraph(['文本框内容', '李小', '红'])}</w:txbxContent>"
            f"</v:textbox></v:shape></w:pict></w:r><w:r><w:t>外层段落</w:t></w:r></w:p>"
        ),
    )
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "表格内容"
    table.cell(0, 1).text = f"QQ {QQ}"
    # A mailto: hyperlink to the applicant.
    rel = document.part.relate_to(f"mailto:{EMAIL}", docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    _append(
        body,
        parse_xml(
            f'<w:p {W_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<w:hyperlink r:id="{rel}"><w:r><w:t>联系邮箱</w:t></w:r></w:hyperlink></w:p>'
        ),
    )
    section = document.sections[0]
    section.header.paragraphs[0].text = f"页眉文字 {ORG}"
    footer = section.footer.paragraphs[0]
    footer.add_run("页脚文字 阳光社会")
    footer.add_run("工作服务中心")
    out = io.BytesIO()
    document.save(out)
    return _with_raw_parts(out.getvalue())


_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    f"<Application>Microsoft Office Word</Application><Company>{ORG}</Company><Manager>{MEMBER}</Manager>"
    "</Properties>"
)
_CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="联系人">'
    f"<vt:lpwstr>{NAME} {PHONE}</vt:lpwstr></property></Properties>"
)
_PEOPLE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
    f'<w15:person w15:author="{NAME}"><w15:presenceInfo w15:providerId="None" w15:userId="{EMAIL}"/>'
    "</w15:person></w15:people>"
)
_FOOTNOTES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f"<w:footnotes {W_NS}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote>"
    '<w:footnote w:id="1"><w:p><w:r><w:t>脚注说明 联系人张</w:t></w:r><w:r><w:t>敏 zhangmin@</w:t></w:r>'
    "<w:r><w:t>example.cn</w:t></w:r></w:p></w:footnote></w:footnotes>"
)


def _with_raw_parts(data: bytes) -> bytes:
    """Add what python-docx does not write: app.xml Company/Manager, custom.xml, people.xml, footnotes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            raw = source.read(info)
            if info.filename == "docProps/app.xml":
                raw = _APP_XML.encode()
            elif info.filename == "[Content_Types].xml":
                raw = raw.replace(
                    b"</Types>",
                    b'<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.custom-properties+xml"/>'
                    b'<Override PartName="/word/people.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.wordprocessingml.people+xml"/>'
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif info.filename == "_rels/.rels":
                raw = raw.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
                )
            elif info.filename == "word/_rels/document.xml.rels":
                raw = raw.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdPeople" Type="http://schemas.microsoft.com/office/2011/relationships/'
                    b'people" Target="people.xml"/>'
                    b'<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
                )
            elif info.filename == "word/document.xml":
                raw = raw.replace(
                    "接案评估</w:t></w:r>".encode(),
                    '接案评估</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>'.encode(),
                    1,
                )
            target.writestr(info, raw)
        target.writestr("docProps/custom.xml", _CUSTOM_XML)
        target.writestr("word/people.xml", _PEOPLE_XML)
        target.writestr("word/footnotes.xml", _FOOTNOTES_XML)
    return out.getvalue()


def docx_parts(data: bytes) -> dict[str, str]:
    """Every XML part of a DOCX, as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith((".xml", ".rels"))
        }


# --- PDF --------------------------------------------------------------------------------------


def _pdf_with_page(text: str) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    content = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=content,
    )
    pdf.pages.append(pikepdf.Page(page))
    return pdf


def _save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


def blank_pdf_bytes() -> bytes:
    return _save(_pdf_with_page("Case report"))


def trap_pdf() -> bytes:
    """Page text with no identifier; identifiers in Info, XMP, a bookmark, a comment and a link."""
    pdf = _pdf_with_page("Case report: service plan and evaluation")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [NAME]
        meta["dc:title"] = f"{ORG}案例"
        meta["xmp:CreatorTool"] = ORG
    pdf.docinfo["/Author"] = NAME
    pdf.docinfo["/Creator"] = ORG
    pdf.docinfo["/Keywords"] = f"{MEMBER} {PHONE} {QQ}"
    page = pdf.pages[0]
    page.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Text,
                    Rect=[100, 100, 120, 120],
                    T=pikepdf.String(NAME),
                    Contents=pikepdf.String(f"请{MEMBER}核对"),
                ),
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[72, 700, 300, 730],
                    A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(f"mailto:{EMAIL}")),
                ),
            ]
        )
    )
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem(f"{MEMBER}的服务记录", 0))
    return _save(pdf)


def pdf_naming_in_text() -> bytes:
    return _save(_pdf_with_page(f"Contact: {PHONE}"))


def pdf_objects_text(data: bytes) -> list[bytes]:
    """Every object of a PDF as bytes: strings decoded to UTF-8 and streams decompressed."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                found.append(obj.read_bytes())
            if isinstance(obj, pikepdf.Object):
                found.append(obj.unparse(resolved=True))
            found.extend(_strings(obj))
        found.extend(_strings(pdf.trailer))
    return found


def _strings(value) -> list[bytes]:
    if isinstance(value, pikepdf.String):
        return [str(value).encode("utf-8"), bytes(value)]
    if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
        return [s for child in value.values() if not getattr(child, "is_indirect", False) for s in _strings(child)]
    if isinstance(value, pikepdf.Array):
        return [s for child in value if not getattr(child, "is_indirect", False) for s in _strings(child)]
    return []


def planted_in_pdf(data: bytes) -> list[str]:
    chunks = pdf_objects_text(data)
    return [
        value
        for value in PLANTED
        if any(value.encode(encoding) in chunk for chunk in chunks for encoding in ("utf-8", "utf-16-be", "utf-16-le"))
    ]


def planted_in_docx(data: bytes) -> list[tuple[str, str]]:
    return [(name, value) for name, text in docx_parts(data).items() for value in PLANTED if value in text]
