import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import CertificateLevel
from notifications.jobs import BackgroundJob

DEFAULT_DOMAINS = [
    "儿童及青少年",
    "妇女家庭",
    "老龄事业",
    "优抚安置",
    "社会救助",
    "禁毒戒毒",
    "矫治帮扶",
    "社区建设",
    "社会工作发展",
    "学校社工",
    "医务社工",
    "残障服务",
    "综合及其他",
]


def default_domains():
    return list(DEFAULT_DOMAINS)


def default_categories():
    return ["casework", "group", "community"]


# What one application is called, by the campaign's form preset (cases.presets): the case award's 案例, a project
# call's 项目, a station evaluation's 站点. Public pages, lists and the score sheet say it.
ITEM_NOUNS = {"case_award": "案例", "project_call": "项目", "station_evaluation": "站点"}


class CampaignQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_for_submission(self, now):
        """Published campaigns whose submission window contains `now` (both ends included)."""
        return self.published().filter(submission_opens_at__lte=now, submission_closes_at__gte=now)

    # The publicity settings live in the awards app (awards.Publicity, reverse name "publicity"); a campaign
    # without a row follows its dates. The override values are awards.Publicity.Override's, spelled out here
    # because the cases app does not import the awards app. Campaign.public_phase must agree.
    def publicity_open(self, now):
        """Published campaigns whose 公示 window is open at `now`: from publicity_starts_at to publicity_ends_at
        (both included) unless staff forced it open or closed, and never once the results are published."""
        follows_dates = Q(publicity__isnull=True) | Q(publicity__override="auto")
        in_window = Q(publicity_starts_at__lte=now, publicity_ends_at__gte=now)
        return self.published().filter(
            Q(publicity__results_published_at__isnull=True),
            Q(publicity__override="open") | (follows_dates & in_window),
        )

    def results_published(self):
        """Published campaigns whose 获奖名单 is out, public for good."""
        return self.published().filter(publicity__results_published_at__isnull=False)


