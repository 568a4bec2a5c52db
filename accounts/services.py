"""Every write about people, organisations and the audit log."""

import logging
from pathlib import PurePath

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from kunshan_portal.selectors import site_districts, site_settings
from notifications.email import email_send

from .audit import audit_record
from .models import AuditEvent, Membership, Organisation, OrganisationEvidence, OrganisationProfile, User
from .selectors import user_roles
from .tabular import Column, Row
from .validators import validate_credit_code

logger = logging.getLogger(__name__)


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """The sign-up link's token: it stops working once the account is active (or its password
    changes), so an old link cannot switch on an account staff have switched off."""

    key_salt = "accounts.services.ActivationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


activation_tokens = ActivationTokenGenerator()


def _activation_link(user: User) -> str:
    from django.urls import reverse

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:activate", kwargs={"uidb64": uid, "token": activation_tokens.make_token(user)})


@transaction.atomic
def user_sign_up(
    *,
    email: str,
    name: str,
    phone: str,
    password: str,
    organisation: Organisation | None = None,
    new_organisation: dict | None = None,
    request=None,
) -> User | None:
    """Ask for a social worker's account; it is switched on by the link in the e-mail it sends.

    Creates the user (inactive) and their membership, either in an approved organisation or in a
    new one that staff approve (created as 待审核); audits the sign-up and queues the e-mail with
    the activation link. When the e-mail already has an account, nothing is created: its owner is
    told by e-mail instead, and the caller answers the same page either way, after the same work
    (a password hashed, an audit row, an e-mail rendered and queued), so the page and its timing
    do not tell whether an address is registered. Returns the new user, or None.
    """
    if (organisation is None) == (new_organisation is None):
        raise ValidationError("请选择所在机构，或申请新增机构（二选一）。")
    email = email.strip().lower()
    hashed = make_password(password)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        _sign_up_existing(existing, request=request)
        return None
    user = User(email=email, name=name.strip(), phone=phone.strip(), is_active=False)
    user.password = hashed
    user.full_clean(validate_unique=False)  # a taken address must not show as a form error: see below
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same address signed up a moment ago, in a request still running
        _sign_up_existing(User.objects.get(email__iexact=email), request=request)
        return None
    if new_organisation is not None:
        organisation = Organisation(**new_organisation, status=Organisation.Status.PENDING, requested_by=user)
        organisation.credit_code = organisation.credit_code.strip().upper()
        organisation.full_clean()
        organisation.save()
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    audit_record(
        kind=AuditEvent.Kind.SIGNUP,
        request=request,
        user=user,
        obj=organisation,
        detail="新增机构申请" if new_organisation else "",
    )
    email_send(
        to=[user.email],
        subject=f"请验证邮箱，完成{site_settings().name}注册",
        template="accounts/email/welcome.txt",
        context={"user": user, "organisation": organisation, "activation_link": _activation_link(user)},
    )
    return user


def _sign_up_existing(user: User, *, request=None) -> None:
    """Someone signed up with an address that has an account: tell its owner, change nothing.
    An account never switched on gets a fresh activation link (its first e-mail may be lost)."""
    pending = not user.is_active and user.last_login is None
    audit_record(
        kind=AuditEvent.Kind.SIGNUP,
        request=request,
        user=user,
        detail="已注册的邮箱再次注册：已邮件通知账户本人，未作改动",
    )
    email_send(
        to=[user.email],
        subject=f"{site_settings().name}：您的邮箱已注册",
        template="accounts/email/signup_existing.txt",
        context={"user": user, "activation_link": _activation_link(user) if pending else ""},
    )


