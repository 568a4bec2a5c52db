"""The portal's own settings for tests: a second bureau (淮安) whose name, issuing body, 区镇 and seal must show
wherever the portal names itself."""

import io

from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from kunshan_portal.models import SITE_SETTINGS_PK, SiteSettings
from kunshan_portal.selectors import SITE_SETTINGS_CACHE_KEY

HUAIAN = {
    "name": "淮安社工站评估门户",
    "issuing_body": "淮安市民政局",
    "contact": "联系电话：0517-83661234",
    "districts": ["清江浦区", "淮阴区", "淮安区", "洪泽区", "涟水县", "盱眙县", "金湖县"],
}


def seal_png(size: int = 240) -> bytes:
    """A red round seal on a transparent background."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((8, 8, size - 8, size - 8), outline=(200, 20, 20, 255), width=max(4, size // 24))
    draw.regular_polygon((size / 2, size / 2, size / 5), 5, fill=(200, 20, 20, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def logo_png(size: int = 96) -> bytes:
    img = Image.new("RGB", (size, size), (178, 34, 34))
    ImageDraw.Draw(img).rectangle((size // 4, size // 4, 3 * size // 4, 3 * size // 4), fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def huaian_site_settings(*, seal: bool = True, logo: bool = False) -> SiteSettings:
    """The second bureau's settings saved as the one row, and the cached copy dropped."""
    site = SiteSettings(
        pk=SITE_SETTINGS_PK,
        name=HUAIAN["name"],
        issuing_body=HUAIAN["issuing_body"],
        contact=HUAIAN["contact"],
        districts="\n".join(HUAIAN["districts"]),
    )
    if seal:
        site.seal.save("seal.png", ContentFile(seal_png()), save=False)
    if logo:
        site.logo.save("logo.png", ContentFile(logo_png()), save=False)
    site.save()
    cache.delete(SITE_SETTINGS_CACHE_KEY)
    return site
