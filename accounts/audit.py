"""The audit log's one writer: every app records its events through `audit_record`."""

import hashlib

from django.core.cache import cache
from django.db import models

from .client import client_ip
from .models import AuditEvent


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


def audit_record_throttled(*, key: str, window_seconds: int = 600, **kwargs) -> AuditEvent | None:
    """`audit_record`, at most once per `key` in the window: for frequent, repeated acts (a draft's
    autosave every 30 seconds) whose first occurrence is worth a row and the next hundred are not.
    With the cache down every occurrence is recorded."""
    try:
        digest = hashlib.sha256(key.encode()).hexdigest()  # paths may be long or odd: a fixed-length key
        first = cache.add(f"audit-once:{digest}", 1, window_seconds)
    except Exception:
        first = True
    return audit_record(**kwargs) if first else None
