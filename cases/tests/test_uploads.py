import io
import os
import struct
import zipfile
import zlib

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from cases.uploads import (
    CONTENT_TYPE_DOC,
    CONTENT_TYPE_DOCX,
    CONTENT_TYPE_PDF,
    MAX_PIXELS,
    clean_attachment,
    clean_photo,
)

MB = 1024 * 1024
LIMITS = {"min_bytes": 0, "max_bytes": 20 * MB}


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def image_bytes(fmt: str = "PNG", size=(40, 30), mode="RGB", **options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white" if mode != "1" else 0).save(out, fmt, **options)
    return out.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def refusal(data: bytes, name="photo.jpg", **limits) -> str:
    with pytest.raises(ValidationError) as caught:
        clean_photo(upload(data, name), **(limits or LIMITS))
    return " ".join(caught.value.messages)


def gps_jpeg(size=(120, 80), orientation=None) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 23.0, 10.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (120.0, 57.0, 30.0)
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(
        out, "JPEG", exif=exif, xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-place</x:xmpmeta>', quality=90
    )
    return out.getvalue()


# ---------------------------------------------------------------- hostile photos


def test_an_html_page_renamed_jpg_is_refused_as_not_an_image():
    message = refusal(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "photo.jpg")
    assert "不是 JPEG、PNG 或 WebP 图片" in message


def test_an_svg_is_refused_as_not_an_image():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
    assert "不是 JPEG、PNG 或 WebP 图片" in refusal(svg, "photo.svg")


def test_a_png_carrying_html_in_a_text_chunk_is_refused_although_pillow_opens_it():
    png = image_bytes("PNG")
    polyglot = png[:33] + png_chunk(b"tEXt", b"Comment\x00<html><script>alert(1)</script></html>") + png[33:]
    Image.open(io.BytesIO(polyglot)).load()  # a valid PNG for Pillow
    assert "网页或脚本代码" in refusal(polyglot, "photo.png")


def test_a_png_with_html_after_its_end_is_refused_as_trailing_data():
    polyglot = image_bytes("PNG") + b"<html><script>alert(document.cookie)</script></html>"
    Image.open(io.BytesIO(polyglot)).load()
    assert "末尾附带了其他数据" in refusal(polyglot, "photo.png")


def test_a_jpeg_with_a_script_in_its_comment_is_refused():
    jpeg = image_bytes("JPEG", comment=b"<script>alert(1)</script>")
    assert "网页或脚本代码" in refusal(jpeg)


def test_a_jpeg_with_data_after_its_end_is_refused():
    assert "末尾附带了其他数据" in refusal(image_bytes("JPEG") + b"PK\x03\x04 hidden zip")


def test_an_empty_file_is_refused():
    assert "空文件" in refusal(b"")


def test_a_30_mb_file_is_refused_naming_its_size_and_the_limit():
    message = refusal(b"\xff\xd8\xff" + b"\0" * (30 * MB), min_bytes=2 * MB, max_bytes=20 * MB)
    assert "太大（30.0 MB）" in message and "20.0 MB" in message


def test_a_photo_under_the_minimum_size_is_refused_naming_its_size():
    message = refusal(image_bytes("JPEG"), min_bytes=2 * MB, max_bytes=20 * MB)
    assert "太小（0.0 MB）" in message and "2.0 MB" in message


@pytest.mark.parametrize("size", [(10_000, 10_000), (8_000, 6_000)])
def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(size):
    bomb = image_bytes("PNG", size=size, mode="1")
    assert len(bomb) < 2 * MB and size[0] * size[1] > MAX_PIXELS
    assert "像素过多" in refusal(bomb, "bomb.png")


def test_a_truncated_jpeg_is_refused_as_corrupt():
    noise = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG")
    assert "损坏或不完整" in refusal(out.getvalue()[: len(out.getvalue()) // 2])


# ---------------------------------------------------------------- good photos


def test_a_jpeg_with_exif_gps_and_xmp_comes_out_without_any_metadata():
    original = gps_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    cleaned = clean_photo(upload(original), **LIMITS)

    data = cleaned.read()
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG"
    assert len(img.getexif()) == 0
    assert not img.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in img.info and "xmp" not in img.info
    assert b"Exif\x00\x00" not in data and b"secret-place" not in data and b"TestPhone" not in data


def test_the_orientation_is_applied_to_the_pixels_before_exif_is_dropped():
    cleaned = clean_photo(upload(gps_jpeg(size=(120, 80), orientation=6)), **LIMITS)
    assert Image.open(cleaned).size == (80, 120)


def test_a_photo_of_the_required_size_is_kept_at_high_quality_under_a_random_name():
    pixels = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=95, subsampling=0)
    assert out.tell() >= 2 * MB

    cleaned = clean_photo(upload(out.getvalue(), "../../etc/我的照片.JPG"), min_bytes=2 * MB, max_bytes=20 * MB)

    assert cleaned.name.endswith(".jpg") and "/" not in cleaned.name and "照片" not in cleaned.name
    assert Image.open(cleaned).size == (1000, 1000)
    assert cleaned.size > out.tell() / 3  # quality 95 keeps the detail


@pytest.mark.parametrize(("fmt", "suffix"), [("PNG", ".png"), ("WEBP", ".webp")])
def test_png_and_webp_photos_are_accepted_and_keep_their_format(fmt, suffix):
    cleaned = clean_photo(upload(image_bytes(fmt), "photo.jpg"), **LIMITS)
    assert cleaned.name.endswith(suffix)
    assert Image.open(cleaned).format == fmt


def test_a_progressive_jpeg_is_accepted():
    noise = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG", progressive=True)
    assert Image.open(clean_photo(upload(out.getvalue()), **LIMITS)).size == (64, 64)


def test_a_palette_png_keeps_its_transparent_colour():
    img = Image.new("P", (20, 20), 0)
    img.putpalette([255, 0, 0, 0, 255, 0])
    img.putpixel((0, 0), 1)
    out = io.BytesIO()
    img.save(out, "PNG", transparency=1)
    assert Image.open(io.BytesIO(out.getvalue())).convert("RGBA").getpixel((0, 0))[3] == 0

    cleaned = Image.open(clean_photo(upload(out.getvalue(), "logo.png"), **LIMITS)).convert("RGBA")

    assert cleaned.getpixel((0, 0))[3] == 0
    assert cleaned.getpixel((5, 5)) == (255, 0, 0, 255)


def test_a_phone_jpeg_with_a_second_image_appended_is_accepted():
    cleaned = clean_photo(upload(image_bytes("JPEG") + image_bytes("JPEG", size=(8, 8))), **LIMITS)
    assert Image.open(cleaned).size == (40, 30)


# ---------------------------------------------------------------- attachments


def docx_bytes() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("详细案例文本")
    document.save(out)
    return out.getvalue()


def ole_bytes(*stream_names: str) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"".join(n.encode("utf-16-le") for n in stream_names)


@pytest.mark.parametrize(
    ("data", "content_type", "suffix"),
    [
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", CONTENT_TYPE_PDF, ".pdf"),
        (docx_bytes(), CONTENT_TYPE_DOCX, ".docx"),
        (ole_bytes("Root Entry", "WordDocument", "1Table"), CONTENT_TYPE_DOC, ".doc"),
    ],
)
def test_pdf_docx_and_doc_attachments_are_accepted_by_their_content(data, content_type, suffix):
    content, detected = clean_attachment(upload(data, "附件.bin", "application/octet-stream"), max_bytes=20 * MB)
    assert detected == content_type
    assert content.name.endswith(suffix)
    assert content.read() == data


def macro_docx_bytes() -> bytes:
    out = io.BytesIO()

    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("word/vbaProject.bin", b"\0" * 64)
    return out.getvalue()


def plain_zip_bytes() -> bytes:

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<html><body>not a pdf</body></html>", "只能是 PDF、DOC 或 DOCX"),
        (b"MZ\x90\x00 an exe", "只能是 PDF、DOC 或 DOCX"),
        (plain_zip_bytes(), "压缩包而不是 Word 文档"),
        (macro_docx_bytes(), "含有宏"),
        (ole_bytes("Root Entry", "WordDocument", "Macros"), "含有宏"),
        (ole_bytes("Root Entry", "Workbook"), "不是 Word 文档"),
        (b"", "空文件"),
    ],
)
def test_attachments_of_other_types_are_refused_with_a_message(data, expected):
    with pytest.raises(ValidationError) as caught:
        clean_attachment(upload(data, "case.docx", CONTENT_TYPE_DOCX), max_bytes=20 * MB)
    assert expected in " ".join(caught.value.messages)


def test_an_attachment_over_the_limit_is_refused_naming_its_size():
    with pytest.raises(ValidationError, match="太大（3.0 MB）"):
        clean_attachment(upload(b"%PDF-" + b"0" * (3 * MB - 5), "a.pdf"), max_bytes=2 * MB)