class Campaign(models.Model):
    """评选活动: one award campaign with its timeline. Every date is a setting, never a constant."""

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", "尚未开始"
        SUBMISSION = "submission", "组织申报"
        BETWEEN = "between", "申报已截止"
        REVIEW = "review", "案例评选"
        PUBLICITY = "publicity", "公示中"
        PUBLICITY_CLOSED = "publicity_closed", "公示已结束"
        CEREMONY = "ceremony", "等待颁奖"
        FINISHED = "finished", "已结束"
        RESULTS = "results", "已公布"

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
    recommendation_closes_at = models.DateTimeField(
        "单位推荐截止时间", null=True, blank=True, help_text="所在单位推荐申报案例的截止时间；留空表示不单独设置。"
    )
    formal_check_closes_at = models.DateTimeField(
        "形式审查截止时间", null=True, blank=True, help_text="工作人员完成形式审查的截止时间；留空表示不单独设置。"
    )
    review_opens_at = models.DateTimeField("评审开始时间")
    review_closes_at = models.DateTimeField("评审截止时间")
    publicity_starts_at = models.DateTimeField("公示开始时间")
    publicity_ends_at = models.DateTimeField("公示结束时间")
    ceremony_at = models.DateTimeField("颁奖时间", null=True, blank=True)
    contact = models.CharField("联系方式", max_length=200, blank=True)

    # --- Rules of the award (defaults from the notice) ---
    domains = models.JSONField("案例领域", default=default_domains, help_text="可编辑的案例领域列表。")
    categories = models.JSONField(
        "案例类别",
        default=default_categories,
        help_text="开放申报的案例类别（casework 个案、group 小组、community 社区）。",
    )
    body_min_chars = models.PositiveIntegerField("正文建议最少字数", default=5000)
    body_max_chars = models.PositiveIntegerField("正文建议最多字数", default=10000)
    body_limits_are_hard = models.BooleanField(
        "字数为硬性要求", default=False, help_text="勾选后，字数不在范围内不能提交；否则只作提醒。"
    )
    photos_min = models.PositiveSmallIntegerField("服务照片最少张数", default=3)
    photos_max = models.PositiveSmallIntegerField("服务照片最多张数", default=5)
    casework_photos_min = models.PositiveSmallIntegerField("个案服务照片最少张数", default=0)
    casework_photos_max = models.PositiveSmallIntegerField("个案服务照片最多张数", default=5)
    photo_min_pixels = models.PositiveIntegerField(
        "单张照片最少像素",
        default=2_000_000,
        help_text="通知要求照片“不小于2M”：按分辨率（宽×高的像素数）判断，不按文件大小（文件可被填充变大）。"
        "默认 200 万像素，约 1600×1250。",
    )
    photo_max_bytes = models.PositiveIntegerField("单张照片最大字节数", default=20 * 1024 * 1024)
    max_applications_per_applicant = models.PositiveSmallIntegerField(
        "每位社工申报上限", default=0, help_text="0 表示不限。"
    )
    max_applications_per_organisation = models.PositiveSmallIntegerField(
        "每个机构申报上限", default=0, help_text="0 表示不限。"
    )
    blind_review = models.BooleanField("匿名评审", default=True, help_text="评审专家看不到申报人和机构信息。")
    recommendation_required = models.BooleanField("须经单位推荐", default=True)
    # --- 申报表单: the form applicants fill (cases.formdef); the case award keeps the official columns ---
    form_preset = models.CharField(
        "申报表单模板",
        max_length=40,
        default="case_award",
        help_text="优秀社工案例评选使用官方报名表；其他模板按申报表单定义填写。",
    )
    form_definition = models.JSONField(
        "申报表单定义", default=dict, blank=True, help_text="留空表示使用模板的表单；提交首份申报后不能再改。"
    )
    reference_prefix = models.CharField(
        "申报编号前缀", max_length=10, default="KS", help_text="申报编号形如 KS2026-0007。"
    )
    # The last reference number given out: bumped under a row lock, so a number is never reused.
    reference_counter = models.PositiveIntegerField("已发申报编号", default=0, editable=False)
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

    def clean(self):
        """A domain longer than an application can store would save here and then refuse every application
        that picks it; refuse it here, naming it."""
        limit = Application._meta.get_field("domain").max_length
        too_long = [d for d in (self.domains or []) if isinstance(d, str) and len(d) > limit]
        if too_long:
            raise ValidationError(
                {
                    "domains": [
                        f"案例领域“{d}”有 {len(d)} 个字，超过申报表能保存的 {limit} 个字，请缩短。" for d in too_long
                    ]
                }
            )

    @property
    def uses_defined_form(self) -> bool:
        """Whether applicants fill a form defined as data (answers), not the official 报名表 columns."""
        return self.form_preset != "case_award"

    @property
    def item_noun(self) -> str:
        """What one application of this campaign is called on its pages, lists and score sheet: 案例, 项目, 站点
        (by its form's preset, ITEM_NOUNS)."""
        return ITEM_NOUNS.get(self.form_preset, "案例")

    def photo_range(self, category: str) -> tuple[int, int]:
        """How many service photos an application of this category must have."""
        if category == "casework":
            return self.casework_photos_min, self.casework_photos_max
        return self.photos_min, self.photos_max

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

    def public_phase(self, now):
        """The phase the public sees: phase() by the dates, corrected by the awards app's publicity settings
        (staff forcing the window open or closed, the results published). Same rule as publicity_open()."""
        publicity = getattr(self, "publicity", None)  # no row: the dates decide
        if publicity is not None and publicity.results_published_at:
            return self.Phase.RESULTS
        override = publicity.override if publicity is not None else "auto"
        if override == "open":
            return self.Phase.PUBLICITY
        phase = self.phase(now)
        if override == "closed" and phase == self.Phase.PUBLICITY:
            return self.Phase.PUBLICITY_CLOSED
        return phase

    def public_link(self, now) -> tuple[str, str] | None:
        """(label, url) of the page the public needs in this phase: the publicity page (list and objections)
        from the window's start until the results are out, then the results."""
        phase = self.public_phase(now)
        if phase == self.Phase.RESULTS:
            return "查看获奖名单", reverse("awards:results", kwargs={"slug": self.slug})
        if phase in (self.Phase.PUBLICITY, self.Phase.PUBLICITY_CLOSED, self.Phase.CEREMONY, self.Phase.FINISHED):
            return "查看公示名单", reverse("awards:publicity", kwargs={"slug": self.slug})
        return None

    def publicity_days_left(self, now) -> int | None:
        """Calendar days (Shanghai) until the publicity window closes: 0 on its last day."""
        if self.public_phase(now) != self.Phase.PUBLICITY or now > self.publicity_ends_at:
            return None
        return (timezone.localdate(self.publicity_ends_at) - timezone.localdate(now)).days

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


