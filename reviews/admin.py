from django.contrib import admin

from accounts.admin_audit import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import (
    Assignment,
    Conflict,
    ConflictFlag,
    Criterion,
    PanelMember,
    Review,
    ReviewerProfile,
    ReviewSettings,
    RubricPart,
    TierRule,
)


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(AuditedModelAdmin):
    list_display = ["campaign", "reviewers_per_application", "ranking_method", "disagreement_threshold"]


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(AuditedModelAdmin):
    list_display = ["user", "organisation", "organisation_ref", "title", "invited_at"]
    list_select_related = ["user", "organisation_ref"]
    search_fields = ["user__name", "user__email", "organisation"]
    raw_id_fields = ["organisation_ref"]


@admin.register(PanelMember)
class PanelMemberAdmin(AuditedModelAdmin):
    list_display = ["campaign", "reviewer", "is_active"]
    list_select_related = ["campaign", "reviewer"]


@admin.register(RubricPart)
class RubricPartAdmin(AuditedModelAdmin):
    list_display = ["name", "campaign", "position", "scored_once_per_group"]
    list_select_related = ["campaign"]


@admin.register(Criterion)
class CriterionAdmin(AuditedModelAdmin):
    list_display = ["name", "campaign", "parent", "part", "category", "max_points", "weight"]
    list_select_related = ["campaign", "parent", "part"]


# Conflicts, assignments and reviews change only through reviews/services.py, which keep
# totals equal to their scores, re-check conflicts on assignment and audit every change.
@admin.register(Conflict)
class ConflictAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "reviewer", "source", "reason", "created_at"]
    list_select_related = ["application", "reviewer"]


@admin.register(ConflictFlag)
class ConflictFlagAdmin(ReadOnlyModelAdmin):
    """疑似回避 are confirmed or dismissed on the assignment page (audited), not here."""

    list_display = ["application", "reviewer", "reviewer_unit", "applicant_unit", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["application", "reviewer", "decided_by"]


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
