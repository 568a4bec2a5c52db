"""After the decision (评选结果): the stages a campaign adds after publicity — a contract signed (签订协议), a
mid-term and an end-term evaluation (中期评估 / 末期评估) — each with its window, criteria, evaluators (评估方),
the organisation's uploads, the evaluators' scores and the bureau's result (合格 / 整改 / 不合格)."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone


class StageQuerySet(models.QuerySet):
    def open_at(self, now):
        """Stages whose window contains `now` (both ends included)."""
        return self.filter(opens_at__lte=now, closes_at__gte=now)


class Stage(models.Model):
    """评估阶段: one stage after the decision, with the window in which the organisation submits."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", "签订协议"
        MIDTERM = "midterm", "中期评估"
        FINAL = "final", "末期评估"
        OTHER = "other", "其他"

    campaign = models.ForeignKey(
        "cases.Campaign", verbose_name="评选活动", on_delete=models.CASCADE, related_name="stages"
    )
    kind = models.CharField("阶段类型", max_length=10, choices=Kind.choices, default=Kind.MIDTERM)
    name = models.CharField("阶段名称", max_length=60, help_text="如“中期评估”，显示给机构和评估方。")
    position = models.PositiveSmallIntegerField("顺序", default=0, help_text="数字小的排在前面。")
    opens_at = models.DateTimeField("提交开始时间", help_text="机构从此时起上传材料；到时自动为获奖项目建立评估记录。")
    closes_at = models.DateTimeField("提交截止时间", help_text="截止后机构不能再上传或修改材料。")
    instructions = models.TextField(
        "提交说明", blank=True, help_text="告诉机构要提交什么，如“项目中期进展报告及服务记录”。"
    )
    # When the records of the campaign's winners were made (once; later winners are added by hand).
    records_created_at = models.DateTimeField("评估记录建立时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = StageQuerySet.as_manager()

    class Meta:
        verbose_name = "评估阶段"
        verbose_name_plural = "评估阶段"
        ordering = ["campaign", "position", "opens_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="stage_window_order")
        ]

    def __str__(self):
        return f"{self.campaign}·{self.name}"

    @property
    def is_contract(self) -> bool:
        return self.kind == self.Kind.CONTRACT

    def is_open(self, now) -> bool:
        return self.opens_at <= now <= self.closes_at

    def window_refusal(self, now) -> str:
        """Why an upload is refused at `now`, or "" while the window is open."""
        opens, closes = (f"{timezone.localtime(t):%Y年%m月%d日 %H:%M}" for t in (self.opens_at, self.closes_at))
        if now < self.opens_at:
            return f"“{self.name}”尚未开始，提交时间为 {opens} 至 {closes}，请到时再提交。"
        if now > self.closes_at:
            return f"“{self.name}”已于 {closes} 截止，不能再提交或修改材料。如有特殊情况，请联系民政局。"
        return ""


class StageCriterion(models.Model):
    """评估指标: a flat list per stage (an evaluation sheet of a few lines, not the review's tree)."""

    stage = models.ForeignKey(Stage, verbose_name="评估阶段", on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField("指标名称", max_length=100)
    max_points = models.DecimalField("满分", max_digits=5, decimal_places=1)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评估指标"
        verbose_name_plural = "评估指标"
        ordering = ["stage", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_points__gt=0), name="stage_criterion_positive"),
            models.UniqueConstraint(fields=["stage", "name"], name="stage_criterion_name_once"),
        ]

    def __str__(self):
        return f"{self.name}（{self.max_points}分）"


class StageEvaluator(models.Model):
    """评估方: a reviewer (e.g. of a third-party evaluation agency) who scores every record of one stage."""

    stage = models.ForeignKey(Stage, verbose_name="评估阶段", on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评估专家", on_delete=models.PROTECT, related_name="stage_evaluations"
    )
    organisation = models.CharField("所在评估机构", max_length=100, blank=True, help_text="如受委托的第三方评估机构。")

    class Meta:
        verbose_name = "评估方"
        verbose_name_plural = "评估方"
        ordering = ["stage", "id"]
        constraints = [models.UniqueConstraint(fields=["stage", "user"], name="stage_evaluator_once")]

    def __str__(self):
        return f"{self.user.name}（{self.organisation}）" if self.organisation else self.user.name