@transaction.atomic
def user_activate(*, uidb64: str, token: str, request=None) -> User | None:
    """Switch on the account of a sign-up link; None when the link is wrong, used or expired."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.select_for_update().filter(pk=pk, is_active=False, last_login__isnull=True).first()
    if user is None or not activation_tokens.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(kind=AuditEvent.Kind.SIGNUP, request=request, user=user, detail="邮箱验证完成，账户已启用")
    return user


@transaction.atomic
def password_reset_send(*, email: str, request=None) -> None:
    """Send the reset link to every active account of the address. An address without one gets
    an e-mail saying so (someone may have typed the wrong address): the same work either way —
    a token made, an e-mail rendered and queued — so neither the page nor its timing tells
    whether the address is registered."""
    from django.urls import reverse

    email = email.strip()
    users = [user for user in User.objects.filter(email__iexact=email, is_active=True) if user.has_usable_password()]
    subject = f"{site_settings().name}：重置密码"
    if not users:
        default_token_generator.make_token(User(email=email, password=make_password(None)))
        email_send(
            to=[email],
            subject=subject,
            template="accounts/email/password_reset_unknown.txt",
            context={"email": email, "signup_link": reverse("accounts:signup")},
        )
        return
    for user in users:
        email_send(
            to=[user.email],
            subject=subject,
            template="accounts/email/password_reset.txt",
            context={
                "user": user,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )


@transaction.atomic
def organisation_decide(
    *, organisation: Organisation, approve: bool, note: str, by: User, request=None
) -> Organisation:
    """Staff approve or reject a requested organisation; the requester is told by e-mail."""
    updated = Organisation.objects.filter(pk=organisation.pk, status=Organisation.Status.PENDING).update(
        status=Organisation.Status.APPROVED if approve else Organisation.Status.REJECTED,
        reviewed_note=note[:200],
    )
    if updated != 1:
        raise ValidationError("该机构已审核过，请刷新页面。")
    organisation.refresh_from_db()
    if approve:
        # The first person who asked for the organisation is its administrator.
        Membership.objects.filter(organisation=organisation, user=organisation.requested_by).update(
            role=Membership.Role.ADMIN
        )
    audit_record(
        kind=AuditEvent.Kind.ORGANISATION_DECISION,
        request=request,
        user=by,
        obj=organisation,
        detail=("通过" if approve else "不通过") + (f"：{note}" if note else ""),
    )
    if organisation.requested_by:
        email_send(
            to=[organisation.requested_by.email],
            subject=f"机构审核结果：{organisation.name}",
            template="accounts/email/organisation_decided.txt",
            context={"organisation": organisation, "approve": approve, "note": note},
        )
    return organisation


@transaction.atomic
def profile_update(*, user: User, name: str, phone: str, request=None) -> User:
    """Change one's own 姓名 and 手机号码; the audit event names what changed."""
    before = {"姓名": user.name, "手机号码": user.phone}
    user.name = name.strip()
    user.phone = phone.strip()
    user.full_clean()
    user.save(update_fields=["name", "phone"])
    after = {"姓名": user.name, "手机号码": user.phone}
    changed = [
        f"{label}: {before[label] or '—'} → {after[label] or '—'}" for label in before if before[label] != after[label]
    ]
    if changed:
        audit_record(
            kind=AuditEvent.Kind.PROFILE_CHANGE, request=request, user=user, obj=user, detail="；".join(changed)
        )
    return user


# --- 机构导入 -----------------------------------------------------------------------------------------

ORGANISATION_COLUMNS = [
    Column("name", "机构名称", ("单位名称", "名称"), "昆山市阳光社会工作服务中心", required=True),
    Column(
        "credit_code", "统一社会信用代码", ("信用代码",), "52320583MJ0000000M", required=True, help="18 位，含校验位"
    ),
    Column("district", "所属区镇", ("区镇",), "玉山镇", required=True),
    Column(
        "kind",
        "机构类型",
        ("类型",),
        Organisation.Kind.SOCIAL_WORK_AGENCY.label,
        help="可填：" + "、".join(Organisation.Kind.labels) + "；留空为社会工作服务机构",
    ),
]


def _organisation_kind(text: str) -> str | None:
    text = text.strip()
    if not text:
        return Organisation.Kind.SOCIAL_WORK_AGENCY
    for value, label in Organisation.Kind.choices:
        if text in (value, label):
            return value
    return None


def organisations_import_check(*, rows: list[Row]) -> None:
    """Check every row of an organisation import, writing nothing: name and district present, the credit code
    well formed with a right check digit (GB 32100-2015), no name or code twice in the file or already
    registered, a known district and type."""
    names = [r.get("name").strip() for r in rows]
    codes = [r.get("credit_code").strip().upper() for r in rows]
    known_names = set(Organisation.objects.filter(name__in=[n for n in names if n]).values_list("name", flat=True))
    known_codes = set(
        Organisation.objects.filter(credit_code__in=[c for c in codes if c]).values_list("credit_code", flat=True)
    )
    districts = site_districts()
    first_line: dict[tuple[str, str], int] = {}
    for row, name, code in zip(rows, names, codes, strict=True):
        errors = row.errors = []
        if not name:
            errors.append("缺少机构名称")
        elif len(name) > 100:
            errors.append("机构名称不能超过 100 个字")
        else:
            first = first_line.setdefault(("name", name), row.number)
            if first != row.number:
                errors.append(f"机构名称与第 {first} 行重复")
            if name in known_names:
                errors.append(f"机构“{name}”已在门户登记")
        if not code:
            errors.append("缺少统一社会信用代码")
        else:
            try:
                validate_credit_code(code)
            except ValidationError as error:
                errors.append(error.messages[0].rstrip("。"))
            else:
                first = first_line.setdefault(("code", code), row.number)
                if first != row.number:
                    errors.append(f"统一社会信用代码与第 {first} 行重复")
                if code in known_codes:
                    errors.append(f"统一社会信用代码 {code} 已登记")
        district = row.get("district").strip()
        if not district:
            errors.append("缺少所属区镇")
        elif districts and district not in districts:
            errors.append(f"所属区镇“{district}”不在区镇列表中（可选：{'、'.join(districts)}）")
        if _organisation_kind(row.get("kind")) is None:
            errors.append(f"机构类型“{row.get('kind')}”不正确（可选：{'、'.join(Organisation.Kind.labels)}）")


