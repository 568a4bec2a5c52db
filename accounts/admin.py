from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from .admin_audit import AuditedAdminMixin, AuditedModelAdmin, ReadOnlyModelAdmin
from .models import AuditEvent, Membership, Organisation, OrganisationProfile, User

# Roles come from flags and memberships (accounts/rules.py), not from Django groups.
admin.site.unregister(Group)

# The login-protection records are third-party admins: re-registered audited, like every other.
for _model, _admin in (
    (AccessAttempt, axes_admin.AccessAttemptAdmin),
    (AccessLog, axes_admin.AccessLogAdmin),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(f"Audited{_admin.__name__}", (AuditedAdminMixin, _admin), {}))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


# Only a superuser grants or removes the staff and superuser flags; staff see them, read-only.
PRIVILEGE_FIELDS = ["is_staff", "is_superuser"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Staff manage applicants, organisation people and reviewers. Accounts of staff and
    superusers — their flags, passwords and permissions — are a superuser's (rules.py:
    accounts.change_user), so a staff user cannot raise themselves or take over another."""

    ordering = ["email"]
    list_display = ["email", "name", "phone", "is_reviewer", "is_staff", "is_active"]
    list_filter = ["is_reviewer", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "name", "phone"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("个人信息", {"fields": ["name", "phone"]}),
        ("角色", {"fields": ["is_active", "is_reviewer", "is_staff", "is_superuser"]}),
        ("时间", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]

    def has_change_permission(self, request, obj=None):
        # The admin asks without the object; the rule needs it to tell staff accounts apart.
        return request.user.has_perm("accounts.change_user", obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += PRIVILEGE_FIELDS
        return readonly


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "credit_code", "district", "kind", "status"]
    list_filter = ["status", "district", "kind"]
    search_fields = ["name", "credit_code"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read-only: the audit log is append-only, nobody edits it through the portal."""

    list_display = ["created_at", "kind", "user_label", "ip", "object_repr"]
    list_filter = ["kind"]
    search_fields = ["user_label", "object_repr", "detail"]


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(ReadOnlyModelAdmin):
    """机构资质, to read: the organisation's admin keeps it on the portal page (with its evidence)."""

    list_display = [
        "organisation",
        "registration_authority",
        "inspection_year",
        "inspection_result",
        "full_time_staff",
        "assistant_social_workers",
        "social_workers",
        "senior_social_workers",
        "updated_at",
    ]
    list_filter = ["inspection_year", "inspection_result"]
    search_fields = ["organisation__name", "registration_authority"]
    list_select_related = ["organisation"]
