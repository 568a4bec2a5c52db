"""Case files as a reviewer receives them: under neutral names and, in a blind review, without the
applicant's identifying strings in their metadata."""

import io
from pathlib import PurePath

from PIL import Image

NEUTRAL = "＊"


def photo_bytes_blind(fileobj) -> tuple[bytes, str]:
    """Re-encode a photo so no EXIF, XMP or comment survives; returns (bytes, content type)."""
    with Image.open(fileobj) as image:
        fmt = "PNG" if image.format == "PNG" else "JPEG"
        clean = image.convert("RGBA" if fmt == "PNG" and image.mode in ("RGBA", "LA", "P") else "RGB")
        out = io.BytesIO()
        clean.save(out, format=fmt, quality=90)
    return out.getvalue(), "image/png" if fmt == "PNG" else "image/jpeg"


def _docx_blind(data: bytes, identifiers: list[str]) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(data))
    props = document.core_properties
    for name in ("author", "last_modified_by", "title", "subject", "keywords", "comments", "category"):
        setattr(props, name, "")
    for paragraph in _all_paragraphs(document):
        for run in paragraph.runs:
            text = run.text
            for value in identifiers:
                text = text.replace(value, NEUTRAL * 2)
            if text != run.text:
                run.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in document.sections:
        for part in (section.header, section.footer):
            yield from part.paragraphs


def _same_length_scrub(data: bytes, identifiers: list[str]) -> bytes:
    """Overwrite each identifier in UTF-8, UTF-16 (big and little endian) and PDF hex strings with bytes of the
    same length, so a PDF's cross-reference offsets stay valid. Compressed streams are not touched."""
    for value in identifiers:
        for encoded in (
            value.encode("utf-8"),
            value.encode("utf-16-be"),
            value.encode("utf-16-le"),
            value.encode("utf-16-be").hex().encode(),
            value.encode("utf-16-be").hex().upper().encode(),
        ):
            data = data.replace(encoded, b"*" * len(encoded))
    return data


def attachment_blind(data: bytes, original_name: str, identifiers: list[str]) -> bytes:
    suffix = PurePath(original_name).suffix.lower()
    if suffix == ".docx":
        try:
            return _docx_blind(data, identifiers)
        except Exception:  # a file python-docx cannot read still gets the byte scrub below
            pass
    return _same_length_scrub(data, identifiers)


def neutral_name(position: int, original_name: str) -> str:
    return f"附件{position}{PurePath(original_name).suffix.lower()[:10]}"
