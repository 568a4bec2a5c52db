from django.db import models
from django.urls import reverse


class CampaignQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_for_submission(self, now):
        """Published campaigns whose submission window contains `now` (both ends included)."""
        return self.published().filter(submission_opens_at__lte=now, submission_closes_at__gte=now)


class Campaign(models.Model):
    """评选活动: one award campaign with its timeline. Every date is a setting, never a constant."""

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", "尚未开始"
        SUBMISSION = "submission", "组织申报"
        BETWEEN = "between", "申报已截止"
        REVIEW = "review", "案例评选"
        PUBLICITY = "publicity", "结果公示"
        CEREMONY = "ceremony", "等待颁奖"
        FINISHED = "finished", "已结束"

    title = models.CharField("评选活动名称", max_length=120)
    slug = models.SlugField("网址标识", unique=True)
    festival = models.ForeignKey(
        "events.Festival",
        verbose_name="所属社工节",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    description = models.TextField("活动说明", blank=True)
    is_published = models.BooleanField("公开", default=False)
    announced_on = models.DateField("发文启动日期", null=True, blank=True)
    case_period_start = models.DateField("案例实施起始日期（不早于）")
    case_period_end = models.DateField("案例实施截止日期（不晚于）")
    submission_opens_at = models.DateTimeField("申报开始时间")
    submission_closes_at = models.DateTimeField("申报截止时间")
    review_opens_at = models.DateTimeField("评审开始时间")
    review_closes_at = models.DateTimeField("评审截止时间")
    publicity_starts_at = models.DateTimeField("公示开始时间")
    publicity_ends_at = models.DateTimeField("公示结束时间")
    ceremony_at = models.DateTimeField("颁奖时间", null=True, blank=True)
    contact = models.CharField("联系方式", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "评选活动"
        verbose_name_plural = "评选活动"
        ordering = ["-submission_opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case_period_end__gte=models.F("case_period_start")),
                name="campaign_case_period_order",
            ),
            models.CheckConstraint(
                condition=models.Q(submission_closes_at__gt=models.F("submission_opens_at")),
                name="campaign_submission_order",
            ),
            models.CheckConstraint(
                condition=models.Q(review_closes_at__gt=models.F("review_opens_at")), name="campaign_review_order"
            ),
            models.CheckConstraint(
                condition=models.Q(publicity_ends_at__gt=models.F("publicity_starts_at")),
                name="campaign_publicity_order",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:campaign_detail", kwargs={"slug": self.slug})

    def phase(self, now):
        if now < self.submission_opens_at:
            return self.Phase.UPCOMING
        if now <= self.submission_closes_at:
            return self.Phase.SUBMISSION
        if now < self.review_opens_at:
            return self.Phase.BETWEEN
        if now <= self.review_closes_at:
            return self.Phase.REVIEW
        if now < self.publicity_starts_at:
            return self.Phase.BETWEEN
        if now <= self.publicity_ends_at:
            return self.Phase.PUBLICITY
        if self.ceremony_at and now <= self.ceremony_at:
            return self.Phase.CEREMONY
        return self.Phase.FINISHED

    def is_open_for_submission(self, now) -> bool:
        return self.is_published and self.submission_opens_at <= now <= self.submission_closes_at

    def next_deadline(self, now):
        """The next moment that closes a phase, with its label, or None when all have passed."""
        for label, moment in (
            ("申报截止", self.submission_closes_at),
            ("评审截止", self.review_closes_at),
            ("公示结束", self.publicity_ends_at),
            ("颁奖", self.ceremony_at),
        ):
            if moment and moment >= now:
                return label, moment
        return None
