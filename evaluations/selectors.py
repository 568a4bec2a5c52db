"""Reads of the evaluation stages, shaped for their pages (each with its joins)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, Max, Prefetch, Q, QuerySet

from accounts.models import Membership
from cases.models import Application, Campaign

from .models import Stage, StageCriterion, StageEvaluator, StageRecord, StageReview


def stage_winners(*, campaign: Campaign) -> QuerySet[Application]:
    """The applications a stage follows: those with an active award (获奖) in the campaign; a campaign that
    confirmed no awards at all (a project call that only accepts) follows its accepted applications."""
    from awards.models import Award

    if Award.objects.filter(campaign=campaign).exists():
        # Several awards per case (a graded tier and 单项奖) count once; a result such as 整改 is not a win.
        winners = Award.objects.awarded().filter(campaign=campaign, status=Award.Status.ACTIVE)
        return Application.objects.filter(campaign=campaign, pk__in=winners.values("application_id"))
    return Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED)


def stages_for_campaign(*, campaign: Campaign) -> QuerySet[Stage]:
    return Stage.objects.filter(campaign=campaign).annotate(
        record_count=Count("records", distinct=True),
        decided_count=Count("records", filter=Q(records__status=StageRecord.Status.DECIDED), distinct=True),
    )


def stage_timeline(*, campaign: Campaign) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """The campaign's stages as (label, start, end), in order: for the timeline editor and campaign pages."""
    return [
        (stage.name, stage.opens_at, stage.closes_at)
        for stage in Stage.objects.filter(campaign=campaign).only("name", "opens_at", "closes_at", "campaign_id")
    ]


LIST_COLUMNS = (
    "status",
    "result",
    "submitted_at",
    "decided_at",
    "contract_signed_on",
    "stage__name",
    "stage__kind",
    "stage__opens_at",
    "stage__closes_at",
    "stage__campaign_id",
    "application__reference",
    "application__title",
    "application__organisation_name",
    "application__organisation__name",
    "application__campaign_id",
)


def _record_list_columns(qs, *, with_campaign: bool = False):
    """The columns a list of records shows (never the report's text), with their joins."""
    if with_campaign:
        qs = qs.select_related("stage__campaign")
    columns = (*LIST_COLUMNS, "stage__campaign__title") if with_campaign else LIST_COLUMNS
    return qs.select_related("stage", "application", "application__organisation").only(*columns)


def stage_records_for_staff(*, stage: Stage) -> QuerySet[StageRecord]:
    """The staff's list of a stage's records, with the mean of the submitted sheets and their count."""
    submitted = Q(reviews__status=StageReview.Status.SUBMITTED)
    return (
        _record_list_columns(StageRecord.objects.filter(stage=stage))
        .annotate(
            mean_total=Avg("reviews__total", filter=submitted),
            submitted_reviews=Count("reviews", filter=submitted),
        )
        .order_by("application__reference", "id")
    )


def stage_records_for_evaluator(*, user) -> QuerySet[StageRecord]:
    """The records of every stage the user evaluates, with the user's own sheet state."""
    mine = Q(reviews__evaluator=user)
    return (
        _record_list_columns(StageRecord.objects.filter(stage__evaluators__user=user), with_campaign=True)
        .annotate(my_status=Max("reviews__status", filter=mine))
        .order_by("-stage__opens_at", "application__reference", "id")
    )


def stage_records_for_organisation_admin(*, user) -> QuerySet[StageRecord]:
    """The records of the organisations the user is the admin (机构负责人) of."""
    org_ids = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values("organisation_id")
    return _record_list_columns(
        StageRecord.objects.filter(application__organisation_id__in=org_ids), with_campaign=True
    ).order_by("-stage__opens_at", "id")


def stage_records_for_application(*, application: Application) -> list[StageRecord]:
    return list(
        StageRecord.objects.filter(application=application)
        .select_related("stage")
        .only(
            "status",
            "result",
            "result_note",
            "decided_at",
            "application_id",
            "stage__name",
            "stage__kind",
            "stage__position",
            "stage__opens_at",
            "stage__closes_at",
        )
        .order_by("stage__position", "stage__opens_at", "id")
    )


def stage_record_for_page(*, pk: int) -> StageRecord:
    return (
        StageRecord.objects.select_related("stage", "stage__campaign", "application", "application__organisation")
        .prefetch_related(
            "attachments",
            Prefetch("stage__criteria", queryset=StageCriterion.objects.order_by("position", "id")),
        )
        .get(pk=pk)
    )


def stage_record_reviews(*, record: StageRecord) -> list[StageReview]:
    return list(
        StageReview.objects.filter(record=record)
        .select_related("evaluator")
        .prefetch_related("scores__criterion")
        .order_by("id")
    )


def stage_record_mean(*, record: StageRecord) -> Decimal | None:
    """The mean total of the submitted sheets, or None when none is submitted."""
    value = StageReview.objects.filter(record=record, status=StageReview.Status.SUBMITTED).aggregate(m=Avg("total"))[
        "m"
    ]
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))


def stage_evaluators(*, stage: Stage) -> QuerySet[StageEvaluator]:
    return StageEvaluator.objects.filter(stage=stage).select_related("user")


def campaigns_for_stage_management() -> QuerySet[Campaign]:
    return Campaign.objects.annotate(stage_count=Count("stages")).only("title", "slug", "publicity_ends_at")
