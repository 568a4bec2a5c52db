from django.contrib import admin

from .models import NotificationPreference, OutboxEmail, Reminder, ReminderRule


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["campaign", "kind", "days_before", "at_time", "is_active"]
    list_filter = ["campaign", "kind", "is_active"]
    list_editable = ["days_before", "at_time", "is_active"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "campaign", "kind", "milestone"]
    list_filter = ["campaign", "kind"]
    list_select_related = ["recipient", "campaign"]
    readonly_fields = ["recipient", "campaign", "kind", "milestone", "email", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "recommendation", "publicity", "updated_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
