import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from notifications.jobs import BackgroundJob


class RankingMethod(models.TextChoices):
    MEAN = "mean", "平均分"
    MEDIAN = "median", "中位数"
    TRIMMED = "trimmed", "去掉最高最低分后的平均分"
    NORMALISED = "normalised", "标准化得分"


class TierBy(models.TextChoices):
    COUNT = "count", "名额"
    FRACTION = "fraction", "比例"
    THRESHOLD = "threshold", "分数线"


def default_tiers() -> list[dict]:
    # The Kunshan award names one tier, 优秀; the notice gives no quota, so a campaign without tier rows
    # suggests the top 30 % and staff set the real rule per campaign on the tier page (reviews.selectors.tier_rules).
    return [{"name": "优秀", "by": TierBy.FRACTION, "value": Decimal("0.3"), "is_award": True}]


class ReviewSettings(models.Model):
    """评审设置: the review-specific rules of one campaign, created with defaults on first use."""

    campaign = models.OneToOneField(
        "cases.Campaign", on_delete=models.CASCADE, related_name="review_settings", verbose_name="评选活动"
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        "每个案例评审专家人数", default=3, validators=[MinValueValidator(1)]
    )
    ranking_method = models.CharField(
        "排名依据", max_length=12, choices=RankingMethod.choices, default=RankingMethod.MEAN
    )
    disagreement_threshold = models.DecimalField(
        "分歧提示阈值（分）",
        max_digits=6,
        decimal_places=1,
        default=Decimal("20"),
        help_text="同一案例最高分与最低分之差超过此值时提示分歧。",
    )
    opinion_min_chars = models.PositiveSmallIntegerField("专家评审意见最少字数", default=30)
    peers_visible = models.BooleanField(
        "专家可见他人评分", default=False, help_text="勾选后，专家提交自己的评审后可看到同一案例其他专家的评分。"
    )
    decision_confirmed_at = models.DateTimeField("评审结果确认时间", null=True, blank=True)
    decision_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "评审设置"
        verbose_name_plural = "评审设置"

    def __str__(self):
        return f"评审设置：{self.campaign}"


class TierRule(models.Model):
    """奖项等级: one graded tier of a campaign's ranking, applied in `position` order (reviews.aggregation.tier_bounds).
    A tier that is not an award (整改、合格 where the bureau says so) is published as a result (评定结果): it
    gets no certificate and is never called 获奖."""

    campaign = models.ForeignKey(
        "cases.Campaign", on_delete=models.CASCADE, related_name="tier_rules", verbose_name="评选活动"
    )
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("等级名称", max_length=40)
    by = models.CharField("划分方式", max_length=10, choices=TierBy.choices, default=TierBy.COUNT)
    value = models.DecimalField(
        "数值",
        max_digits=9,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text="名额：个数；比例：0–1 之间的小数（如 0.3 表示前 30%）；分数线：不低于此分。",
    )
    is_award = models.BooleanField(
        "属于奖项",
        default=True,
        help_text="不属于奖项（如 整改、合格）：作为评定结果公布，不颁发证书，不称“获奖”。",
    )

    class Meta:
        verbose_name = "奖项等级"
        verbose_name_plural = "奖项等级"
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="tier_rule_name_once"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="tier_rule_value_not_negative"),
        ]

    def __str__(self):
        return self.name


