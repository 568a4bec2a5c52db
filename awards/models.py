"""The end of a campaign: confirmed awards (获奖), the publicity window (公示), objections (异议),
published results (获奖名单) and numbered certificates (荣誉证书)."""

import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from notifications.jobs import BackgroundJob


class SpecialPrize(models.Model):
    """单项奖: a prize of a campaign given by staff decision with a reason (such as 晋江's 项目创新奖), alongside
    the graded tiers: an application may hold one graded tier and several special prizes."""

    campaign = models.ForeignKey(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.CASCADE, related_name="special_prizes"
    )
    name = models.CharField("单项奖名称", max_length=40)
    description = models.TextField("说明", blank=True)
    position = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = "单项奖"
        verbose_name_plural = "单项奖"
        ordering = ["campaign", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="special_prize_name_once")]

    def __str__(self):
        return self.name


class Section(models.IntegerChoices):
    """Where an award sits on the publicity and results pages."""

    GRADED = 1, "获奖名单"
    SPECIAL = 2, "单项奖"
    RESULT = 3, "评定结果"


class AwardQuerySet(models.QuerySet):
    def with_section(self):
        """Annotates `result_tier` (a graded tier that is not an award: 整改、合格…, read from the campaign's tier
        rows) and `section` (Section), so lists order and split by them in one query."""
        from reviews.models import TierRule

        result_tier = Exists(
            TierRule.objects.filter(
                campaign=OuterRef("campaign_id"), name=OuterRef("application__award_decision__tier"), is_award=False
            )
        )
        return self.annotate(result_tier=result_tier).annotate(
            section=Case(
                When(special_prize__isnull=False, then=Value(Section.SPECIAL)),
                When(result_tier=True, then=Value(Section.RESULT)),
                default=Value(Section.GRADED),
                output_field=IntegerField(),
            )
        )

    def awarded(self):
        """获奖 only: special prizes and graded tiers that are awards (never a result such as 整改)."""
        return self.with_section().exclude(section=Section.RESULT)

    def results_only(self):
        """Graded tiers that are results, not awards (评定结果)."""
        return self.with_section().filter(section=Section.RESULT)


