"""Upload checks shared by case photos, attachments and the festival's activity-report photos.

A file is judged by its content, never by its name or the browser's content type. A photo is re-encoded, so
what is stored is pixels only: no EXIF (GPS included), no XMP, no comments, nothing after the image.
Every refusal is a ValidationError with a Chinese message that names the problem.
"""

from __future__ import annotations

import io
import re
import struct
import uuid
import warnings
import zipfile
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

# Pillow's own guard, a backstop for any Image.open elsewhere; uploads are held to UPLOAD_MAX_IMAGE_PIXELS
# (25 megapixels by default), checked from the image header before a pixel is decoded.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

PHOTO_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}

CONTENT_TYPE_PDF = "application/pdf"
CONTENT_TYPE_DOC = "application/msword"
CONTENT_TYPE_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Text that makes a browser, or a careless viewer, treat the bytes as a page or a script.
_ACTIVE_MARKERS = re.compile(
    rb"<\s*(?:script|html|svg|iframe|body|object|embed|!doctype|\?php)|javascript:|onerror\s*=|onload\s*=",
    re.IGNORECASE,
)
_DOCX_MAX_ENTRIES = 2000
# Below this size an entry's compression ratio is not judged: small XML parts compress very well.
_RATIO_FLOOR_BYTES = 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _read_all(uploaded_file) -> bytes:
    if hasattr(uploaded_file, "chunks"):
        return b"".join(uploaded_file.chunks())
    uploaded_file.seek(0)
    return uploaded_file.read()


def _check_size(size: int, *, min_bytes: int, max_bytes: int, what: str) -> None:
    if size == 0:
        raise ValidationError(f"{what}是空文件，请重新选择。", code="empty")
    if size > max_bytes:
        raise ValidationError(f"{what}太大（{_mb(size)}），单个文件不能超过 {_mb(max_bytes)}。", code="too_large")
    if size < min_bytes:
        raise ValidationError(f"{what}太小（{_mb(size)}），要求不小于 {_mb(min_bytes)}，请上传原图。", code="too_small")


# ---------------------------------------------------------------- image structure


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


class _BadStructure(Exception):
    pass


def _png_parts(data: bytes) -> tuple[list[bytes], int]:
    """(bytes of every non-pixel chunk, offset just after IEND)."""
    pos, meta = 8, []
    while True:
        if pos + 8 > len(data):
            raise _BadStructure("PNG 数据不完整")
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise _BadStructure("PNG 数据不完整")
        if kind != b"IDAT":
            meta.append(data[pos + 8 : pos + 8 + length])
        pos = end
        if kind == b"IEND":
            return meta, pos


def _jpeg_parts(data: bytes) -> tuple[list[bytes], int]:
    """(bytes of every marker segment, offset just after EOI), walking entropy-coded scans marker by marker."""
    pos, meta = 2, []
    while True:
        if pos + 2 > len(data) or data[pos] != 0xFF:
            raise _BadStructure("JPEG 数据不完整")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return meta, pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > len(data):
            raise _BadStructure("JPEG 数据不完整")
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        meta.append(data[pos + 4 : pos + 2 + length])
        pos += 2 + length
        if marker == 0xDA:  # start of scan: skip the entropy-coded data up to the next real marker
            while True:
                nxt = data.find(b"\xff", pos)
                if nxt < 0 or nxt + 1 >= len(data):
                    raise _BadStructure("JPEG 数据不完整")
                following = data[nxt + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos = nxt + 2
                    continue
                pos = nxt
                break


def _webp_parts(data: bytes) -> tuple[list[bytes], int]:
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data):
        raise _BadStructure("WebP 数据不完整")
    pos, meta = 12, []
    while pos + 8 <= end:
        kind, length = struct.unpack("<4sI", data[pos : pos + 8])
        if kind not in (b"VP8 ", b"VP8L", b"ALPH", b"ANMF"):
            meta.append(data[pos + 8 : pos + 8 + length])
        pos += 8 + length + (length & 1)
    return meta, end


_PARTS = {"PNG": _png_parts, "JPEG": _jpeg_parts, "WEBP": _webp_parts}


def _check_structure(data: bytes, fmt: str) -> None:
    """Refuses polyglots: markup in the metadata, or anything after the image's last byte."""
    try:
        meta, end = _PARTS[fmt](data)
        # Phones append further JPEGs after the first one (MPF: depth maps, HDR gain maps); they are dropped
        # by the re-encoding but are checked like the first, so nothing else can hide behind them.
        while fmt == "JPEG" and data.startswith(b"\xff\xd8\xff", end):
            more, length = _jpeg_parts(data[end:])
            meta += more
            end += length
    except (_BadStructure, struct.error) as exc:
        raise ValidationError(f"图片文件已损坏或不完整（{exc}）。", code="corrupt") from exc
    if data[end:].strip(b"\x00\r\n \t"):
        raise ValidationError("图片文件末尾附带了其他数据，可能是伪装的网页或程序，不能上传。", code="trailing_data")
    if any(_ACTIVE_MARKERS.search(part) for part in meta):
        raise ValidationError("图片中夹带了网页或脚本代码，不能上传。", code="active_content")


