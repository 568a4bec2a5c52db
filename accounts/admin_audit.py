"""Every write made in the Django admin lands in the audit log, with the fields it changed.

Every ModelAdmin of the portal derives from `AuditedModelAdmin` (a test walks the admin's
registry to hold that), so a model registered later cannot be edited unaudited. Records
whose changes must go through the portal's services (reviews, scores, conflicts,
assignments, decisions, awards …) use `ReadOnlyModelAdmin`: visible, not editable.
"""

from django.contrib import admin

from .audit import audit_record
from .models import AuditEvent

# Values of these fields never reach the audit log, only the fact that they changed.
SECRET_FIELDS = frozenset({"password", "password1", "password2", "token", "secret"})
VALUE_LIMIT = 80


def _short(value) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def form_changes(form) -> list[str]:
    """'label: old → new' for each field the admin form changed (secrets by name only)."""
    lines = []
    for name in form.changed_data if form is not None else ():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        if name in SECRET_FIELDS:
            lines.append(f"{label}（已修改）")
            continue
        old = form.initial.get(name)
        new = form.cleaned_data.get(name)
        lines.append(f"{label}: {_short(old)} → {_short(new)}")
    return lines


class AuditedAdminMixin:
    """Django calls log_addition / log_change / log_deletions after every admin write
    (log_deletions for one object as for a bulk action)."""

    def save_model(self, request, obj, form, change):
        request._admin_audit_changes = form_changes(form)
        super().save_model(request, obj, form, change)

    def _audit(self, request, kind, obj, *, lines=()):
        detail = "；".join([f"{self.model._meta.verbose_name}（后台）", *lines])
        return audit_record(kind=kind, request=request, obj=obj, detail=detail[:4000])

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._audit(request, AuditEvent.Kind.ADMIN_ADD, obj, lines=getattr(request, "_admin_audit_changes", ()))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        lines = [*getattr(request, "_admin_audit_changes", ()), *_inline_lines(message)]
        self._audit(request, AuditEvent.Kind.ADMIN_CHANGE, obj, lines=lines or ["未修改字段"])
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            audit_record(
                kind=AuditEvent.Kind.ADMIN_DELETE,
                request=request,
                obj=obj,
                detail=f"{self.model._meta.verbose_name}（后台）；删除“{obj}”",
            )
        return entries


def _inline_lines(message) -> list[str]:
    """Inline rows added, changed or deleted, from the admin's own change message."""
    lines = []
    for entry in message if isinstance(message, list) else []:
        for verb, label in (("added", "新增"), ("changed", "修改"), ("deleted", "删除")):
            info = entry.get(verb)
            if info and info.get("object"):
                fields = "、".join(info.get("fields") or [])
                lines.append(f"{label}{info.get('name', '')}“{info['object']}”" + (f"（{fields}）" if fields else ""))
    return lines


class AuditedModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyModelAdmin(AuditedModelAdmin):
    """Visible to staff, changed only through the portal's services (which audit and mail)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
