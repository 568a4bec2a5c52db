"""Images and archives cost nothing: resolution judged from the header before decoding on every image path,
archives judged by what they unpack to, thumbnails made once, anonymous uploads limited per address, and the
"不小于2M" photo rule read as a resolution (issue 15 item 5)."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases import services
from cases.tests.factories import ApplicationFactory
from cases.uploads import clean_attachment, clean_photo

MB = 1024 * 1024


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def header_only_png(width=7296, height=5440) -> bytes:
    """A PNG that declares 39.7 megapixels but whose pixel data is garbage: refusing it with the pixel
    message (not as corrupt) shows the check happened on the header, before any decoding."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", b"not deflate data at all")
        + _chunk(b"IEND", b"")
    )


def jpeg(size, quality=85) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 120, 60)).save(out, "JPEG", quality=quality)
    return out.getvalue()


def upload(data: bytes, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# ---------------------------------------------------------------- pixels, on every image path


def test_a_39_7_megapixel_png_is_refused_from_its_header_before_decoding():
    with pytest.raises(ValidationError) as refused:
        clean_photo(upload(header_only_png()), max_bytes=20 * MB)
    assert refused.value.code == "too_many_pixels"
    assert "像素过多" in refused.value.messages[0] and "7296×5440" in refused.value.messages[0]


def test_the_pixel_limit_is_a_setting(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 100 * 100
    with pytest.raises(ValidationError):
        clean_photo(upload(jpeg((101, 100)), "p.jpg", "image/jpeg"), max_bytes=20 * MB)
    assert clean_photo(upload(jpeg((100, 100)), "p.jpg", "image/jpeg"), max_bytes=20 * MB).size > 0


@pytest.mark.django_db
def test_objection_evidence_refuses_a_huge_image_before_decoding():
    from awards.forms import ObjectionForm

    form = ObjectionForm(data={}, files={"evidence": [upload(header_only_png(), "证据.png")]})
    form.is_valid()
    assert "像素过多" in " ".join(form.errors["evidence"])


@pytest.mark.django_db
def test_a_certificate_template_image_refuses_a_huge_image_before_decoding():
    from awards.forms import CertificateTemplateForm

    form = CertificateTemplateForm(data={}, files={"background": upload(header_only_png(), "bg.png")})
    form.is_valid()
    assert "像素过多" in " ".join(form.errors["background"])


@pytest.mark.django_db
def test_the_festival_cover_refuses_a_huge_image_before_decoding():
    from events.admin import FestivalAdminForm

    # Pillow's own open of the form field (Django's ImageField) reads the header only as well.
    form = FestivalAdminForm(data={}, files={"cover": upload(header_only_png(width=5000, height=5500), "c.png")})
    form.is_valid()
    assert "像素过多" in " ".join(form.errors["cover"])


def test_activity_report_photos_refuse_a_huge_image_before_decoding():
    from events.services import PhotoUpload, _clean_photos

    padded = header_only_png() + b"\x00" * (200 * 1024)  # past the report's 100 KB minimum file size
    photos = [PhotoUpload(upload(padded, f"{i}.png"), "现场", slot=i) for i in range(3)]
    with pytest.raises(ValidationError) as refused:
        _clean_photos(photos)
    assert all("像素过多" in messages[0] for messages in refused.value.message_dict.values())


# ---------------------------------------------------------------- resolution, not bytes


@pytest.mark.django_db
def test_a_small_photo_padded_to_2_mb_is_refused_by_its_resolution():
    application = ApplicationFactory()
    padded = jpeg((400, 300)) + b"\x00" * (2 * MB)  # 115 KB of photo, padded past the old byte rule
    with pytest.raises(ValidationError) as refused:
        services.photo_add(application=application, uploaded_file=upload(padded, "p.jpg", "image/jpeg"))
    message = refused.value.messages[0]
    assert "分辨率太低（400×300" in message and "按分辨率（像素）判断，与文件大小无关" in message
    assert application.photos.count() == 0


@pytest.mark.django_db
def test_a_photo_of_enough_resolution_is_accepted_however_small_its_file():
    application = ApplicationFactory()
    small_file = jpeg((1800, 1200), quality=60)
    assert len(small_file) < 2 * MB
    photo = services.photo_add(application=application, uploaded_file=upload(small_file, "p.jpg", "image/jpeg"))
    assert (photo.width, photo.height) == (1800, 1200)


# ---------------------------------------------------------------- archives


def docx_with(extra: dict[str, bytes]) -> bytes:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    buffer = io.BytesIO(out.getvalue())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_small_docx_that_unpacks_past_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_UNPACKED_BYTES = 20 * MB
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10**9  # the total alone refuses it
    bomb = docx_with({"word/media/image1.bin": b"\x00" * (25 * MB)})
    assert len(bomb) < 100 * 1024
    with pytest.raises(ValidationError) as refused:
        clean_attachment(upload(bomb, "案例.docx", "application/octet-stream"), max_bytes=20 * MB)
    assert "解压后超过 20.0 MB" in refused.value.messages[0]


def test_a_docx_part_compressed_beyond_the_ratio_is_refused():
    bomb = docx_with({"word/media/image1.bin": b"\x00" * (5 * MB)})
    with pytest.raises(ValidationError) as refused:
        clean_attachment(upload(bomb, "案例.docx", "application/octet-stream"), max_bytes=20 * MB)
    assert "压缩比异常" in refused.value.messages[0]


def test_a_docx_whose_header_understates_its_size_is_still_measured(settings):
    settings.UPLOAD_MAX_UNPACKED_BYTES = 10 * MB
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10**9
    data = bytearray(docx_with({"word/media/image1.bin": b"\x00" * (12 * MB)}))
    # Forge the central directory: the part claims to unpack to 1 KB.
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(b"word/media/image1.bin"))
    data[entry + 24 : entry + 28] = struct.pack("<I", 1024)
    with pytest.raises(ValidationError) as refused:
        clean_attachment(upload(bytes(data), "案例.docx", "application/octet-stream"), max_bytes=20 * MB)
    assert "解压" in refused.value.messages[0] or "损坏" in refused.value.messages[0]


def test_an_ordinary_docx_with_a_photo_is_accepted():
    photo = jpeg((1600, 1200))
    data = docx_with({"word/media/image1.jpeg": photo})
    content, content_type = clean_attachment(upload(data, "案例.docx", "application/octet-stream"), max_bytes=20 * MB)
    assert content_type.endswith("document") and content.size == len(data)


# ---------------------------------------------------------------- thumbnails


@pytest.mark.django_db
def test_a_thumbnail_is_made_once_at_upload_and_served_from_storage(client):
    application = ApplicationFactory()
    photo = services.photo_add(application=application, uploaded_file=upload(jpeg((1800, 1200)), "p.jpg", "image/jpeg"))
    name = services.photo_thumbnail_name(photo)
    assert default_storage.exists(name)
    with default_storage.open(name) as f, Image.open(f) as thumb:
        assert thumb.size == (480, 320)
    # Served as stored, not made again per request.
    default_storage.delete(name)
    default_storage.save(name, io.BytesIO(b"stored-thumbnail"))
    client.force_login(application.applicant)
    response = client.get(reverse("cases:photo_file", args=[application.pk, photo.pk]) + "?size=thumb")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"stored-thumbnail"


@pytest.mark.django_db
def test_deleting_a_photo_deletes_its_thumbnail():
    application = ApplicationFactory()
    photo = services.photo_add(application=application, uploaded_file=upload(jpeg((1800, 1200)), "p.jpg", "image/jpeg"))
    name = services.photo_thumbnail_name(photo)
    application.refresh_from_db()
    services.application_save_draft(
        application=application, expected_version=application.version, fields={}, photo_deletes=[photo.pk]
    )
    assert not default_storage.exists(name)


# ---------------------------------------------------------------- anonymous uploads


@pytest.mark.django_db
def test_anonymous_evidence_uploads_are_limited_per_address(client, settings):
    from awards.tests.factories import AwardFactory, publicity_campaign

    cache.clear()
    settings.ANONYMOUS_UPLOADS_PER_HOUR = 4
    campaign = publicity_campaign(slug="upload-limit")
    award = AwardFactory(campaign=campaign)
    url = reverse("awards:objection", kwargs={"slug": campaign.slug})

    def post(ip, n):
        files = [upload(jpeg((64, 48)), f"{i}.jpg", "image/jpeg") for i in range(n)]
        data = {"name": "赵某某", "phone": "13912345678", "email": "o@example.org", "award": award.pk}
        return client.post(url, {**data, "reason": "理由" * 20, "evidence": files}, REMOTE_ADDR=ip)

    assert post("10.0.0.9", 3).status_code != 429
    refused = post("10.0.0.9", 2)
    assert refused.status_code == 429 and "每小时最多上传 4 个证据文件" in refused.content.decode()
    assert post("10.0.0.10", 2).status_code != 429  # another address is not affected
    cache.clear()