def _megapixels(n: int) -> str:
    return f"{n / 1_000_000:.1f} 百万像素"


def _open_checked(data: bytes, *, min_pixels: int, max_pixels: int) -> Image.Image:
    """Opens the image, judges its resolution from the header alone (nothing decoded yet), then verifies
    and fully decodes it, refusing bombs, too small or too large resolutions and broken files."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:  # reads the header only
                width, height = probe.size
                if width * height > max_pixels:
                    raise ValidationError(
                        f"图片像素过多（{width}×{height}，{_megapixels(width * height)}），"
                        f"最多 {_megapixels(max_pixels)}，请缩小后再上传。",
                        code="too_many_pixels",
                    )
                if width * height < min_pixels:
                    raise ValidationError(
                        f"照片分辨率太低（{width}×{height}，{_megapixels(width * height)}），"
                        f"要求不少于 {_megapixels(min_pixels)}。按分辨率（像素）判断，与文件大小无关，请上传原图。",
                        code="too_few_pixels",
                    )
                probe.verify()
            img = Image.open(io.BytesIO(data))
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationError(
                f"图片像素过多（超过 {_megapixels(max_pixels)}），可能是恶意文件，不能上传。",
                code="decompression_bomb",
            ) from exc
        except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
            raise ValidationError("图片文件已损坏或不完整，请重新导出后上传。", code="corrupt") from exc
    return img


def clean_photo(
    uploaded_file, *, max_bytes: int, min_bytes: int = 1, min_pixels: int = 0, max_pixels: int | None = None
) -> ContentFile:
    """The photo re-encoded without metadata (EXIF, GPS, XMP, comments), orientation applied, under a random name.

    Refuses empty and too large files, a resolution below `min_pixels` or above `max_pixels` (default
    UPLOAD_MAX_IMAGE_PIXELS) judged from the header before decoding, anything that is not a JPEG, PNG or
    WebP by its content (HTML, SVG, polyglots, trailing data), decompression bombs and broken images.
    A minimum is a resolution, never a file size: padding a small photo to 2 MB proves nothing.
    """
    size = uploaded_file.size
    _check_size(size, min_bytes=min_bytes, max_bytes=max_bytes, what="照片")
    data = _read_all(uploaded_file)
    fmt = _sniff_image(data)
    if fmt is None:
        raise ValidationError("文件内容不是 JPEG、PNG 或 WebP 图片（与扩展名无关），请上传照片原图。", code="not_image")
    _check_structure(data, fmt)
    img = _open_checked(
        data,
        min_pixels=min_pixels,
        max_pixels=max_pixels if max_pixels is not None else settings.UPLOAD_MAX_IMAGE_PIXELS,
    )
    if img.format != fmt:
        raise ValidationError("文件内容不是 JPEG、PNG 或 WebP 图片，请上传照片原图。", code="not_image")

    icc_profile = img.info.get("icc_profile")
    img = ImageOps.exif_transpose(img)
    # Only what the pixels need survives: a palette PNG's transparent colour.
    img.info = {key: img.info[key] for key in ("transparency",) if key in img.info}
    out = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if fmt == "JPEG":
        if img.mode not in ("RGB", "L", "CMYK"):
            img = img.convert("RGB")
        img.save(out, "JPEG", quality=95, optimize=True, **options)
    elif fmt == "PNG":
        img.save(out, "PNG", optimize=False, **options)
    else:
        img.save(out, "WEBP", quality=95, **options)
    extension, _ = PHOTO_FORMATS[fmt]
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


# ---------------------------------------------------------------- attachments


def _archive_refusal(archive: zipfile.ZipFile) -> str | None:
    """Why an archive unpacks to too much, or None. Every entry is really decompressed, in chunks and never
    past the limit, so sizes a forged header understates are caught too."""
    limit, ratio = settings.UPLOAD_MAX_UNPACKED_BYTES, settings.UPLOAD_MAX_COMPRESSION_RATIO
    too_big = f"文件解压后超过 {_mb(limit)}（可能是“压缩炸弹”），不能上传。请删除文档中过大的内容后重新保存。"
    infos = archive.infolist()
    if len(infos) > _DOCX_MAX_ENTRIES:
        return f"文件内含 {len(infos)} 个部件，异常庞大，不能上传。"
    if sum(info.file_size for info in infos) > limit:
        return too_big
    total = 0
    for info in infos:
        unpacked = 0
        with archive.open(info) as entry:
            while chunk := entry.read(1024 * 1024):
                unpacked += len(chunk)
                total += len(chunk)
                if total > limit:
                    return too_big
        if unpacked > _RATIO_FLOOR_BYTES and unpacked > ratio * max(info.compress_size, 1):
            return f"文件中的“{info.filename[:60]}”压缩比异常（超过 {ratio} 倍），可能是“压缩炸弹”，不能上传。"
    return None


def _docx_refusal(data: bytes) -> str | None:
    """Why a zip is not an acceptable DOCX, or None when it is one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            refusal = _archive_refusal(archive)
            if refusal:
                return refusal
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                return "文件是压缩包而不是 Word 文档（DOCX），请上传 PDF、DOC 或 DOCX 文件。"
            content_types = archive.read("[Content_Types].xml")
            if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroEnabled" in content_types:
                return "文档含有宏，不能上传，请另存为普通的 .docx 文档。"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, OSError, EOFError, ValueError) as exc:
        return f"Word 文档已损坏（{exc.__class__.__name__}），请重新保存后上传。"
    return None


