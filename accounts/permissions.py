"""The one way a view declares what it needs.

- Not logged in: to the login page, with `next` so the user comes back.
- Logged in but without the role a page needs: 403.
- An object the user may not see: 404, as if it did not exist (nothing leaks).
Every refusal to a logged-in user is written to the audit log.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .audit import audit_record_throttled
from .models import AuditEvent

# A refused URL is recorded once per login session and path in this window: a crawler or
# a reloading tab would otherwise write thousands of identical rows (the attack run: 3,416).
DENIAL_AUDIT_WINDOW_SECONDS = 600


def _audit_denial(request, perm: str, obj=None) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", "") or ""
    audit_record_throttled(
        key=f"denial:{request.user.pk}:{session_key}:{request.method}:{request.path}",
        window_seconds=DENIAL_AUDIT_WINDOW_SECONDS,
        kind=AuditEvent.Kind.PERMISSION_DENIED,
        request=request,
        obj=obj,
        detail=f"{perm} {request.method} {request.path}"[:500],
    )


def _deny(request, perm: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    _audit_denial(request, perm)
    raise PermissionDenied("您没有访问该页面的权限。")


def _deny_object(request, perm: str, obj):
    if request.user.is_authenticated:
        _audit_denial(request, perm, obj)
    raise Http404("未找到该页面。")


class PermissionMixin:
    """Class-based views declare `permission_required` (checked on dispatch, 403 when
    refused) and/or `object_permission_required` (checked in `get_object`, 404 when
    refused). `login_required = False` opens a view to anonymous visitors, for public
    pages whose objects are still checked (a draft festival answers 404)."""

    login_required: bool = True
    permission_required: str = ""
    object_permission_required: str = ""

    def dispatch(self, request, *args, **kwargs):
        if self.login_required and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if self.permission_required and not request.user.has_perm(self.permission_required):
            return _deny(request, self.permission_required)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        perm = self.object_permission_required
        if perm and not self.request.user.has_perm(perm, obj):
            _deny_object(self.request, perm, obj)
        return obj


def permission_required(perm: str = "", *, get_object=None, login_required: bool = True):
    """Function views: `@permission_required("cases.view_application", get_object=...)`.

    `get_object(request, **kwargs)` returns the object to check (404 when missing or
    refused); the view receives it as `obj`.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if login_required and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perm and get_object is None and not request.user.has_perm(perm):
                return _deny(request, perm)
            if get_object is None:
                return view(request, *args, **kwargs)
            obj = get_object(request, **kwargs)
            if perm and not request.user.has_perm(perm, obj):
                _deny_object(request, perm, obj)
            return view(request, *args, obj=obj, **kwargs)

        return wrapped

    return decorator
