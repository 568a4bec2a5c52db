from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from .models import AuditEvent, Membership, Organisation, User

# Roles come from flags and memberships (accounts/rules.py), not from Django groups.
admin.site.unregister(Group)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "district", "kind", "status"]
    list_filter = ["status", "district", "kind"]
    search_fields = ["name", "credit_code"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, nobody edits it through the portal."""

    list_display = ["created_at", "kind", "user_label", "ip", "object_repr"]
    list_filter = ["kind"]
    search_fields = ["user_label", "object_repr", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
