"""Audit trail for logins made anywhere — the portal's login page or the admin's."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .models import AuditEvent


@receiver(user_logged_in, dispatch_uid="audit_login_success")
def _login_success(sender, request, user, **kwargs):
    audit_record(kind=AuditEvent.Kind.LOGIN_SUCCESS, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failure")
def _login_failure(sender, credentials, request=None, **kwargs):
    label = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    audit_record(kind=AuditEvent.Kind.LOGIN_FAILURE, request=request, user_label=str(label))


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(kind=AuditEvent.Kind.LOCKED_OUT, request=request, user_label=username or "")


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(kind=AuditEvent.Kind.LOGOUT, request=request, user=user)