class MaterialType(models.TextChoices):
    """File types a 申报材料 slot may accept; each is recognised by its content, never by its name."""

    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    DOC = "doc", "DOC"
    DOCX = "docx", "DOCX"


def default_material_types():
    return [MaterialType.PDF.value, MaterialType.JPEG.value, MaterialType.PNG.value]


class MaterialSlot(models.Model):
    """申报材料: one named material a campaign asks for (such as 法人登记证书副本), with the file types, how many
    files and how large. A campaign without slots takes free attachments only, as before."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="material_slots", verbose_name="评选活动"
    )
    name = models.CharField("材料名称", max_length=100)
    required = models.BooleanField("必须提交", default=True)
    allowed_types = models.JSONField(
        "允许的文件类型", default=default_material_types, help_text="PDF、JPEG、PNG、DOC、DOCX 中的一种或几种。"
    )
    max_files = models.PositiveSmallIntegerField("最多文件数", default=1)
    max_size_mb = models.PositiveSmallIntegerField("单个文件大小上限（MB）", default=20)
    help_text = models.CharField("填写说明", max_length=300, blank=True)
    position = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = "申报材料"
        verbose_name_plural = "申报材料"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="material_slot_unique_name"),
            models.CheckConstraint(condition=models.Q(max_files__gte=1), name="material_slot_max_files_positive"),
            models.CheckConstraint(condition=models.Q(max_size_mb__gte=1), name="material_slot_max_size_positive"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        types = self.allowed_types if isinstance(self.allowed_types, list) else []
        unknown = [t for t in types if t not in MaterialType.values]
        if not types or unknown:
            raise ValidationError({"allowed_types": "请从 PDF、JPEG、PNG、DOC、DOCX 中选择至少一种文件类型。"})

    def type_labels(self) -> str:
        """The accepted types in the fixed order, as the applicant reads them: "PDF、JPEG、PNG"."""
        return "、".join(label for value, label in MaterialType.choices if value in (self.allowed_types or []))

    def accept_attribute(self) -> str:
        """The file input's `accept`: a hint for the browser's picker (the server judges the content)."""
        extensions = {"pdf": ".pdf", "jpeg": ".jpg,.jpeg", "png": ".png", "doc": ".doc", "docx": ".docx"}
        return ",".join(extensions[t] for t in MaterialType.values if t in (self.allowed_types or []))


class EligibilityRule(models.Model):
    """申报资格: one condition a campaign sets on the applying organisation, read from its 机构资质."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "已在民政部门登记注册"
        ANNUAL_INSPECTION_PASSED = "annual_inspection_passed", "指定年度年检合格"
        MIN_FULL_TIME_STAFF = "min_full_time_staff", "专职工作人员不少于"
        MIN_CERTIFIED = "min_certified", "持证社会工作者不少于"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="eligibility_rules", verbose_name="评选活动"
    )
    kind = models.CharField("条件", max_length=30, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年检年度", null=True, blank=True)
    accept_basic_pass = models.BooleanField(
        "“基本合格”也视为合格", default=False, help_text="只对年检条件有效；不勾选时只认“合格”。"
    )
    number = models.PositiveSmallIntegerField("人数", null=True, blank=True)
    level = models.CharField("证书等级（及以上）", max_length=16, choices=CertificateLevel.choices, blank=True)
    authority = models.CharField(
        "登记管理机关须包含", max_length=100, blank=True, help_text="只对登记条件有效，如“青铜峡市”；留空则不限。"
    )
    position = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = "申报资格"
        verbose_name_plural = "申报资格"
        ordering = ["position", "id"]

    def __str__(self):
        return self.describe()

    def clean(self):
        errors = {}
        if self.kind == self.Kind.ANNUAL_INSPECTION_PASSED and not self.year:
            errors["year"] = "请填写要求年检合格的年度。"
        if self.kind in (self.Kind.MIN_FULL_TIME_STAFF, self.Kind.MIN_CERTIFIED) and not self.number:
            errors["number"] = "请填写人数（至少 1 人）。"
        if self.kind == self.Kind.MIN_CERTIFIED and not self.level:
            errors["level"] = "请选择证书等级。"
        if errors:
            raise ValidationError(errors)
        # A value the kind does not read is cleared, so a rule never carries a stale year or number.
        if self.kind != self.Kind.ANNUAL_INSPECTION_PASSED:
            self.year, self.accept_basic_pass = None, False
        if self.kind not in (self.Kind.MIN_FULL_TIME_STAFF, self.Kind.MIN_CERTIFIED):
            self.number = None
        if self.kind != self.Kind.MIN_CERTIFIED:
            self.level = ""
        if self.kind != self.Kind.REGISTERED:
            self.authority = ""

    def describe(self) -> str:
        """The rule as the call for applications words it."""
        if self.kind == self.Kind.REGISTERED:
            where = f"（登记管理机关含“{self.authority}”）" if self.authority else ""
            return f"已在民政部门登记注册{where}"
        if self.kind == self.Kind.ANNUAL_INSPECTION_PASSED:
            basic = "（基本合格亦可）" if self.accept_basic_pass else ""
            return f"{self.year} 年度年检合格{basic}"
        if self.kind == self.Kind.MIN_FULL_TIME_STAFF:
            return f"专职工作人员不少于 {self.number} 名"
        if self.kind == self.Kind.MIN_CERTIFIED:
            return f"至少 {self.number} 名专职工作人员获得{self.get_level_display()}及以上资格证"
        return self.get_kind_display()


class Category(models.TextChoices):
    """案例类别."""

    CASEWORK = "casework", "个案"
    GROUP = "group", "小组"
    COMMUNITY = "community", "社区"


# 正文章节: the six sections of the body, in the notice's order: (field name, heading).
SECTIONS = [
    ("background", "一、背景介绍"),
    ("analysis", "二、分析预估"),
    ("plan", "三、服务计划"),
    ("implementation", "四、服务计划实施过程"),
    ("evaluation", "五、总结评估"),
    ("reflection", "六、专业反思"),
]


# What 三、服务计划 must cover, by category (the notice's 文字要求).
PLAN_GUIDANCE = {
    "casework": "个案：请写明理论依据、服务需求、服务目标、服务程序安排。",
    "community": "社区：请写明理论依据、服务需求、服务目标、服务程序安排。",
    "group": "小组：请写明小组理念、小组目标、小组性质、对象、时间、小组程序。",
}
SECTION_GUIDANCE = {
    "background": "服务对象（或社区、小组）的基本情况与案例来源。小标题依次使用 一、 （一） 1、 （1）。",
    "analysis": "对服务对象问题与需求的分析预估。",
    "implementation": "按服务计划开展服务的过程。",
    "evaluation": "服务成效的总结与评估。",
    "reflection": "对本案例的专业反思。",
}

# 真实情况承诺: the pledge of the official form, word for word (seed 000).
PLEDGE_TEXT = "所选送案例提供的基本案情、工作过程、案例材料等均来源于实际，内容真实有效。"


class ApplicationQuerySet(models.QuerySet):
    def submitted(self):
        """Applications past the applicant's hands (submitted or further along)."""
        return self.exclude(status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN])