class Award(models.Model):
    """获奖: an application on the publicity list, with its status and certificate: its graded tier (special_prize
    empty; at most one per application) or one of its special prizes (单项奖). A graded tier is not stored here:
    the one record of an application's tier is its decision (reviews.AwardDecision), which the ranking,
    the publicity list, the results and the certificate all read, and which an upheld objection changes.
    A graded tier marked "not an award" (reviews.TierRule.is_award) is listed as a result (评定结果), never
    certified or called 获奖."""

    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        WITHDRAWN = "withdrawn", "已撤销"

    campaign = models.ForeignKey(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.PROTECT, related_name="awards"
    )
    application = models.ForeignKey(
        "cases.Application", verbose_name="申报案例", on_delete=models.PROTECT, related_name="awards"
    )
    special_prize = models.ForeignKey(
        SpecialPrize,
        verbose_name="单项奖",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        help_text="留空为奖项等级（如 一等奖）；选择时为单项奖。",
    )
    reason = models.TextField("授奖理由", blank=True, help_text="单项奖须填写授奖理由。")
    rank = models.PositiveIntegerField("排名")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间")
    withdrawn_reason = models.TextField("撤销理由", blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = "获奖案例"
        verbose_name_plural = "获奖案例"
        ordering = ["campaign", "rank", "id"]
        # The publicity and results lists: one campaign's active awards in rank order.
        indexes = [models.Index(fields=["campaign", "status", "rank", "id"], name="award_public_list_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(special_prize__isnull=True), name="award_one_graded_per_application"
            ),
            models.UniqueConstraint(
                fields=["application", "special_prize"],
                condition=Q(special_prize__isnull=False),
                name="award_special_prize_once_per_application",
            ),
        ]

    def __str__(self):
        return f"{self.application} {self.tier}"

    @property
    def is_special(self) -> bool:
        return self.special_prize_id is not None

    @property
    def tier(self) -> str:
        """奖项等级: a special prize's name, or the graded tier read from the application's decision
        (select_related "special_prize" and "application__award_decision")."""
        if self.special_prize_id is not None:
            return self.special_prize.name
        try:
            return self.application.award_decision.tier
        except ObjectDoesNotExist:
            return ""

    @property
    def is_award(self) -> bool:
        """获奖 or a result that is not an award (评定结果): read from the `with_section` annotation when present."""
        if self.special_prize_id is not None:
            return True
        section = getattr(self, "section", None)
        if section is None:
            section = Award.objects.with_section().filter(pk=self.pk).values_list("section", flat=True).first()
        return section != Section.RESULT

    @property
    def kind_label(self) -> str:
        """How a page names this row: 单项奖, 评定结果 or 奖项等级."""
        if self.special_prize_id is not None:
            return "单项奖"
        return "奖项等级" if self.is_award else "评定结果"


DEFAULT_NO_AWARD_MESSAGE = (
    "感谢您参加本次评选活动。经专家评审和结果公示，您申报的案例本次未能获奖。"
    "您在社会工作服务中的用心付出同样值得肯定，"
    "欢迎继续关注并参加今后的评选活动。"
)


class Publicity(models.Model):
    """公示设置: the window comes from the campaign's dates; staff may force it open or closed by hand."""

    class Override(models.TextChoices):
        AUTO = "auto", "按公示时间自动开关"
        OPEN = "open", "手动开启"
        CLOSED = "closed", "手动关闭"

    campaign = models.OneToOneField(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.CASCADE, related_name="publicity"
    )
    override = models.CharField("开关方式", max_length=8, choices=Override.choices, default=Override.AUTO)
    override_at = models.DateTimeField("手动开关时间", null=True, blank=True)
    how_to_object = models.TextField(
        "异议方式说明",
        blank=True,
        help_text="留空时使用默认说明：实名在本页提交异议，附联系电话和证据材料。",
    )
    no_award_message = models.TextField(
        "未获奖通知正文",
        blank=True,
        help_text="发布获奖名单时发给未获奖申报人的邮件正文；留空时使用默认文字。",
    )
    results_published_at = models.DateTimeField("获奖名单发布时间", null=True, blank=True)
    results_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "公示设置"
        verbose_name_plural = "公示设置"

    def __str__(self):
        return f"公示：{self.campaign}"

    @property
    def no_award_text(self) -> str:
        return self.no_award_message.strip() or DEFAULT_NO_AWARD_MESSAGE


def new_tracking_number() -> str:
    # Unguessable: the tracking number is the objector's receipt, not a counter others could walk.
    return "YY" + secrets.token_hex(5).upper()


class Objection(models.Model):
    """异议: a real-name objection against one publicised case, lodged during the window."""

    class Status(models.TextChoices):
        RECEIVED = "received", "已受理"
        INQUIRY = "inquiry", "调查核实中"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        CHANGE_TIER = "change_tier", "调整奖项等级"
        WITHDRAW = "withdraw", "撤销获奖"

    RESOLVED = (Status.UPHELD, Status.DISMISSED)

    campaign = models.ForeignKey(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.PROTECT, related_name="objections"
    )
    award = models.ForeignKey(Award, verbose_name="异议对象", on_delete=models.PROTECT, related_name="objections")
    tracking_number = models.CharField("受理编号", max_length=16, unique=True, default=new_tracking_number)
    name = models.CharField("真实姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=11)
    email = models.EmailField("电子邮箱")
    organisation = models.CharField("所在单位", max_length=100, blank=True)
    reason = models.TextField("异议理由")
    ip = models.GenericIPAddressField("提交 IP", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField("处理结果", max_length=12, choices=Outcome.choices, blank=True, default="")
    new_tier = models.CharField("调整后的奖项等级", max_length=40, blank=True)
    reply = models.TextField("答复意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.tracking_number

    @property
    def is_resolved(self) -> bool:
        return self.status in self.RESOLVED


def upload_evidence(instance, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"objections/{instance.objection.campaign_id}/{instance.objection_id}/{uuid.uuid4().hex}{suffix}"


class ObjectionEvidence(models.Model):
    """证据材料: an image (re-encoded) or a PDF, checked by content."""

    objection = models.ForeignKey(Objection, verbose_name="异议", on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=upload_evidence)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）", default=0)

    class Meta:
        verbose_name = "证据材料"
        verbose_name_plural = "证据材料"
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class ObjectionNote(models.Model):
    """调查记录: a note of the inquiry, kept with the objection."""

    objection = models.ForeignKey(Objection, verbose_name="异议", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT)
    text = models.TextField("调查记录")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "调查记录"
        verbose_name_plural = "调查记录"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:30]


def upload_template_image(instance, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"certificates/{instance.campaign_id}/template/{uuid.uuid4().hex}{suffix}"


DEFAULT_CERTIFICATE_BODY = (
    "{organisation} {name} 同志：\n你申报的案例《{case_title}》在{campaign}中荣获“{tier}”。\n特发此证，以资鼓励。"
)
# A campaign with a form of its own (a project call, a station evaluation) certifies the applying organisation,
# not a person, and names what it judges; a station is rated (优秀), it applied for no prize
# (selectors.certificate_default_body).
DEFINED_FORM_CERTIFICATE_BODY = (
    "{{organisation}}：\n你单位申报的{noun}《{{case_title}}》在{{campaign}}中荣获“{{tier}}”。\n特发此证，以资鼓励。"
)
STATION_CERTIFICATE_BODY = "{organisation}：\n在{campaign}中被评为“{tier}”。\n特发此证，以资鼓励。"
# What a template held before certificates named the campaign and the site settings named the issuing body. They
# stay the columns' defaults (a new default is a migration of this app); a template still holding them is read
# as "the default": DEFAULT_CERTIFICATE_BODY, and the issuing body of the site settings (站点设置).
LEGACY_CERTIFICATE_BODY = (
    "{organisation} {name} 同志：\n你申报的案例《{case_title}》在本次评选活动中荣获“{tier}”。\n特发此证，以资鼓励。"
)
LEGACY_CERTIFICATE_ISSUER = "昆山市民政局"


class CertificateTemplate(models.Model):
    """证书模板: one per campaign.

    The body's placeholders: {name} {case_title} {tier} {organisation} {date} {issuer} {campaign}.
    A blank issuer means the site settings' issuing body (发布单位), a blank seal their seal."""

    campaign = models.OneToOneField(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.CASCADE, related_name="certificate_template"
    )
    title = models.CharField("证书标题", max_length=60, default="荣誉证书")
    body = models.TextField("证书正文", default=LEGACY_CERTIFICATE_BODY)
    issuer = models.CharField("颁发单位", max_length=100, default=LEGACY_CERTIFICATE_ISSUER)
    issued_on = models.DateField("落款日期", null=True, blank=True, help_text="留空时使用颁奖日期。")
    number_prefix = models.CharField("证书编号前缀", max_length=10, default="KSZS")
    background = models.ImageField("背景图", upload_to=upload_template_image, blank=True)
    seal = models.ImageField("印章图", upload_to=upload_template_image, blank=True)

    class Meta:
        verbose_name = "证书模板"
        verbose_name_plural = "证书模板"

    def __str__(self):
        return f"证书模板：{self.campaign}"


class CertificateCounter(models.Model):
    """证书编号计数: one counter per issuing body (发布单位) and year, shared by every campaign of that body and
    year, so a second campaign in the same year continues the numbers instead of clashing with the first.
    Only ever increased, under select_for_update, in the same transaction that creates the certificate: a
    rolled-back allocation leaves no gap and no number is handed out twice."""

    issuing_body = models.CharField("发布单位", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    last_serial = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "证书编号计数"
        verbose_name_plural = "证书编号计数"
        constraints = [
            models.UniqueConstraint(fields=["issuing_body", "year"], name="certificate_counter_per_body_year")
        ]

    def __str__(self):
        return f"{self.issuing_body} {self.year}: {self.last_serial}"


def new_verify_code() -> str:
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """荣誉证书: one per award, numbered once. Files are generated by the worker under fixed names."""

    award = models.OneToOneField(Award, verbose_name="获奖案例", on_delete=models.PROTECT, related_name="certificate")
    campaign = models.ForeignKey(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.PROTECT, related_name="certificates"
    )
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("证书编号", max_length=30, unique=True)
    code = models.CharField("验证码", max_length=32, unique=True, default=new_verify_code)
    issued_at = models.DateTimeField("编号时间", auto_now_add=True)
    docx = models.CharField("Word 文件", max_length=200, blank=True)
    pdf = models.CharField("PDF 文件", max_length=200, blank=True)

    class Meta:
        verbose_name = "荣誉证书"
        verbose_name_plural = "荣誉证书"
        ordering = ["campaign", "serial"]
        constraints = [models.UniqueConstraint(fields=["campaign", "serial"], name="certificate_serial_once")]

    def __str__(self):
        return self.number


class CertificateExport(BackgroundJob):
    """证书批量导出: one run of the batch task, with its progress for the staff's progress bar."""

    task_path = "awards.tasks.certificate_export_task"

    campaign = models.ForeignKey(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.CASCADE, related_name="certificate_exports"
    )

    class Meta(BackgroundJob.Meta):
        verbose_name = "证书批量导出"
        verbose_name_plural = "证书批量导出"

    def __str__(self):
        return f"导出 #{self.pk}"

    def upload_path(self, filename: str) -> str:
        return f"certificates/{self.campaign_id}/{filename}"