class ReviewerProfile(models.Model):
    """评审专家库: one expert's profile. The login is an ordinary user with is_reviewer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile", verbose_name="账户"
    )
    organisation = models.CharField("工作单位", max_length=100, blank=True)
    # The unit as an identity, where it is registered: conflict detection compares this, not the spelling above.
    organisation_ref = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="工作单位（已登记机构）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewer_profiles",
        help_text="按统一社会信用代码匹配或在列表中选择；用于自动识别回避。",
    )
    title = models.CharField("职称/职务", max_length=50, blank=True)
    expertise = models.JSONField("擅长领域", default=list, blank=True)
    contact = models.CharField("联系方式", max_length=50, blank=True)
    invited_at = models.DateTimeField("邀请时间", null=True, blank=True)

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家库"

    def __str__(self):
        return self.user.name


class PanelMember(models.Model):
    """An expert's place on one campaign's panel, active or not."""

    campaign = models.ForeignKey(
        "cases.Campaign", on_delete=models.CASCADE, related_name="panel_members", verbose_name="评选活动"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_memberships", verbose_name="评审专家"
    )
    is_active = models.BooleanField("参与本次评审", default=True)

    class Meta:
        verbose_name = "评审组成员"
        verbose_name_plural = "评审组成员"
        constraints = [models.UniqueConstraint(fields=["campaign", "reviewer"], name="panel_member_unique")]

    def __str__(self):
        return f"{self.reviewer} @ {self.campaign}"


class RubricPart(models.Model):
    """评分部分: a part of a campaign's rubric with its own subtotal, such as the 淮安 index's 区县部分 (50) and
    站点部分 (100). A top-level criterion names its part; the criteria under it belong to the same part."""

    campaign = models.ForeignKey(
        "cases.Campaign", on_delete=models.CASCADE, related_name="rubric_parts", verbose_name="评选活动"
    )
    name = models.CharField("部分名称", max_length=40)
    position = models.PositiveSmallIntegerField("序号", default=0)
    scored_once_per_group = models.BooleanField(
        "按县区整体评价",
        default=False,
        help_text="如区县部分：汇总排名时，该部分取同一县区所有申报的该部分评分的平均分，只计一次。",
    )

    class Meta:
        verbose_name = "评分部分"
        verbose_name_plural = "评分部分"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="rubric_part_unique_name")]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    """评分指标: a node of a campaign's rubric. Only leaves are scored; parents roll their children up."""

    campaign = models.ForeignKey(
        "cases.Campaign", on_delete=models.CASCADE, related_name="criteria", verbose_name="评选活动"
    )
    category = models.CharField(
        "适用案例类别", max_length=10, blank=True, help_text="留空表示适用于所有类别；某类别有专属指标时用专属指标。"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name="上级指标"
    )
    name = models.CharField("指标名称", max_length=100)
    description = models.TextField("指标说明", blank=True)
    max_points = models.DecimalField(
        "分值", max_digits=6, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2, default=Decimal("1"))
    position = models.PositiveSmallIntegerField("序号", default=0)
    part = models.ForeignKey(
        RubricPart,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="criteria",
        verbose_name="所属部分",
        help_text="留空表示不分部分；下级指标随上级指标。",
    )

    class Meta:
        verbose_name = "评分指标"
        verbose_name_plural = "评分指标"
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class Conflict(models.Model):
    """回避: a reviewer who must not see a case."""

    class Source(models.TextChoices):
        ORGANISATION = "organisation", "同一单位"
        SIMILAR_NAME = "similar_name", "疑似同一单位（工作人员确认）"
        DECLARED = "declared", "专家申报回避"
        STAFF = "staff", "工作人员登记"

    application = models.ForeignKey(
        "cases.Application", on_delete=models.CASCADE, related_name="conflicts", verbose_name="申报案例"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_conflicts", verbose_name="评审专家"
    )
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    reason = models.CharField("回避理由", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "回避"
        verbose_name_plural = "回避"
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="conflict_unique")]

    def __str__(self):
        return f"回避：{self.reviewer} / {self.application}"


