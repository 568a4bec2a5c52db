from django.contrib import admin

from accounts.admin_audit import AuditedModelAdmin

from .models import NotificationPreference, OutboxEmail, Reminder, ReminderRule


@admin.register(ReminderRule)
class ReminderRuleAdmin(AuditedModelAdmin):
    list_display = ["campaign", "kind", "days_before", "at_time", "is_active"]
    list_filter = ["campaign", "kind", "is_active"]
    list_editable = ["days_before", "at_time", "is_active"]


@admin.register(Reminder)
class ReminderAdmin(AuditedModelAdmin):
    list_display = ["created_at", "recipient", "campaign", "kind", "milestone"]
    list_filter = ["campaign", "kind"]
    list_select_related = ["recipient", "campaign"]
    readonly_fields = ["recipient", "campaign", "kind", "milestone", "email", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(AuditedModelAdmin):
    list_display = ["created_at", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject"]
    # Bodies stay out of the admin: a password-reset e-mail carries a working reset link.
    fields = [
        "to",
        "subject",
        "template",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "queued_at",
        "claimed_at",
        "claim_token",
        "next_retry_at",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedModelAdmin):
    list_display = ["user", "recommendation", "publicity", "updated_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
