"""Reads for the festival pages, each shaped for the page that shows it."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cases.models import Campaign

from .models import Activity, ActivityReport, ActivityUnit, Festival, FestivalUnit, ReportPhoto


def festivals_current(*, today) -> QuerySet[Festival]:
    return Festival.objects.current(today)


def festivals_past(*, today) -> QuerySet[Festival]:
    return Festival.objects.past(today)


def campaigns_active(*, now) -> QuerySet[Campaign]:
    """Published campaigns whose results are not out yet and whose publicity window has not ended (or is held
    open by staff), for the home page."""
    return (
        Campaign.objects.published()
        .filter(publicity__results_published_at__isnull=True)
        .filter(Q(publicity_ends_at__gte=now) | Q(pk__in=Campaign.objects.publicity_open(now).values("pk")))
        .select_related("festival", "publicity")
        .order_by("submission_closes_at")
    )


@dataclass(frozen=True)
class CampaignCountdown:
    campaign: Campaign
    phase: str
    deadline_label: str | None
    deadline: dt.datetime | None
    days_left: int | None
    link: tuple[str, str] | None = None


def campaign_countdowns(*, now) -> list[CampaignCountdown]:
    """Open campaigns with their public phase, the link the public needs in it (公示 page during the window)
    and the days left until the next deadline (calendar days, Shanghai)."""
    today = timezone.localdate(now)
    rows = []
    for campaign in campaigns_active(now=now):
        phase = campaign.public_phase(now)
        if phase == Campaign.Phase.PUBLICITY:
            label, moment = "公示结束", campaign.publicity_ends_at
            if moment < now:  # held open by staff past its dates
                label, moment = None, None
        else:
            nxt = campaign.next_deadline(now)
            label, moment = nxt if nxt else (None, None)
        days = (timezone.localdate(moment) - today).days if moment else None
        rows.append(CampaignCountdown(campaign, phase, label, moment, days, campaign.public_link(now)))
    return rows


@dataclass(frozen=True)
class ResultsYear:
    year: int
    campaigns: list[Campaign]


def results_by_year(*, limit: int | None = None) -> list[ResultsYear]:
    """Campaigns whose 获奖名单 is published, newest first, grouped by the year of their publicity window."""
    qs = Campaign.objects.results_published().select_related("publicity").order_by("-publicity_starts_at", "-pk")
    years: dict[int, list[Campaign]] = {}
    for campaign in qs[:limit] if limit else qs:
        years.setdefault(timezone.localtime(campaign.publicity_starts_at).year, []).append(campaign)
    return [ResultsYear(year, campaigns) for year, campaigns in years.items()]


def _units(model):
    return Prefetch("units", queryset=model.objects.select_related("organisation"))


def _accepted_reports():
    return (
        ActivityReport.objects.filter(status=ActivityReport.Status.ACCEPTED)
        .select_related("organisation", "activity")
        .prefetch_related(Prefetch("photos", queryset=ReportPhoto.objects.order_by("position", "id")))
    )


def reports_latest_accepted(*, limit: int = 6) -> list[ActivityReport]:
    return list(
        _accepted_reports()
        .filter(activity__status=Activity.Status.PUBLISHED, activity__festival__status=Festival.Status.PUBLISHED)
        .order_by("-decided_at", "-id")[:limit]
    )


def activities_public() -> QuerySet[Activity]:
    return (
        Activity.objects.published()
        .filter(festival__status=Festival.Status.PUBLISHED)
        .select_related("festival")
        .prefetch_related(_units(ActivityUnit))
        .order_by("starts_at", "id")
    )


def activity_for_page() -> QuerySet[Activity]:
    return Activity.objects.select_related("festival").prefetch_related(_units(ActivityUnit))


def activity_gallery(*, activity: Activity) -> list[ActivityReport]:
    return list(_accepted_reports().filter(activity=activity).order_by("held_on", "id"))


def festival_for_page() -> QuerySet[Festival]:
    return Festival.objects.prefetch_related(_units(FestivalUnit))


def festival_activities(*, festival: Festival, include_drafts: bool) -> list[Activity]:
    qs = festival.activities.prefetch_related(_units(ActivityUnit)).order_by("starts_at", "id")
    if not include_drafts:
        qs = qs.exclude(status=Activity.Status.DRAFT)
    return list(qs)


@dataclass(frozen=True)
class TimelineEntry:
    starts: dt.date
    ends: dt.date | None
    label: str
    detail: str
    url: str


def festival_timeline(*, festival: Festival, activities: list[Activity]) -> list[TimelineEntry]:
    """The festival's activities and its case awards' phases (发文启动 → 组织申报 → 案例评选 → 结果公示 → 颁奖),
    in date order."""
    local = timezone.localdate
    entries = []
    for campaign in festival.campaigns.published().order_by("submission_opens_at"):
        url = campaign.get_absolute_url()
        if campaign.announced_on:
            entries.append(TimelineEntry(campaign.announced_on, None, "发文启动", campaign.title, url))
        entries.append(
            TimelineEntry(
                local(campaign.submission_opens_at),
                local(campaign.submission_closes_at),
                "组织申报",
                campaign.title,
                url,
            )
        )
        entries.append(
            TimelineEntry(
                local(campaign.review_opens_at), local(campaign.review_closes_at), "案例评选", campaign.title, url
            )
        )
        entries.append(
            TimelineEntry(
                local(campaign.publicity_starts_at), local(campaign.publicity_ends_at), "结果公示", campaign.title, url
            )
        )
        if campaign.ceremony_at:
            entries.append(TimelineEntry(local(campaign.ceremony_at), None, "颁奖", campaign.title, url))
    for activity in activities:
        start, end = local(activity.starts_at), local(activity.ends_at)
        entries.append(
            TimelineEntry(
                start,
                end if end != start else None,
                activity.get_kind_display(),
                activity.title,
                activity.get_absolute_url(),
            )
        )
    return sorted(entries, key=lambda e: (e.starts, e.ends or e.starts))


def reports_for_user(*, user, org_ids) -> QuerySet[ActivityReport]:
    return (
        ActivityReport.objects.filter(organisation_id__in=org_ids)
        .select_related("activity", "organisation")
        .order_by("-created_at", "-id")
    )


def reports_awaiting_decision() -> QuerySet[ActivityReport]:
    return (
        ActivityReport.objects.filter(status=ActivityReport.Status.SUBMITTED)
        .select_related("activity", "organisation", "submitted_by")
        .order_by("created_at", "id")
    )


def report_for_page() -> QuerySet[ActivityReport]:
    return ActivityReport.objects.select_related("activity__festival", "organisation", "submitted_by").prefetch_related(
        Prefetch("photos", queryset=ReportPhoto.objects.order_by("position", "id"))
    )
