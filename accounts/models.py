import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
    _user_has_module_perms,
    _user_has_perm,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .validators import mobile_validator, validate_credit_code


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("必须填写电子邮箱。")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address."""

    email = models.EmailField(
        "电子邮箱", unique=True, error_messages={"unique": "该电子邮箱已注册，请直接登录或找回密码。"}
    )
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号码", max_length=11, blank=True, validators=[mobile_validator])
    is_reviewer = models.BooleanField("评审专家", default=False, help_text="评审专家库成员可进入“我的评审”。")
    is_staff = models.BooleanField("民政局工作人员", default=False, help_text="可进入管理后台。")
    is_active = models.BooleanField("启用", default=True)
    date_joined = models.DateTimeField("注册时间", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name

    # A superuser manages staff and permissions in the admin; it is not a key to every
    # object. Django's PermissionsMixin answers True to any permission for a superuser;
    # here the backends decide, so the object rules (rules.py) hold for superusers too
    # (another applicant's draft is 404 to them as to staff) while the admin's model
    # permissions still come from ModelBackend, which grants a superuser all of them.
    def has_perm(self, perm, obj=None):
        return self.is_active and _user_has_perm(self, perm, obj)

    def has_module_perms(self, app_label):
        return self.is_active and _user_has_module_perms(self, app_label)


class Organisation(models.Model):
    """机构: a social-work organisation (or other unit) whose people file cases."""

    class Kind(models.TextChoices):
        SOCIAL_WORK_AGENCY = "agency", "社会工作服务机构"
        SOCIAL_ORGANISATION = "social_org", "其他社会组织"
        PUBLIC_INSTITUTION = "institution", "事业单位"
        GOVERNMENT = "government", "党政机关/群团组织"
        COMMUNITY = "community", "城乡社区"
        ENTERPRISE = "enterprise", "企业"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    name = models.CharField(
        "机构名称", max_length=100, unique=True, error_messages={"unique": "该机构已存在，请在“所在机构”中直接选择。"}
    )
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": "该统一社会信用代码已登记，请在“所在机构”中直接选择。"},
    )
    district = models.CharField("所属区镇", max_length=30)
    kind = models.CharField("机构类型", max_length=20, choices=Kind.choices, default=Kind.SOCIAL_WORK_AGENCY)
    status = models.CharField("审核状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_note = models.CharField("审核说明", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's place in an organisation: a member files cases, an admin recommends them."""

    class Role(models.TextChoices):
        MEMBER = "member", "成员（申报社工）"
        ADMIN = "admin", "机构负责人"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="用户"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name="机构"
    )
    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "机构成员"
        verbose_name_plural = "机构成员"
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")]

    def __str__(self):
        return f"{self.user.name} @ {self.organisation.name}（{self.get_role_display()}）"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改。")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除。")


