"""The outbox of e-mails, the reminder rules per campaign, the reminders already sent, and
each user's reminder preferences."""

from django.conf import settings
from django.db import models


class OutboxEmail(models.Model):
    """One e-mail, written in the same transaction as the action that causes it.

    pending → sending → sent, each step a conditional update (services.py); a failed row is
    retried with backoff and ends as `failed` once the retries are spent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    to = models.JSONField("收件人", default=list)
    subject = models.CharField("主题", max_length=200)
    body_text = models.TextField("正文（纯文本）")
    body_html = models.TextField("正文（HTML）", blank=True)
    template = models.CharField("模板", max_length=120, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近一次错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    queued_at = models.DateTimeField("最近入队时间", null=True, blank=True)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    claim_token = models.CharField("发送任务编号", max_length=64, blank=True)
    next_retry_at = models.DateTimeField("下次重试时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "邮件"
        verbose_name_plural = "邮件发送记录"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class ReminderKind(models.TextChoices):
    DRAFT = "draft", "草稿未提交（申报人）"
    RECOMMENDATION = "recommendation", "待单位推荐（机构管理员）"
    RETURNED = "returned", "退回修改待重新提交（申报人）"
    REVIEW = "review", "评审未完成（评审专家）"
    PUBLICITY_OPENS = "publicity_opens", "公示开始（工作人员）"
    PUBLICITY_CLOSES = "publicity_closes", "公示结束仍有未处理异议（工作人员）"


# Reminders about a user's own work: always sent. The others may be switched off in the profile.
ESSENTIAL_KINDS = (ReminderKind.DRAFT, ReminderKind.RETURNED, ReminderKind.REVIEW)


class ReminderRule(models.Model):
    """When one kind of reminder goes out for one campaign: `days_before` the kind's deadline,
    at the deadline's time of day, or at `at_time` (Asia/Shanghai) when given."""

    campaign = models.ForeignKey(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.CASCADE, related_name="reminder_rules"
    )
    kind = models.CharField("提醒类型", max_length=20, choices=ReminderKind.choices)
    days_before = models.SmallIntegerField(
        "提前天数", default=1, help_text="截止时间前几天提醒；0 表示截止当天（公示类提醒为开始/结束当时）。"
    )
    at_time = models.TimeField("提醒时刻", null=True, blank=True, help_text="留空则按截止时间的时刻提醒。")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "提醒规则"
        verbose_name_plural = "提醒规则"
        ordering = ["campaign", "kind", "-days_before", "at_time"]
        constraints = [
            # NULL at_time (the deadline's own time of day) is one rule too: two partial indexes.
            models.UniqueConstraint(
                fields=["campaign", "kind", "days_before"],
                condition=models.Q(at_time__isnull=True),
                name="reminder_rule_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "kind", "days_before", "at_time"],
                condition=models.Q(at_time__isnull=False),
                name="reminder_rule_once_at_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.milestone_label}"

    @property
    def milestone(self) -> str:
        """The rule's key in the record of sent reminders, e.g. "3d", "0d@0900"."""
        return f"{self.days_before}d" + (f"@{self.at_time:%H%M}" if self.at_time else "")

    @property
    def milestone_label(self) -> str:
        if self.kind in (ReminderKind.PUBLICITY_OPENS, ReminderKind.PUBLICITY_CLOSES):
            return "公示开始时" if self.kind == ReminderKind.PUBLICITY_OPENS else "公示结束时"
        when = "截止当天" if self.days_before == 0 else f"截止前 {self.days_before} 天"
        return when + (f" {self.at_time:%H:%M}" if self.at_time else "")


class Reminder(models.Model):
    """A reminder that went out: at most one per recipient, campaign, kind and milestone."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE, related_name="reminders"
    )
    campaign = models.ForeignKey(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField("提醒类型", max_length=20, choices=ReminderKind.choices)
    milestone = models.CharField("节点", max_length=40)
    email = models.ForeignKey(OutboxEmail, verbose_name="邮件", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "已发提醒"
        verbose_name_plural = "已发提醒"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "campaign", "kind", "milestone"], name="reminder_once"),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()} · {self.milestone}"


class NotificationPreference(models.Model):
    """Which optional reminders a user wants. No row means every reminder is on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="notification_preference"
    )
    recommendation = models.BooleanField("待单位推荐提醒（机构管理员）", default=True)
    publicity = models.BooleanField("公示开始/结束提醒（工作人员）", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "提醒偏好"
        verbose_name_plural = "提醒偏好"

    def __str__(self):
        return str(self.user)

    def allows(self, kind: str) -> bool:
        if kind == ReminderKind.RECOMMENDATION:
            return self.recommendation
        if kind in (ReminderKind.PUBLICITY_OPENS, ReminderKind.PUBLICITY_CLOSES):
            return self.publicity
        return True
