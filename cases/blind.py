"""Blind copies of case attachments: the file a blind reviewer downloads instead of the applicant's.

A DOCX copy loses every metadata part (core, app, custom properties, thumbnail, custom XML), its comments and
their authors (the people part), and its tracked changes, which are accepted: inserted text stays, deleted text
goes, and no author remains. The applicant's identifiers are then redacted in every story (body, tables,
headers, footers, footnotes, endnotes, text boxes, drawings) on each paragraph's joined text, so a name split
across runs is found, and in every attribute (alt text, hyperlink targets).

A PDF copy loses its document information dictionary, every XMP stream, page-piece data, embedded files, form
fields and annotations other than links; identifiers in strings outside the page content (bookmarks, link
targets) are redacted. A PDF's page text cannot be rewritten safely, so a PDF whose text names the applicant is
withheld.

Whatever cannot be made blind safely is withheld, with a reason for staff: a file that does not parse, an
old-style .doc, a DOCX with embedded objects, and any copy in which an identifier is still found after cleaning.
"""

import hashlib
import io
import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from lxml import etree

from .selectors import identifiers_pattern

NEUTRAL = "＊＊"
# Part of the cache key of every blind copy: bump it when the rules below change, so copies are made anew.
RULES_VERSION = "2"
logger = logging.getLogger(__name__)
# A DOCX that unpacks to more than this is not opened (a zip bomb costs nothing).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


class Withheld(Exception):
    """The attachment cannot be made blind safely; the message says why, for staff."""


@dataclass(frozen=True)
class BlindCopy:
    data: bytes | None
    withheld_reason: str = ""


def blind_copy_key(source: bytes, identifiers: list[str]) -> str:
    digest = hashlib.sha256(RULES_VERSION.encode())
    digest.update(hashlib.sha256(source).digest())
    digest.update("\x00".join(identifiers).encode())
    return digest.hexdigest()


def attachment_blind_copy(data: bytes, original_name: str, identifiers: list[str]) -> BlindCopy:
    """The blind copy of one attachment, or the reason it is withheld."""
    suffix = PurePath(original_name).suffix.lower()
    try:
        if suffix == ".docx":
            return BlindCopy(docx_blind(data, identifiers))
        if suffix == ".pdf":
            return BlindCopy(pdf_blind(data, identifiers))
        if suffix in (".jpg", ".jpeg", ".png"):  # a 申报材料 scan (licence, certificates): it shows who applied
            raise Withheld("图片扫描件（如证书、证照）无法去除其中的身份信息，只供形式审查")
        raise Withheld("此格式（如旧版 .doc）无法安全去除身份信息，请申报人改交 DOCX 或 PDF")
    except Withheld as withheld:
        return BlindCopy(None, str(withheld))
    except Exception:  # a hostile or damaged file must never reach a reviewer because the cleaner tripped
        logger.exception("匿名评审副本生成失败：%s", original_name)
        return BlindCopy(None, "文件无法解析")


# --- finding identifiers ----------------------------------------------------------------------


class _Finder:
    """Finds the identifiers in text and in raw bytes (UTF-8, UTF-16 and GB18030, as files store them)."""

    def __init__(self, identifiers: list[str]):
        self.pattern = identifiers_pattern(identifiers)
        squeezed = {re.sub(r"\s+", "", value) for value in identifiers}
        self.squeezed = identifiers_pattern(sorted((v for v in squeezed if len(v) >= 2), key=len, reverse=True))
        self.encoded = []
        for value in identifiers:
            for encoding in ("utf-8", "utf-16-be", "utf-16-le", "gb18030"):
                try:
                    self.encoded.append(value.encode(encoding))
                except UnicodeEncodeError:
                    pass

    def sub(self, text: str) -> str:
        return self.pattern.sub(NEUTRAL, text) if self.pattern and text else text

    def in_text(self, text: str) -> bool:
        return bool(self.first_in_text(text))

    def first_in_text(self, text: str) -> str:
        """The first identifier found in the text (also when a tool put spaces or line breaks inside it)."""
        if not self.pattern or not text:
            return ""
        found = self.pattern.search(text) or self.squeezed.search(re.sub(r"\s+", "", text))
        return found.group(0) if found else ""

    def in_bytes(self, data: bytes) -> bool:
        return any(value in data for value in self.encoded) or self.in_text(data.decode("utf-8", "ignore"))


# --- DOCX -------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _w(*names: str) -> set[str]:
    return {f"{{{W}}}{name}" for name in names}