class Application(models.Model):
    """申报案例: one case filed for one campaign, with the official form's fields word for word."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RECOMMENDED = "recommended", "已推荐"
        RETURNED = "returned", "退回修改"
        WITHDRAWN = "withdrawn", "已撤回"
        ACCEPTED = "accepted", "形式审查通过"
        INELIGIBLE = "ineligible", "不予受理"

    EDITABLE_STATUSES = (Status.DRAFT, Status.WITHDRAWN, Status.RETURNED)

    campaign = models.ForeignKey(
        Campaign, verbose_name="评选活动", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        "accounts.User", verbose_name="申报人账户", on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="所属机构", on_delete=models.PROTECT, related_name="applications"
    )
    reference = models.CharField("申报编号", max_length=20, unique=True, null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    version = models.PositiveIntegerField("版本号", default=1, help_text="每次保存加一，用于发现过期的保存。")
    # Privacy/terminology findings left in the text at the last save (cases.privacy), for the staff filter.
    findings_count = models.PositiveIntegerField("隐私/用语提示数", default=0)

    # --- 报名表 ---
    title = models.CharField("案例名称", max_length=100, blank=True)
    period_start = models.DateField("案例起止时间（起）", null=True, blank=True)
    period_end = models.DateField("案例起止时间（止）", null=True, blank=True)
    declaring_unit = models.CharField("申报单位", max_length=100, blank=True)
    organisation_name = models.CharField("机构名称", max_length=100, blank=True)
    applicant_name = models.CharField("申报社工姓名", max_length=50, blank=True)
    phone = models.CharField("联系方式（电话）", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    qq = models.CharField("QQ", max_length=11, blank=True)
    category = models.CharField("案例类别", max_length=10, choices=Category.choices, blank=True)
    domain = models.CharField("案例领域", max_length=20, blank=True)

    # --- 正文 (SECTIONS) ---
    background = models.TextField("一、背景介绍", blank=True)
    analysis = models.TextField("二、分析预估", blank=True)
    plan = models.TextField("三、服务计划", blank=True)
    implementation = models.TextField("四、服务计划实施过程", blank=True)
    evaluation = models.TextField("五、总结评估", blank=True)
    reflection = models.TextField("六、专业反思", blank=True)

    # --- Answers of a campaign's defined form (cases.formdef), keyed by field key; unused by the case award ---
    answers = models.JSONField("申报表单填写内容", default=dict, blank=True)

    # --- 真实情况承诺 ---
    # --- Sent back for revision (by the organisation admin or in the formal check) ---
    return_reason = models.TextField("退回理由", blank=True)
    resubmit_until = models.DateTimeField("重新提交截止时间", null=True, blank=True)

    pledge_accepted = models.BooleanField("已阅读并承诺", default=False)
    pledge_signature = models.CharField("承诺人签名", max_length=50, blank=True)
    pledged_at = models.DateTimeField("承诺时间", null=True, blank=True)
    pledged_ip = models.GenericIPAddressField("承诺 IP", null=True, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "申报案例"
        verbose_name_plural = "申报案例"
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            # The staff list's order, newest first: a page is 25 rows read off the index.
            models.Index(fields=["-submitted_at", "-id"], name="application_submitted_idx"),
            # The same list filtered to one campaign (the staff list's 评选活动 filter): without it SQLite reads the
            # campaign's rows by campaign_id and sorts them all (87 ms at 10,000; 0.1 ms with it).
            models.Index(fields=["campaign", "-submitted_at", "-id"], name="application_campaign_sub_idx"),
            # The organisation admin's queue: their organisations' applications, by status then newest.
            models.Index(fields=["organisation", "status", "-submitted_at"], name="application_org_queue_idx"),
        ]

    def __str__(self):
        return self.reference or self.title or f"草稿 #{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    def sections(self) -> list[tuple[str, str, str]]:
        """(field name, heading, text) for the six sections, in order."""
        return [(name, heading, getattr(self, name)) for name, heading in SECTIONS]

    def body_length(self) -> int:
        return sum(len(getattr(self, name)) for name, _ in SECTIONS)


class TeamMember(models.Model):
    """团队成员: one row of 实施团队基本情况."""

    class Gender(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    class CertificateLevel(models.TextChoices):
        ASSISTANT = "assistant", "助理社会工作师"
        SOCIAL_WORKER = "social_worker", "社会工作师"
        SENIOR = "senior", "高级社会工作师"
        NONE = "none", "无"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="team_members", verbose_name="申报案例"
    )
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices, blank=True)
    age = models.PositiveSmallIntegerField("年龄", null=True, blank=True)
    education = models.CharField("学历", max_length=20, blank=True)
    unit_and_title = models.CharField("单位及职务", max_length=100, blank=True)
    years_in_social_work = models.PositiveSmallIntegerField("从事社会工作年限", null=True, blank=True)
    certificate_level = models.CharField(
        "社会工作专业技术等级", max_length=16, choices=CertificateLevel.choices, default=CertificateLevel.NONE
    )
    contact = models.CharField("联系方式", max_length=30, blank=True)

    class Meta:
        verbose_name = "团队成员"
        verbose_name_plural = "团队成员"
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


def _upload_path(instance, filename: str, kind: str) -> str:
    """A random name under the campaign and application: the user's file name never reaches the disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"cases/{instance.application.campaign_id}/{instance.application_id}/{kind}/{uuid.uuid4().hex}{suffix}"


