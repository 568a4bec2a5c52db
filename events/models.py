import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse


class Role(models.TextChoices):
    """The roles a unit plays in a festival or an activity, as the notice names them."""

    HOST = "host", "主办"
    ORGANISER = "organiser", "承办"
    CO_ORGANISER = "co_organiser", "协办"
    INVITED = "invited", "邀请"
    SUPPORTER = "supporter", "支持"


class FestivalQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Festival.Status.PUBLISHED)

    def current(self, today):
        """Published festivals whose period has not ended yet, soonest first."""
        return self.published().filter(ends_on__gte=today).order_by("starts_on")

    def past(self, today):
        return self.published().filter(ends_on__lt=today).order_by("-starts_on")


def _upload_path(folder: str, filename: str) -> str:
    # The stored name never carries the user's file name: it may hold a name or a path trick.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"events/{folder}/{uuid.uuid4().hex}{suffix}"


def upload_cover(instance, filename):
    return _upload_path("covers", filename)


def upload_report_photo(instance, filename):
    return _upload_path("report-photos", filename)


def upload_report_thumbnail(instance, filename):
    return _upload_path("report-thumbnails", filename)


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
    goals = models.TextField("活动目标", blank=True, help_text="每行一条。")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    cover = models.ImageField("封面图片", upload_to=upload_cover, blank=True)
    body = models.TextField("正文", blank=True, help_text="支持 Markdown，显示时会做安全过滤。")
    banner_text = models.CharField(
        "横幅文字",
        max_length=60,
        blank=True,
        help_text="各承办单位须在活动现场悬挂的横幅，例如：昆山市第三届社工节活动",
    )
    publicity_channels = models.TextField(
        "宣传载体", blank=True, help_text="每行一个，例如：昆山社会组织微信公众号；网站可写“名称 网址”。"
    )
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

    def goal_lines(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]

    def channel_lines(self) -> list[str]:
        return [line.strip() for line in self.publicity_channels.splitlines() if line.strip()]


class OrganisingUnit(models.Model):
    """A unit named by the notice: a registered organisation, or a free-text name when it has no account
    (“各区镇民政办”, “长三角区域优秀社会组织”)."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.ORGANISER)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("单位名称", max_length=200, blank=True, help_text="未在门户登记的单位，直接填写名称。")
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.organisation.name if self.organisation_id else self.name


def _unit_named_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(organisation__isnull=False) | ~models.Q(name=""),
        name=name,
        violation_error_message="请选择机构或填写单位名称。",
    )


class FestivalUnit(OrganisingUnit):
    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="units", verbose_name="社工节")
    contact = models.CharField("联系人及电话", max_length=100, blank=True)

    class Meta(OrganisingUnit.Meta):
        verbose_name = "社工节组织单位"
        verbose_name_plural = "组织实施单位"
        constraints = [_unit_named_constraint("festival_unit_named")]


class ActivityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status__in=[Activity.Status.PUBLISHED, Activity.Status.CANCELLED])


class Activity(models.Model):
    """活动: one activity of a festival (a forum, the case award, a publicity month...)."""

    class Kind(models.TextChoices):
        FORUM = "forum", "论坛"
        AWARD = "award", "评选"
        PUBLICITY = "publicity", "宣传"
        DISTRICT = "district", "区镇联动"
        COMMUNITY_TEAM = "community_team", "社区项目团队活动"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        CANCELLED = "cancelled", "已取消"

    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="activities", verbose_name="社工节")
    kind = models.CharField("活动类型", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField("活动名称", max_length=120)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    venue = models.CharField("活动地点", max_length=200, blank=True)
    district = models.CharField("所属区镇", max_length=30, blank=True, help_text="全市性活动可不填。")
    description = models.TextField("活动内容", blank=True, help_text="支持 Markdown，显示时会做安全过滤。")
    registration_url = models.URLField("报名链接", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:activity_detail", kwargs={"pk": self.pk})


class ActivityUnit(OrganisingUnit):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="units", verbose_name="活动")

    class Meta(OrganisingUnit.Meta):
        verbose_name = "活动承办单位"
        verbose_name_plural = "活动组织单位"
        constraints = [_unit_named_constraint("activity_unit_named")]


class ActivityReport(models.Model):
    """活动报送: what a unit did at an activity, with photos — replaces mailing pictures to a mailbox."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        ACCEPTED = "accepted", "已采用"
        RETURNED = "returned", "已退回"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="reports", verbose_name="活动")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="activity_reports", verbose_name="报送单位"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_reports", verbose_name="报送人"
    )
    held_on = models.DateField("活动日期")
    participants = models.PositiveIntegerField("参与人数")
    summary = models.TextField("活动简介", max_length=3000)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("报送时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "活动报送"
        verbose_name_plural = "活动报送"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.organisation.name}：{self.activity.title}"

    def get_absolute_url(self):
        return reverse("events:report_detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.RETURNED)


class ReportPhoto(models.Model):
    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="photos", verbose_name="活动报送")
    image = models.ImageField("照片", upload_to=upload_report_photo, width_field="width", height_field="height")
    thumbnail = models.ImageField("缩略图", upload_to=upload_report_thumbnail)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    caption = models.CharField("照片说明", max_length=100)
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"
        ordering = ["position", "id"]

    def __str__(self):
        return self.caption
