from django.db import models
from django.urls import reverse


class FestivalQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Festival.Status.PUBLISHED)

    def current(self, today):
        """Published festivals whose period has not ended yet, soonest first."""
        return self.published().filter(ends_on__gte=today).order_by("starts_on")

    def past(self, today):
        return self.published().filter(ends_on__lt=today).order_by("-starts_on")


class Festival(models.Model):
    """社工节: a festival (or publicity campaign) made of activities, around a case award."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    title = models.CharField("名称", max_length=100)
    slug = models.SlugField("网址标识", unique=True, allow_unicode=False)
    edition = models.CharField("届次", max_length=20, blank=True, help_text="例如：第三届")
    year = models.PositiveSmallIntegerField("年份")
    theme = models.CharField("主题", max_length=100, blank=True)
    goals = models.TextField("活动目标", blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    body = models.TextField("正文", blank=True, help_text="支持 Markdown，发布时会做安全过滤。")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = FestivalQuerySet.as_manager()

    class Meta:
        verbose_name = "社工节"
        verbose_name_plural = "社工节"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="festival_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:festival_detail", kwargs={"slug": self.slug})