# Parts that are metadata, review chatter or the author's printer (its name is in printer settings): never copied.
_DROPPED_PARTS = re.compile(
    r"^(docProps/.*|customXml/.*|word/printerSettings/.*|word/comments[^/]*\.xml|word/people\.xml"
    r"|word/_rels/comments[^/]*\.rels)$",
    re.I,
)
# Parts that hold other files or code: their contents cannot be checked, so the attachment is withheld.
_OPAQUE_PARTS = re.compile(r"(^|/)(embeddings|activeX)/|vbaProject\.bin$|\.bin$", re.I)
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
# Marks of tracked changes and comments that go, with whatever they hold.
_REMOVED_WITH_CONTENT = _w(
    "del", "moveFrom", "delText", "delInstrText", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange",
    "tblPrExChange", "trPrChange", "tcPrChange", "tblGridChange", "numberingChange", "cellIns", "cellDel",
    "cellMerge", "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
    "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
    "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd", "customXmlMoveToRangeStart",
    "customXmlMoveToRangeEnd", "commentRangeStart", "commentRangeEnd", "commentReference",
    "attachedTemplate", "docVars", "mailMerge", "trackRevisions", "rsids",
)  # fmt: skip
# Accepted insertions and moves: the mark goes, its content stays where it was.
_UNWRAPPED = _w("ins", "moveTo")
_PARAGRAPHS = ((f"{{{W}}}p", f"{{{W}}}t"), (f"{{{W}}}p", f"{{{W}}}instrText"), (f"{{{A}}}p", f"{{{A}}}t"))
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)


