"""Read-only views of the evaluation data for data maintenance; staff work on the portal pages."""

from django.contrib import admin

from accounts.admin_audit import ReadOnlyModelAdmin as ReadOnlyAdmin

from .models import Stage, StageCriterion, StageEvaluator, StageRecord, StageReview


@admin.register(Stage)
class StageAdmin(ReadOnlyAdmin):
    list_display = ("name", "campaign", "kind", "opens_at", "closes_at")
    list_filter = ("kind",)
    list_select_related = ("campaign",)


@admin.register(StageCriterion)
class StageCriterionAdmin(ReadOnlyAdmin):
    list_display = ("name", "stage", "max_points", "position")
    list_select_related = ("stage",)


@admin.register(StageEvaluator)
class StageEvaluatorAdmin(ReadOnlyAdmin):
    list_display = ("user", "stage", "organisation")
    list_select_related = ("user", "stage")


@admin.register(StageRecord)
class StageRecordAdmin(ReadOnlyAdmin):
    list_display = ("application", "stage", "status", "result", "decided_at")
    list_filter = ("status", "result")
    list_select_related = ("application", "stage")


@admin.register(StageReview)
class StageReviewAdmin(ReadOnlyAdmin):
    list_display = ("record", "evaluator", "status", "total", "submitted_at")
    list_select_related = ("record__application", "record__stage", "evaluator")