def clean_attachment(uploaded_file, *, max_bytes: int) -> tuple[ContentFile, str]:
    """(content under a random name, content type) for a PDF, DOC or DOCX judged by its content."""
    _check_size(uploaded_file.size, min_bytes=1, max_bytes=max_bytes, what="附件")
    data = _read_all(uploaded_file)
    if data.startswith(b"%PDF-"):
        extension, content_type = "pdf", CONTENT_TYPE_PDF
    elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if "WordDocument".encode("utf-16-le") not in data:
            raise ValidationError(
                "文件不是 Word 文档（可能是 Excel 或其他 Office 文件），请上传 PDF、DOC 或 DOCX 文件。"
            )
        if "Macros".encode("utf-16-le") in data or "_VBA_PROJECT".encode("utf-16-le") in data:
            raise ValidationError("文档含有宏，不能上传，请另存为普通的 .docx 文档。")
        extension, content_type = "doc", CONTENT_TYPE_DOC
    elif data.startswith(b"PK\x03\x04"):
        refusal = _docx_refusal(data)
        if refusal:
            raise ValidationError(refusal)
        extension, content_type = "docx", CONTENT_TYPE_DOCX
    else:
        raise ValidationError("附件只能是 PDF、DOC 或 DOCX 文件（按文件内容判断，与扩展名无关）。", code="bad_type")
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}"), content_type


# ---------------------------------------------------------------- named materials (申报材料) and evidence scans

MATERIAL_KIND_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "doc": "DOC", "docx": "DOCX", "webp": "WebP"}
MATERIAL_CONTENT_TYPES = {
    "pdf": CONTENT_TYPE_PDF,
    "jpeg": "image/jpeg",
    "png": "image/png",
    "doc": CONTENT_TYPE_DOC,
    "docx": CONTENT_TYPE_DOCX,
}
_CONTENT_TYPE_KINDS = {value: key for key, value in MATERIAL_CONTENT_TYPES.items()}


def material_kind_of(content_type: str) -> str | None:
    """The material type ("pdf", "jpeg" …) a stored file's detected content type stands for."""
    return _CONTENT_TYPE_KINDS.get(content_type)


def _sniff_material(data: bytes) -> str | None:
    image = _sniff_image(data)
    if image:
        return image.lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    return None


def clean_material(uploaded_file, *, allowed: list[str], max_bytes: int, what: str = "文件") -> tuple[ContentFile, str]:
    """(content under a random name, content type) for a file whose content is one of the `allowed` types
    ("pdf", "jpeg", "png", "doc", "docx"). The type is read from the bytes, never from the name: a .jpg that is
    really a PDF counts as a PDF. Images go through the photo checks (polyglots, bombs, broken files) and are
    re-encoded without metadata; documents through the attachment checks (macros, zip bombs)."""
    _check_size(uploaded_file.size, min_bytes=1, max_bytes=max_bytes, what=what)
    data = _read_all(uploaded_file)
    kind = _sniff_material(data)
    wanted = "、".join(MATERIAL_KIND_LABELS[k] for k in MATERIAL_CONTENT_TYPES if k in allowed)
    if kind is None or kind not in allowed:
        found = f"文件内容是 {MATERIAL_KIND_LABELS[kind]}" if kind else "无法识别文件内容"
        raise ValidationError(f"{found}（按文件内容判断，与扩展名无关），此项只接受 {wanted} 格式。", code="bad_type")
    if kind in ("jpeg", "png"):
        clean = clean_photo(ContentFile(data), max_bytes=max_bytes)
        return clean, MATERIAL_CONTENT_TYPES[kind]
    clean, content_type = clean_attachment(ContentFile(data), max_bytes=max_bytes)
    if material_kind_of(content_type) not in allowed:  # an OLE or zip file that is not the Word document it seemed
        raise ValidationError(f"文件内容不符合要求，此项只接受 {wanted} 格式。", code="bad_type")
    return clean, content_type
