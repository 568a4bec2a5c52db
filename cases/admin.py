from django.contrib import admin

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """评选活动: staff set the timeline and the rules here; every date is a setting."""

    list_display = ["title", "festival", "submission_opens_at", "submission_closes_at", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["reference_counter", "created_at"]
    fieldsets = [
        ("基本信息", {"fields": ["title", "slug", "festival", "description", "is_published", "contact"]}),
        (
            "时间安排",
            {
                "fields": [
                    "announced_on",
                    ("case_period_start", "case_period_end"),
                    ("submission_opens_at", "submission_closes_at"),
                    ("review_opens_at", "review_closes_at"),
                    ("publicity_starts_at", "publicity_ends_at"),
                    "ceremony_at",
                ],
                "description": "所有时间均为北京时间（Asia/Shanghai）；申报截止时间当秒仍可提交。",
            },
        ),
        (
            "申报规则",
            {
                "fields": [
                    "categories",
                    "domains",
                    ("body_min_chars", "body_max_chars", "body_limits_are_hard"),
                    ("photos_min", "photos_max"),
                    ("casework_photos_min", "casework_photos_max"),
                    ("photo_min_bytes", "photo_max_bytes"),
                    ("max_applications_per_applicant", "max_applications_per_organisation"),
                    "reference_prefix",
                    "reference_counter",
                ]
            },
        ),
        ("评审选项", {"fields": ["blind_review", "recommendation_required"]}),
        ("记录", {"fields": ["created_at"], "classes": ["collapse"]}),
    ]