@transaction.atomic
def organisations_import(*, rows: list[Row], by: User, request=None) -> int:
    """Import organisations as approved (staff vouch for the list): every row checked again, all rows or none.
    Audited with the count. Returns the number created."""
    organisations_import_check(rows=rows)
    bad = [r for r in rows if r.errors]
    if bad:
        raise ValidationError([f"第 {r.number} 行：{'；'.join(r.errors)}" for r in bad])
    created = []
    for row in rows:
        organisation = Organisation(
            name=row.get("name").strip(),
            credit_code=row.get("credit_code").strip().upper(),
            district=row.get("district").strip(),
            kind=_organisation_kind(row.get("kind")),
            status=Organisation.Status.APPROVED,
            requested_by=by,
            reviewed_note="工作人员批量导入",
        )
        organisation.full_clean()
        created.append(organisation)
    Organisation.objects.bulk_create(created)
    audit_record(
        kind=AuditEvent.Kind.ORGANISATION_DECISION,
        request=request,
        user=by,
        detail=f"批量导入机构 {len(created)} 个（已通过）",
    )
    return len(created)


PROFILE_FIELDS = (
    "registration_authority",
    "registered_on",
    "inspection_year",
    "inspection_result",
    "full_time_staff",
    "assistant_social_workers",
    "social_workers",
    "senior_social_workers",
)
EVIDENCE_TYPES = ["pdf", "jpeg", "png"]
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def organisation_profile_save(
    *,
    organisation: Organisation,
    values: dict,
    by: User,
    new_evidence=None,
    evidence_description: str = "",
    evidence_deletes: list[int] = (),
    request=None,
) -> OrganisationProfile:
    """The organisation's admin keeps its 机构资质 (登记、年检、专职人员、持证社工) and evidence scans.

    Checks the admin, the profile (full_clean) and the new evidence file by its content (PDF, or JPEG/PNG
    re-encoded without metadata) before anything is written, so a refusal leaves the profile as it was.
    Audited, naming the fields changed and the files added or removed. Sends no e-mail."""
    from cases.uploads import clean_material  # the one content check for uploads; cases does not import us back

    if organisation.pk not in user_roles(by).admin_org_ids:
        raise ValidationError("只有本机构负责人可以修改机构资质。")
    profile = OrganisationProfile.objects.select_for_update().filter(organisation=organisation).first()
    if profile is None:
        profile = OrganisationProfile(organisation=organisation)
    before = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    for name in PROFILE_FIELDS:
        if name in values:
            value = values[name]
            setattr(profile, name, value.strip() if isinstance(value, str) else value)
    profile.updated_by = by
    profile.full_clean()
    clean = None
    if new_evidence is not None:
        if not evidence_description.strip():
            raise ValidationError({"new_evidence_description": "请写明上传的是什么材料。"})
        try:
            clean, content_type = clean_material(
                new_evidence, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES, what="资质证明材料"
            )
        except ValidationError as error:
            raise ValidationError({"new_evidence": error.messages}) from error
    profile.save()
    changes = [
        f"{profile._meta.get_field(name).verbose_name}：{before[name] if before[name] not in (None, '') else '—'} → "
        f"{getattr(profile, name) if getattr(profile, name) not in (None, '') else '—'}"
        for name in PROFILE_FIELDS
        if before[name] != getattr(profile, name)
    ]
    for evidence in OrganisationEvidence.objects.filter(organisation=organisation, pk__in=list(evidence_deletes)):
        changes.append(f"删除资质证明材料：{evidence.description}")
        evidence.file.delete(save=False)
        evidence.delete()
    if clean is not None:
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
        stem = PurePath(getattr(new_evidence, "name", "") or "材料").stem[:190] or "材料"
        evidence = OrganisationEvidence(
            organisation=organisation,
            description=evidence_description.strip()[:200],
            original_name=f"{stem}.{extension}",
            content_type=content_type,
            size=clean.size,
            uploaded_by=by,
        )
        evidence.file.save(clean.name, clean, save=False)
        evidence.save()
        changes.append(f"上传资质证明材料：{evidence.description}")
    if changes:
        audit_record(
            kind=AuditEvent.Kind.PROFILE_CHANGE,
            request=request,
            user=by,
            obj=organisation,
            detail=("机构资质 " + "；".join(changes))[:2000],
        )
    return profile
