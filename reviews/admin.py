from django.contrib import admin

from accounts.admin_audit import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import Assignment, Conflict, Criterion, PanelMember, Review, ReviewerProfile, ReviewSettings, TierRule


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(AuditedModelAdmin):
    list_display = ["campaign", "reviewers_per_application", "ranking_method", "disagreement_threshold"]


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(AuditedModelAdmin):
    list_display = ["user", "organisation", "title", "invited_at"]
    search_fields = ["user__name", "user__email", "organisation"]


@admin.register(PanelMember)
class PanelMemberAdmin(AuditedModelAdmin):
    list_display = ["campaign", "reviewer", "is_active"]
    list_select_related = ["campaign", "reviewer"]


@admin.register(Criterion)
class CriterionAdmin(AuditedModelAdmin):
    list_display = ["name", "campaign", "parent", "category", "max_points", "weight"]
    list_select_related = ["campaign", "parent"]


# Conflicts, assignments and reviews change only through reviews/services.py, which keep
# totals equal to their scores, re-check conflicts on assignment and audit every change.
@admin.register(Conflict)
class ConflictAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "reviewer", "source", "reason", "created_at"]
    list_select_related = ["application", "reviewer"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "reviewer", "assigned_at", "is_automatic"]
    list_select_related = ["application", "reviewer"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyModelAdmin):
    list_display = ["assignment", "status", "total", "submitted_at"]
    list_select_related = ["assignment__application", "assignment__reviewer"]


@admin.register(TierRule)
class TierRuleAdmin(ReadOnlyModelAdmin):
    """Edited on the portal's 奖项等级 page (one service keeps the order and the checks); read-only here."""

    list_display = ["name", "campaign", "position", "by", "value", "is_award"]
    list_select_related = ["campaign"]