class AuditEvent(models.Model):
    """审计日志: an append-only record of security-relevant events. Written only by `audit_record`."""

    class Kind(models.TextChoices):
        LOGIN_SUCCESS = "login_success", "登录成功"
        LOGIN_FAILURE = "login_failure", "登录失败"
        LOCKED_OUT = "locked_out", "账户锁定"
        LOGOUT = "logout", "退出登录"
        PERMISSION_DENIED = "permission_denied", "访问被拒绝"
        SIGNUP = "signup", "注册账户"
        PASSWORD_CHANGE = "password_change", "修改密码"
        PASSWORD_RESET = "password_reset", "重置密码"
        ORGANISATION_DECISION = "organisation_decision", "机构审核"
        CASE_SUBMIT = "case_submit", "提交申报"
        CASE_WITHDRAW = "case_withdraw", "撤回申报"
        CASE_RECOMMEND = "case_recommend", "单位推荐"
        CASE_RETURN = "case_return", "退回修改"
        REVIEW_SUBMIT = "review_submit", "提交评审"
        DECISION = "decision", "评审决定"
        PUBLICATION = "publication", "发布公示/结果"
        CERTIFICATE = "certificate", "荣誉证书"
        ACTIVITY_REPORT = "activity_report", "活动报送"
        DRAFT_SAVE = "draft_save", "保存草稿"
        PROFILE_CHANGE = "profile_change", "修改个人资料"
        ADMIN_ADD = "admin_add", "后台新增"
        ADMIN_CHANGE = "admin_change", "后台修改"
        ADMIN_DELETE = "admin_delete", "后台删除"
        OTHER = "other", "其他"

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # No database constraint and DO_NOTHING: deleting a user must not rewrite the rows that
    # record what they did (the database refuses UPDATE on this table); user_label keeps who.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user_label = models.CharField(
        "用户标识", max_length=254, blank=True, help_text="事件发生时的用户邮箱或登录名，用户删除后仍保留。"
    )
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    kind = models.CharField("事件", max_length=32, choices=Kind.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    detail = models.TextField("说明", blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.user_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除。")


class CertificateLevel(models.TextChoices):
    """社会工作者职业水平: the national levels, lowest first (a rule "this level or higher" reads this order)."""

    ASSISTANT = "assistant", "助理社会工作师"
    SOCIAL_WORKER = "social_worker", "社会工作师"
    SENIOR = "senior", "高级社会工作师"


CERTIFICATE_LEVEL_ORDER = [CertificateLevel.ASSISTANT, CertificateLevel.SOCIAL_WORKER, CertificateLevel.SENIOR]


class OrganisationProfile(models.Model):
    """机构资质: what a call for applications asks of an organisation (登记、年检、专职人员、持证社工), kept by
    the organisation's admin with evidence uploads and read by the campaigns' eligibility rules."""

    class InspectionResult(models.TextChoices):
        PASSED = "passed", "合格"
        BASICALLY_PASSED = "basic", "基本合格"
        FAILED = "failed", "不合格"

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="profile", verbose_name="机构"
    )
    registration_authority = models.CharField(
        "登记管理机关", max_length=100, blank=True, help_text="如：青铜峡市民政局。"
    )
    registered_on = models.DateField("登记日期", null=True, blank=True)
    inspection_year = models.PositiveSmallIntegerField("最近一次年检年度", null=True, blank=True)
    inspection_result = models.CharField("年检结论", max_length=10, choices=InspectionResult.choices, blank=True)
    full_time_staff = models.PositiveSmallIntegerField("专职工作人员人数", default=0)
    assistant_social_workers = models.PositiveSmallIntegerField("助理社会工作师人数", default=0)
    social_workers = models.PositiveSmallIntegerField("社会工作师人数", default=0)
    senior_social_workers = models.PositiveSmallIntegerField("高级社会工作师人数", default=0)
    updated_at = models.DateTimeField("最后修改", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "机构资质"
        verbose_name_plural = "机构资质"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inspection_year__isnull=True) | models.Q(inspection_year__gte=1990),
                name="organisation_profile_inspection_year_sane",
            ),
        ]

    def __str__(self):
        return f"{self.organisation.name} 机构资质"

    def clean(self):
        errors = {}
        certified = self.assistant_social_workers + self.social_workers + self.senior_social_workers
        if certified > self.full_time_staff:
            errors["full_time_staff"] = (
                f"持证社会工作者共 {certified} 人，多于专职工作人员 {self.full_time_staff} 人，请核对。"
            )
        if bool(self.inspection_year) != bool(self.inspection_result):
            target = "inspection_result" if self.inspection_year else "inspection_year"
            errors[target] = "年检年度和年检结论须同时填写。"
        if self.inspection_year and self.inspection_year > timezone.localdate().year:
            errors["inspection_year"] = "年检年度不能晚于今年。"
        if self.registered_on and self.registered_on > timezone.localdate():
            errors["registered_on"] = "登记日期不能晚于今天。"
        if errors:
            raise ValidationError(errors)

    def certified_at_least(self, level: str) -> int:
        """How many certified social workers hold `level` or a higher one."""
        counts = {
            CertificateLevel.ASSISTANT: self.assistant_social_workers,
            CertificateLevel.SOCIAL_WORKER: self.social_workers,
            CertificateLevel.SENIOR: self.senior_social_workers,
        }
        start = CERTIFICATE_LEVEL_ORDER.index(level)
        return sum(counts[lvl] for lvl in CERTIFICATE_LEVEL_ORDER[start:])


def upload_organisation_evidence(instance, filename):
    """A random name under the organisation: the user's file name never reaches the disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"organisations/{instance.organisation_id}/evidence/{uuid.uuid4().hex}{suffix}"


class OrganisationEvidence(models.Model):
    """资质证明材料: a scan (PDF, JPEG or PNG, checked by content) that backs the organisation's profile."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evidence", verbose_name="机构"
    )
    description = models.CharField("材料说明", max_length=200, help_text="如：法人登记证书副本（正、反面）。")
    file = models.FileField("文件", upload_to=upload_organisation_evidence)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "资质证明材料"
        verbose_name_plural = "资质证明材料"
        ordering = ["id"]

    def __str__(self):
        return self.description or self.original_name
