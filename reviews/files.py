"""Case files as a reviewer receives them: under neutral names and, in a blind review, photos without metadata.
Attachments' blind copies are made by `cases.blind`."""

import io
from pathlib import PurePath

from PIL import Image


def photo_bytes_blind(fileobj) -> tuple[bytes, str]:
    """Re-encode a photo so no EXIF, XMP or comment survives; returns (bytes, content type)."""
    with Image.open(fileobj) as image:
        fmt = "PNG" if image.format == "PNG" else "JPEG"
        clean = image.convert("RGBA" if fmt == "PNG" and image.mode in ("RGBA", "LA", "P") else "RGB")
        out = io.BytesIO()
        clean.save(out, format=fmt, quality=90)
    return out.getvalue(), "image/png" if fmt == "PNG" else "image/jpeg"


def neutral_name(position: int, original_name: str) -> str:
    return f"附件{position}{PurePath(original_name).suffix.lower()[:10]}"
