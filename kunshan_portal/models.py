"""The bureau's own portal: its name, issuing body, contact, 区镇 list, logo and seal (站点设置).

One row (pk=1). Until staff first save the page, the server settings (PORTAL_NAME, PORTAL_ORGANISER,
PORTAL_ORGANISER_CONTACT, PORTAL_DISTRICTS) stand in for it, so an existing deployment looks the same.
Read it through kunshan_portal.selectors.site_settings (cached), write it through services.site_settings_update.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models

SITE_SETTINGS_PK = 1


def upload_site_image(instance, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"site/{uuid.uuid4().hex}{suffix}"


class SiteSettings(models.Model):
    """站点设置: who runs this portal. Public pages, e-mails and certificates name the bureau from here."""

    name = models.CharField("门户名称", max_length=60)
    issuing_body = models.CharField(
        "发布单位",
        max_length=100,
        help_text="公示、获奖名单、荣誉证书落款和邮件署名所用的单位名称，如“昆山市民政局”。证书编号按发布单位和年度连续编排。",
    )
    contact = models.CharField(
        "联系方式", max_length=200, blank=True, help_text="显示在页脚和邮件末尾，如“联系电话：0512-57503000”。"
    )
    districts = models.TextField(
        "区镇列表", help_text="每行一个区镇（或县区），机构注册和活动筛选时从中选择。已登记的机构和活动不受影响。"
    )
    logo = models.ImageField(
        "门户标志", upload_to=upload_site_image, blank=True, help_text="显示在导航栏门户名称前，PNG 或 JPEG。"
    )
    seal = models.ImageField(
        "印章图",
        upload_to=upload_site_image,
        blank=True,
        help_text="透明背景的 PNG 图片；证书模板未上传印章时，证书落款处使用此印章。",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "站点设置"
        verbose_name_plural = "站点设置"
        constraints = [models.CheckConstraint(condition=models.Q(pk=SITE_SETTINGS_PK), name="site_settings_one_row")]

    def __str__(self):
        return self.name

    @classmethod
    def from_server_settings(cls) -> "SiteSettings":
        """The unsaved row a deployment starts with: its server settings."""
        return cls(
            pk=SITE_SETTINGS_PK,
            name=settings.PORTAL_NAME,
            issuing_body=settings.PORTAL_ORGANISER,
            contact=settings.PORTAL_ORGANISER_CONTACT,
            districts="\n".join(settings.PORTAL_DISTRICTS),
        )

    @property
    def district_list(self) -> list[str]:
        return [line.strip() for line in self.districts.splitlines() if line.strip()]

    @property
    def district_choices(self) -> list[tuple[str, str]]:
        return [(d, d) for d in self.district_list]