def upload_photo(instance, filename):
    return _upload_path(instance, filename, "photos")


def upload_attachment(instance, filename):
    return _upload_path(instance, filename, "attachments")


def upload_blind_attachment(instance, filename):
    return _upload_path(instance, filename, "blind")


class CasePhoto(models.Model):
    """服务照片, EXIF stripped before it is stored."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="photos", verbose_name="申报案例"
    )
    image = models.ImageField("照片", upload_to=upload_photo, width_field="width", height_field="height")
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    caption = models.CharField("照片说明", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("序号", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "服务照片"
        verbose_name_plural = "服务照片"
        ordering = ["position", "id"]

    def __str__(self):
        return self.caption or f"照片 {self.position}"


class CaseAttachment(models.Model):
    """附件: PDF/DOC/DOCX, checked by content, stored under a random name."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments", verbose_name="申报案例"
    )
    # The 申报材料 this file was uploaded for; none for a free attachment (or once staff removed the slot).
    slot = models.ForeignKey(
        MaterialSlot,
        verbose_name="申报材料",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField("附件", upload_to=upload_attachment)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    description = models.CharField("附件说明", max_length=200, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    # The copy a blind reviewer downloads, made once and kept: blind_key is a hash of the source file, the
    # identifiers removed and the rules' version, so a changed file or list makes the copy anew.
    blind_file = models.FileField("匿名评审副本", upload_to=upload_blind_attachment, blank=True, editable=False)
    blind_key = models.CharField("匿名评审副本依据", max_length=64, blank=True, editable=False)
    blind_withheld_reason = models.CharField("对评审专家隐去的原因", max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class ReportLink(models.Model):
    """报道链接."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="report_links", verbose_name="申报案例"
    )
    url = models.URLField("报道链接", max_length=500)
    title = models.CharField("标题", max_length=200, blank=True)

    class Meta:
        verbose_name = "报道链接"
        verbose_name_plural = "报道链接"
        ordering = ["id"]

    def __str__(self):
        return self.title or self.url


class Endorsement(models.Model):
    """单位推荐: the organisation admin's 所在单位推荐意见 on a submitted application."""

    class Decision(models.TextChoices):
        RECOMMENDED = "recommended", "推荐"
        RETURNED = "returned", "退回修改"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="endorsements", verbose_name="申报案例"
    )
    decision = models.CharField("推荐意见", max_length=12, choices=Decision.choices)
    opinion = models.TextField("推荐意见/退回理由")
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="机构负责人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("时间", auto_now_add=True)
    stamped_scan = models.FileField("盖章扫描件", upload_to="cases/endorsements/", blank=True)

    class Meta:
        verbose_name = "单位推荐"
        verbose_name_plural = "单位推荐"
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"{self.get_decision_display()}：{self.application}"


def upload_export(instance, filename):
    """A random name under a private folder: there is no /media/ route, the download view checks who asks."""
    return f"cases/exports/{instance.campaign_id}/{uuid.uuid4().hex}.zip"


class CaseExport(BackgroundJob):
    """评选活动申报导出: every submitted application of a campaign as Word files in one ZIP, built by a job."""

    task_path = "cases.tasks.export_campaign"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exports", verbose_name="评选活动")

    class Meta(BackgroundJob.Meta):
        verbose_name = "评选活动申报导出"
        verbose_name_plural = "评选活动申报导出"

    def __str__(self):
        return f"{self.campaign}：{self.get_status_display()}"

    def upload_path(self, filename: str) -> str:
        return upload_export(self, filename)
