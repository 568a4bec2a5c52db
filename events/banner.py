"""The festival banner organisers download and hang: title, theme and banner text on the portal red."""

import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from PIL import Image, ImageDraw, ImageFont

KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
FONT_MISSING = (
    "未找到中文字体（Noto Sans CJK），无法生成横幅。请安装 fonts-noto-cjk 软件包（apt-get install fonts-noto-cjk）。"
)
WIDTH, HEIGHT = 2400, 600
RED = (179, 38, 30)
GOLD = (255, 223, 128)


@lru_cache(maxsize=1)
def chinese_font_path() -> str:
    """A font that has Chinese glyphs: the Noto CJK files first, then whatever fontconfig offers."""
    for path in KNOWN_FONTS:
        if Path(path).exists():
            return path
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10).stdout
        for line in listed.splitlines():
            path = line.split(":")[0].strip()
            if path and Path(path).exists():
                return path
    raise ImproperlyConfigured(FONT_MISSING)


def _fit(draw, text: str, font_path: str, size: int, max_width: int) -> ImageFont.FreeTypeFont:
    while size > 24:
        font = ImageFont.truetype(font_path, size)
        if draw.textlength(text, font=font) <= max_width:
            return font
        size -= 8
    return ImageFont.truetype(font_path, size)


@lru_cache(maxsize=32)
def banner_png(*, title: str, theme: str, banner_text: str) -> bytes:
    """A 2400×600 PNG (a 4:1 banner): the banner text large, the title and theme beneath it."""
    font_path = chinese_font_path()
    image = Image.new("RGB", (WIDTH, HEIGHT), RED)
    draw = ImageDraw.Draw(image)
    draw.rectangle([24, 24, WIDTH - 25, HEIGHT - 25], outline=GOLD, width=6)
    headline = banner_text or title
    big = _fit(draw, headline, font_path, 190, WIDTH - 200)
    draw.text((WIDTH / 2, HEIGHT * 0.42), headline, font=big, fill="white", anchor="mm")
    subtitle = "　".join(part for part in (title if banner_text else "", f"主题：{theme}" if theme else "") if part)
    if subtitle:
        small = _fit(draw, subtitle, font_path, 84, WIDTH - 240)
        draw.text((WIDTH / 2, HEIGHT * 0.78), subtitle, font=small, fill=GOLD, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