class ConflictFlag(models.Model):
    """疑似回避: an expert whose free-text unit resembles the applicant's (the same name without 昆山市, 社工 for
    社会工作 …) without being the same registered organisation. Staff confirm it (a Conflict is recorded) or
    dismiss it; until then the expert is not assigned the case. Detection never flags a pair twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认回避"
        DISMISSED = "dismissed", "已排除"

    application = models.ForeignKey(
        "cases.Application", on_delete=models.CASCADE, related_name="conflict_flags", verbose_name="申报案例"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflict_flags", verbose_name="评审专家"
    )
    reviewer_unit = models.CharField("专家工作单位", max_length=100)
    applicant_unit = models.CharField("申报单位", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = "疑似回避"
        verbose_name_plural = "疑似回避"
        ordering = ["application_id", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="conflict_flag_unique")]

    def __str__(self):
        return f"疑似回避：{self.reviewer_unit} / {self.applicant_unit}"


class Assignment(models.Model):
    """评审分配: one reviewer is to review one case. Its review is created on the first save."""

    application = models.ForeignKey(
        "cases.Application", on_delete=models.CASCADE, related_name="assignments", verbose_name="申报案例"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments", verbose_name="评审专家"
    )
    assigned_at = models.DateTimeField("分配时间", auto_now_add=True)
    is_automatic = models.BooleanField("自动分配", default=True)

    class Meta:
        verbose_name = "评审分配"
        verbose_name_plural = "评审分配"
        ordering = ["application_id", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="assignment_unique")]
        # The reviewer's queue: one reviewer's assignments, in case order.
        indexes = [models.Index(fields=["reviewer", "application"], name="assignment_reviewer_queue_idx")]

    def __str__(self):
        return f"{self.reviewer} 评审 {self.application}"


class Review(models.Model):
    """评审: one reviewer's scores and 专家评审意见 on one case."""

    class Status(models.TextChoices):
        DRAFT = "draft", "评审中"
        SUBMITTED = "submitted", "已提交"

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="review", verbose_name="评审分配"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    opinion = models.TextField("专家评审意见", blank=True)
    total = models.DecimalField("总分", max_digits=7, decimal_places=2, default=Decimal("0"))
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reopen_reason = models.CharField("重新开放理由", max_length=200, blank=True)
    # The total as this reviewer's z-score among their submitted reviews of the campaign: written by the review
    # services (services.application_scores_refresh) so normalisation is one UPDATE, never a per-request pass.
    z = models.FloatField("专家内标准分", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "评审"
        verbose_name_plural = "评审"

    def __str__(self):
        return f"评审 #{self.pk}"


class Score(models.Model):
    """评分: the points one review gives one leaf criterion."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores", verbose_name="评审")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name="评分指标")
    points = models.DecimalField("得分", max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_unique")]

    def __str__(self):
        return f"{self.criterion}：{self.points}"


class AwardDecision(models.Model):
    """奖项等级: an application's tier. Staff may change the suggested tier with a reason; confirming the
    decision list records every ranked application's rank, score and final tier for the publicity window."""

    application = models.OneToOneField(
        "cases.Application", on_delete=models.CASCADE, related_name="award_decision", verbose_name="申报案例"
    )
    suggested_tier = models.CharField("建议奖项等级", max_length=40, blank=True)
    tier = models.CharField("奖项等级", max_length=40, blank=True)
    reason = models.CharField("调整理由", max_length=300, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    score = models.DecimalField("排名得分", max_digits=7, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调整人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    class Meta:
        verbose_name = "奖项等级"
        verbose_name_plural = "奖项等级"
        ordering = ["rank", "id"]

    def __str__(self):
        return f"{self.application}：{self.tier or '无'}"


class ApplicationScore(models.Model):
    """案例评分汇总: an application's aggregates over its submitted reviews, written by the review services when
    a review is submitted, reopened or removed by a conflict, so the ranking reads rows instead of recomputing.
    Rank and tier are not stored: they follow from the order of these rows (window functions in the ranking)."""

    application = models.OneToOneField(
        "cases.Application",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="score",
        verbose_name="申报案例",
    )
    # The application's campaign, copied here so that a ranking page reads one index of this table in rank order
    # (a LIMIT stops after one page) instead of joining every application of the campaign and sorting them.
    campaign = models.ForeignKey(
        "cases.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name="评选活动", db_index=False
    )
    count = models.PositiveIntegerField("有效评审数", default=0)
    mean = models.FloatField("平均分", null=True, blank=True)
    median = models.FloatField("中位数", null=True, blank=True)
    trimmed_mean = models.FloatField("去极值平均", null=True, blank=True)
    normalised = models.FloatField("标准化得分", null=True, blank=True)
    spread = models.FloatField("最高与最低分之差", default=0)
    # {rubric part id (as text): the mean over submitted reviews of the part's weighted subtotal}; written with
    # the other aggregates (services._part_means_update), empty when the rubric has no parts.
    part_means = models.JSONField("各部分平均分", default=dict, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "案例评分汇总"
        verbose_name_plural = "案例评分汇总"
        # One per ranking method, in its rank order (reviews.selectors: score, mean, median, count, then the
        # application): the ranking page reads the rows that have a score straight from it.
        indexes = [
            models.Index(
                fields=["campaign", "-normalised", "-mean", "-median", "-count", "application"],
                name="appscore_rank_normalised",
            ),
            models.Index(fields=["campaign", "-mean", "-median", "-count", "application"], name="appscore_rank_mean"),
            models.Index(fields=["campaign", "-median", "-mean", "-count", "application"], name="appscore_rank_median"),
            models.Index(
                fields=["campaign", "-trimmed_mean", "-mean", "-median", "-count", "application"],
                name="appscore_rank_trimmed",
            ),
        ]

    def __str__(self):
        return f"{self.application_id}：{self.count} 份评审"


class ReviewerScoreStats(models.Model):
    """专家评分统计: one reviewer's count, mean and spread of their submitted totals in a campaign (the
    calibration table and the reviewer's z-scores), written with the stored aggregates."""

    campaign = models.ForeignKey(
        "cases.Campaign", on_delete=models.CASCADE, related_name="reviewer_score_stats", verbose_name="评选活动"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="评审专家"
    )
    count = models.PositiveIntegerField("已提交评审数", default=0)
    mean = models.FloatField("平均分", default=0)
    sd = models.FloatField("标准差", default=0)

    class Meta:
        verbose_name = "专家评分统计"
        verbose_name_plural = "专家评分统计"
        constraints = [models.UniqueConstraint(fields=["campaign", "reviewer"], name="reviewer_score_stats_unique")]

    def __str__(self):
        return f"{self.reviewer_id}：{self.count} 份"


def upload_score_sheet(instance, filename):
    """A random name under a private folder: there is no /media/ route, the download view checks who asks."""
    return f"reviews/score-sheets/{instance.campaign_id}/{uuid.uuid4().hex}.xlsx"


class ScoreSheetExport(BackgroundJob):
    """评分汇总表导出: a campaign's score sheet (.xlsx), built by a background job, never inside a request."""

    task_path = "reviews.tasks.export_score_sheet"

    campaign = models.ForeignKey(
        "cases.Campaign", on_delete=models.CASCADE, related_name="score_sheet_exports", verbose_name="评选活动"
    )

    class Meta(BackgroundJob.Meta):
        verbose_name = "评分汇总表导出"
        verbose_name_plural = "评分汇总表导出"

    def __str__(self):
        return f"{self.campaign}：{self.get_status_display()}"

    def upload_path(self, filename: str) -> str:
        return upload_score_sheet(self, filename)
