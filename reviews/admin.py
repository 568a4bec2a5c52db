from django.contrib import admin

from .models import Assignment, Conflict, Criterion, PanelMember, Review, ReviewerProfile, ReviewSettings


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(admin.ModelAdmin):
    list_display = ["campaign", "reviewers_per_application", "ranking_method", "disagreement_threshold"]


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "title", "invited_at"]
    search_fields = ["user__name", "user__email", "organisation"]


@admin.register(PanelMember)
class PanelMemberAdmin(admin.ModelAdmin):
    list_display = ["campaign", "reviewer", "is_active"]
    list_select_related = ["campaign", "reviewer"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "parent", "category", "max_points", "weight"]
    list_select_related = ["campaign", "parent"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "source", "reason", "created_at"]
    list_select_related = ["application", "reviewer"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "assigned_at", "is_automatic"]
    list_select_related = ["application", "reviewer"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["assignment", "status", "total", "submitted_at"]
    list_select_related = ["assignment__application", "assignment__reviewer"]