def _record_upload(instance, filename: str, kind: str) -> str:
    """A random name under the stage and record: the user's file name never reaches the disk."""
    record = getattr(instance, "record", instance)
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evaluations/{record.stage_id}/{record.pk}/{kind}/{uuid.uuid4().hex}{suffix}"


def upload_contract(instance, filename):
    return _record_upload(instance, filename, "contract")


def upload_attachment(instance, filename):
    return _record_upload(instance, filename, "attachments")


class StageRecord(models.Model):
    """评估记录: one winning application in one stage — what its organisation submitted and the result."""

    class Status(models.TextChoices):
        PENDING = "pending", "待提交"
        SUBMITTED = "submitted", "已提交"
        DECIDED = "decided", "已评定"

    class Result(models.TextChoices):
        NONE = "", "—"
        PASSED = "passed", "合格"
        RECTIFY = "rectify", "整改"
        FAILED = "failed", "不合格"

    stage = models.ForeignKey(Stage, verbose_name="评估阶段", on_delete=models.CASCADE, related_name="records")
    application = models.ForeignKey(
        "cases.Application", verbose_name="申报项目", on_delete=models.PROTECT, related_name="stage_records"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    # 签订协议
    contract_signed_on = models.DateField("协议签订日期", null=True, blank=True)
    contract_scan = models.FileField("协议扫描件", upload_to=upload_contract, blank=True)
    contract_scan_type = models.CharField("扫描件类型", max_length=100, blank=True)
    # 中期 / 末期评估
    report = models.TextField("项目进展报告", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # 评定结果
    result = models.CharField("评估结果", max_length=10, choices=Result.choices, blank=True, default="")
    result_note = models.TextField("评定意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("评定时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评估记录"
        verbose_name_plural = "评估记录"
        ordering = ["stage", "application__reference", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "application"], name="stage_record_once"),
            models.CheckConstraint(
                condition=models.Q(status="decided", decided_at__isnull=False) | ~models.Q(status="decided"),
                name="stage_record_decided_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.stage.name}：{self.application}"


class StageAttachment(models.Model):
    """附件 of a progress report: PDF/DOC/DOCX/JPEG/PNG checked by content, stored under a random name."""

    record = models.ForeignKey(
        StageRecord, verbose_name="评估记录", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("附件", upload_to=upload_attachment)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "评估附件"
        verbose_name_plural = "评估附件"
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class StageReview(models.Model):
    """评估意见: one evaluator's sheet on one record — the opinion and the draft/submitted state, once for all
    the criteria (the points are StageScore rows)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "评估中"
        SUBMITTED = "submitted", "已提交"

    record = models.ForeignKey(StageRecord, verbose_name="评估记录", on_delete=models.CASCADE, related_name="reviews")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评估专家", on_delete=models.PROTECT, related_name="stage_reviews"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    opinion = models.TextField("评估意见", blank=True)
    total = models.DecimalField("总分", max_digits=7, decimal_places=1, default=0)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = "评估意见"
        verbose_name_plural = "评估意见"
        ordering = ["record", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "evaluator"], name="stage_review_once")]

    def __str__(self):
        return f"{self.evaluator.name}：{self.record}"


class StageScore(models.Model):
    """评估评分: the points one evaluator's sheet gives one criterion."""

    review = models.ForeignKey(StageReview, verbose_name="评估意见", on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        StageCriterion, verbose_name="评估指标", on_delete=models.PROTECT, related_name="scores"
    )
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "评估评分"
        verbose_name_plural = "评估评分"
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="stage_score_once"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="stage_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion.name}：{self.points}"
