"""Every write about people, organisations and the audit log."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import models, transaction

from .models import AuditEvent, Membership, Organisation, User


def client_ip(request) -> str | None:
    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    kind: str,
    request=None,
    user=None,
    user_label: str = "",
    obj: models.Model | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one event to the audit log. Never raises on a missing user or request."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if not user_label and user is not None:
        user_label = user.email
    event = AuditEvent(
        kind=kind,
        user=user,
        user_label=user_label[:254],
        ip=client_ip(request),
        detail=detail,
    )
    if obj is not None:
        event.object_type = f"{obj._meta.app_label}.{obj._meta.model_name}"
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    event.save(force_insert=True)
    return event


def email_send(*, to: list[str], subject: str, template: str, context: dict):
    """Render a Chinese e-mail (plain text and HTML) into the outbox, in the caller's transaction;
    it is queued for sending once that transaction commits (notifications/services.py)."""
    from notifications.services import outbox_email_create

    return outbox_email_create(to=to, subject=subject, template=template, context=context)


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
) -> User:
    """Create a social worker's account and their membership.

    Either joins an approved organisation, or asks for a new one that staff approve
    (the organisation is created as 待审核). Audits the sign-up and queues a welcome e-mail.
    """
    if (organisation is None) == (new_organisation is None):
        raise ValidationError("请选择所在机构，或申请新增机构（二选一）。")
    user = User(email=email.strip().lower(), name=name.strip(), phone=phone.strip())
    user.password = make_password(password)
    user.full_clean()
    user.save()
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
        subject=f"欢迎注册{settings.PORTAL_NAME}",
        template="accounts/email/welcome.txt",
        context={"user": user, "organisation": organisation},
    )
    return user


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
