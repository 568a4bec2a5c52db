"""Every write about people, organisations and the audit log."""

import logging

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from kunshan_portal.selectors import site_settings
from notifications.email import email_send

from .audit import audit_record
from .models import AuditEvent, Membership, Organisation, User

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