def docx_blind(data: bytes, identifiers: list[str]) -> bytes:
    """The DOCX without metadata, comments or tracked changes, with the identifiers redacted everywhere."""
    finder = _Finder(identifiers)
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        infos = source.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Withheld("DOCX 文件无法解析") from exc
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise Withheld("DOCX 文件解压后过大，无法检查")
    names = [info.filename for info in infos]
    if "word/document.xml" not in names:
        raise Withheld("DOCX 文件无法解析（缺少正文）")
    dropped = {name for name in names if _DROPPED_PARTS.match(name)}
    if any(_OPAQUE_PARTS.search(name) for name in names if name not in dropped):
        raise Withheld("DOCX 中含有嵌入的对象或宏（如表格、其他文件），无法检查其中的身份信息")
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            name = info.filename
            if name in dropped or name.endswith("/"):
                continue
            try:
                raw = source.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                raise Withheld("DOCX 文件无法解析") from exc
            suffix = PurePath(name).suffix.lower()
            if name.endswith((".xml", ".rels")):
                cleaned = _docx_xml_part(name, raw, dropped, finder)
            elif suffix in _IMAGE_SUFFIXES:
                cleaned = _image_without_metadata(raw, suffix)
            else:
                cleaned = raw
            if finder.in_bytes(cleaned):
                raise Withheld(f"DOCX 的 {name} 中仍有申报人身份信息，无法安全去除")
            # Photos are compressed already: stored as they are, deflating them again costs time and gains nothing.
            target.writestr(name, cleaned, zipfile.ZIP_STORED if suffix in _IMAGE_SUFFIXES else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _docx_xml_part(name: str, raw: bytes, dropped: set[str], finder: _Finder) -> bytes:
    try:
        root = etree.fromstring(raw, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise Withheld("DOCX 文件无法解析") from exc
    if name == "[Content_Types].xml":
        for override in root.findall(f"{{{CT}}}Override"):
            if override.get("PartName", "").lstrip("/") in dropped:
                root.remove(override)
    elif name.endswith(".rels"):
        _drop_relationships(name, root, dropped)
    else:
        _accept_changes_and_drop_comments(root)
        for paragraph_tag, text_tag in _PARAGRAPHS:
            for paragraph in root.iter(paragraph_tag):
                _redact_paragraph(paragraph, paragraph_tag, text_tag, finder)
    for element in root.iter():
        if isinstance(element.tag, str) and element.text and not element.text.isspace():
            element.text = finder.sub(element.text)
        for attribute in list(element.attrib):
            local = etree.QName(attribute).localname
            if local.startswith("rsid"):
                del element.attrib[attribute]  # revision-session ids: noise that links a file to its editor
            else:
                element.set(attribute, finder.sub(element.get(attribute)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_relationships(name: str, root, dropped: set[str]) -> None:
    folder = posixpath.dirname(posixpath.dirname(name))  # word/_rels/document.xml.rels -> word
    for relationship in root.findall(f"{{{REL}}}Relationship"):
        kind = relationship.get("Type", "")
        target = relationship.get("Target", "")
        if relationship.get("TargetMode") == "External":
            resolved = None
        elif target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        if resolved in dropped or kind.endswith(("/attachedTemplate", "/mailMergeSource", "/mailMergeHeaderSource")):
            root.remove(relationship)


def _accept_changes_and_drop_comments(root) -> None:
    for element in list(root.iter(*_UNWRAPPED, *_REMOVED_WITH_CONTENT)):
        parent = element.getparent()
        if parent is None:
            continue
        local = etree.QName(element).localname
        if local == "del" and etree.QName(parent).localname == "trPr":
            row = parent.getparent()  # a deleted table row
            if row is not None and row.getparent() is not None:
                row.getparent().remove(row)
            continue
        if element.tag in _UNWRAPPED and not etree.QName(parent).localname.endswith("Pr"):
            position = parent.index(element)
            for child in reversed(list(element)):
                parent.insert(position, child)
        parent.remove(element)
        if local == "commentReference" and etree.QName(parent).localname == "r":
            if all(etree.QName(child).localname == "rPr" for child in parent if isinstance(child.tag, str)):
                if parent.getparent() is not None:
                    parent.getparent().remove(parent)


def _redact_paragraph(paragraph, paragraph_tag: str, text_tag: str, finder: _Finder) -> None:
    """Redact on the paragraph's joined text and write the result back to its runs: a match goes to the run
    where it starts, and the runs it spanned lose their part of it. Text of paragraphs nested inside (a text
    box in a run) is left to those paragraphs."""
    nodes = [
        node
        for node in paragraph.iter(text_tag)
        if next(node.iterancestors(paragraph_tag), None) is paragraph and node.text
    ]
    if not nodes or finder.pattern is None:
        return
    texts = [node.text for node in nodes]
    joined = "".join(texts)
    matches = list(finder.pattern.finditer(joined))
    if not matches:
        return
    owner = [i for i, text in enumerate(texts) for _ in text]
    pieces = [[] for _ in texts]
    position = 0
    for match in matches:
        for index in range(position, match.start()):
            pieces[owner[index]].append(joined[index])
        pieces[owner[match.start()]].append(NEUTRAL)
        position = match.end()
    for index in range(position, len(joined)):
        pieces[owner[index]].append(joined[index])
    for node, piece in zip(nodes, pieces, strict=True):
        text = "".join(piece)
        if text != node.text:
            node.text = text
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _image_without_metadata(raw: bytes, suffix: str) -> bytes:
    """The image without EXIF, XMP, IPTC, comments or text chunks. The pixels are kept byte for byte (no
    re-encoding, no loss); an image whose structure is not understood is re-encoded instead."""
    try:
        return _jpeg_without_metadata(raw) if suffix in (".jpg", ".jpeg") else _png_without_metadata(raw)
    except ValueError:
        return _image_reencoded(raw, suffix)


# JPEG segments kept: APP0 (JFIF), APP2 (ICC colour profile) and APP14 (Adobe colour transform); every other
# APPn (EXIF, XMP, IPTC, maker notes) and COM go.
_JPEG_KEPT_APPS = {0xE0, 0xE2, 0xEE}


def _jpeg_without_metadata(raw: bytes) -> bytes:
    if raw[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = [raw[:2]]
    position = 2
    while position < len(raw):
        if raw[position] != 0xFF:
            raise ValueError("bad JPEG marker")
        while position + 1 < len(raw) and raw[position + 1] == 0xFF:
            position += 1  # fill bytes
        marker = raw[position + 1] if position + 1 < len(raw) else 0xD9
        if marker in (0xDA, 0xD9):  # start of scan or end: the rest is image data
            out.append(raw[position:])
            return b"".join(out)
        length = int.from_bytes(raw[position + 2 : position + 4], "big")
        if length < 2 or position + 2 + length > len(raw):
            raise ValueError("bad JPEG segment")
        segment = raw[position : position + 2 + length]
        if not (marker == 0xFE or (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEPT_APPS)):
            out.append(segment)
        position += 2 + length
    raise ValueError("JPEG without image data")


_PNG_DROPPED_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def _png_without_metadata(raw: bytes) -> bytes:
    signature = b"\x89PNG\r\n\x1a\n"
    if not raw.startswith(signature):
        raise ValueError("not a PNG")
    out = [signature]
    position = len(signature)
    while position + 12 <= len(raw):
        length = int.from_bytes(raw[position : position + 4], "big")
        kind = raw[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(raw):
            raise ValueError("bad PNG chunk")
        if kind not in _PNG_DROPPED_CHUNKS:
            out.append(raw[position:end])
        position = end
        if kind == b"IEND":
            return b"".join(out)
    raise ValueError("PNG without IEND")


def _image_reencoded(raw: bytes, suffix: str) -> bytes:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            fmt = "PNG" if suffix == ".png" else "JPEG"
            mode = "RGBA" if fmt == "PNG" and image.mode in ("RGBA", "LA", "P") else "RGB"
            out = io.BytesIO()
            image.convert(mode).save(out, format=fmt, quality=90)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise Withheld("DOCX 中的图片无法解析") from exc
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------

_PDF_DROPPED_KEYS = ("/Metadata", "/PieceInfo")


def pdf_blind(data: bytes, identifiers: list[str]) -> bytes:
    """The PDF without its information dictionary, XMP, attachments, forms and comments; withheld when its
    text names the applicant."""
    import pikepdf

    finder = _Finder(identifiers)
    named = finder.first_in_text(_pdf_text(data))
    if named:
        raise Withheld(f"PDF 正文中含有申报人身份信息“{named}”（PDF 正文无法安全改写），请申报人去除后重新上传")
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise Withheld("PDF 已加密，无法检查") from exc
    except pikepdf.PdfError as exc:
        raise Withheld("PDF 文件无法解析") from exc
    with pdf:
        try:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            root = pdf.Root
            for key in ("/AcroForm", "/OpenAction", "/AA"):
                if key in root:
                    del root[key]
            if "/Names" in root:
                for key in ("/EmbeddedFiles", "/JavaScript"):
                    if key in root.Names:
                        del root.Names[key]
            for page in pdf.pages:
                if "/Annots" in page:
                    links = [annot for annot in page.Annots if annot.get("/Subtype") == pikepdf.Name.Link]
                    page.Annots = pdf.make_indirect(pikepdf.Array(links))
            for obj in pdf.objects:
                _pdf_clean_object(obj, finder)
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True, compress_streams=True)
        except (pikepdf.PdfError, ValueError, KeyError, TypeError) as exc:
            raise Withheld("PDF 文件无法解析") from exc
    cleaned = out.getvalue()
    if _pdf_holds(cleaned, finder):
        raise Withheld("PDF 中仍有申报人身份信息，无法安全去除")
    return cleaned


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Withheld("PDF 已加密，无法检查")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Withheld:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file; all mean the same to a reviewer
        raise Withheld("PDF 文件无法解析") from exc


def _pdf_clean_object(obj, finder: _Finder) -> None:
    """Drop metadata keys and redact strings in a dictionary or array, recursing into direct children."""
    import pikepdf

    if isinstance(obj, pikepdf.Stream | pikepdf.Dictionary):
        for name in _PDF_DROPPED_KEYS:
            if name in obj:
                del obj[name]
        for name in list(obj.keys()):
            value = obj.get(name)
            cleaned = _pdf_clean_value(value, finder)
            if cleaned is not value:
                obj[name] = cleaned
    elif isinstance(obj, pikepdf.Array):
        for index in range(len(obj)):
            cleaned = _pdf_clean_value(obj[index], finder)
            if cleaned is not obj[index]:
                obj[index] = cleaned


def _pdf_clean_value(value, finder: _Finder):
    import pikepdf

    if isinstance(value, pikepdf.String):
        text = str(value)
        redacted = finder.sub(text)
        return pikepdf.String(redacted) if redacted != text else value
    if isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect:
        _pdf_clean_object(value, finder)
    return value


def _pdf_holds(data: bytes, finder: _Finder) -> bool:
    """Whether any object of the PDF, its streams decompressed, still holds an identifier."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    content = obj.read_bytes()
                except pikepdf.PdfError:
                    content = obj.read_raw_bytes()
                if finder.in_bytes(content):
                    return True
            if _pdf_value_holds(obj, finder):
                return True
    return False


def _pdf_value_holds(value, finder: _Finder) -> bool:
    import pikepdf

    if isinstance(value, pikepdf.String):
        return finder.in_text(str(value)) or finder.in_bytes(bytes(value))
    if isinstance(value, pikepdf.Name):
        return finder.in_text(str(value))
    if isinstance(value, pikepdf.Stream | pikepdf.Dictionary):
        return any(
            finder.in_text(str(key)) or (not getattr(child, "is_indirect", False) and _pdf_value_holds(child, finder))
            for key, child in value.items()
        )
    if isinstance(value, pikepdf.Array):
        return any(not getattr(child, "is_indirect", False) and _pdf_value_holds(child, finder) for child in value)
    return False
