"""Reads about applications, each shaped for the page (or export) that shows it."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import ExtractYear

from accounts.selectors import user_roles

from .models import Application, Campaign, CaseExport, Endorsement


def campaigns_public(*, year: int | None = None) -> QuerySet[Campaign]:
    """The public campaign list, with what public_phase() reads; `year` is the year of the publicity window."""
    qs = Campaign.objects.published().select_related("festival", "publicity")
    if year:
        qs = qs.filter(publicity_starts_at__year=year)
    return qs


def campaign_years() -> list[int]:
    """The years (of the publicity window, Shanghai) that have a published campaign, newest first."""
    return list(
        Campaign.objects.published()
        .annotate(year=ExtractYear("publicity_starts_at"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    phase: str
    link: tuple[str, str] | None
    publicity_days_left: int | None

    @classmethod
    def of(cls, campaign: Campaign, now: dt.datetime) -> "CampaignRow":
        return cls(campaign, campaign.public_phase(now), campaign.public_link(now), campaign.publicity_days_left(now))


def application_for_page(pk: int) -> Application:
    """One application with everything its detail page, editor and Word export show."""
    return (
        Application.objects.select_related("campaign", "applicant", "organisation")
        .prefetch_related(
            "team_members",
            "photos",
            "attachments",
            "report_links",
            Prefetch("endorsements", queryset=Endorsement.objects.select_related("decided_by")),
        )
        .get(pk=pk)
    )


def applications_of_applicant(user) -> QuerySet[Application]:
    """The applicant's dashboard: their applications, with the counts 'what is missing' needs."""
    return (
        Application.objects.filter(applicant=user)
        .select_related("campaign")
        .annotate(n_photos=Count("photos", distinct=True), n_team=Count("team_members", distinct=True))
        .order_by("-updated_at")
    )


# The columns each list shows (never the six sections, the return reason or other long text): at 10,000
# applications of ~6,000 characters the body is most of what a wide read would carry.
ORGANISATION_QUEUE_FIELDS = (
    "id",
    "reference",
    "title",
    "applicant_name",
    "status",
    "submitted_at",
    "campaign_id",
    "organisation_id",
    "campaign__title",
)
STAFF_LIST_FIELDS = (
    "id",
    "reference",
    "title",
    "category",
    "domain",
    "status",
    "findings_count",
    "submitted_at",
    "campaign_id",
    "organisation_id",
    "campaign__title",
    "organisation__name",
    "organisation__district",
    "similarity_result__score",
)


def applications_for_organisation_admin(user) -> QuerySet[Application]:
    """The organisation admin's queue: the submitted applications of the organisations they run
    (index application_org_queue_idx serves the filter and the order)."""
    return (
        Application.objects.submitted()
        .filter(organisation_id__in=user_roles(user).admin_org_ids)
        .select_related("campaign")
        .only(*ORGANISATION_QUEUE_FIELDS)
        .order_by("status", "-submitted_at", "-pk")
    )


def applications_for_staff() -> QuerySet[Application]:
    """The staff list: every application past the draft, with the campaign, organisation and 查重 result it
    shows (index application_submitted_idx serves the order, so a page reads 25 rows, not the table)."""
    return (
        Application.objects.submitted()
        .select_related("campaign", "organisation", "similarity_result")
        .only(*STAFF_LIST_FIELDS)
        .order_by("-submitted_at", "-pk")
    )


def applications_with_answer_columns(queryset: QuerySet[Application], *, keys: list[str]) -> QuerySet[Application]:
    """The staff list with a defined form's filter fields as columns (answer_<key>): read as JSON keys by the
    database, so the rest of the answers (long texts included) never leaves it."""
    from django.db.models.fields.json import KT

    return queryset.annotate(**{f"answer_{key}": KT(f"answers__{key}") for key in keys}) if keys else queryset


def campaigns_for_export_buttons(limit: int = 10) -> QuerySet[Campaign]:
    """The staff list's 打包下载 buttons: the title and the slug of the latest campaigns."""
    return Campaign.objects.only("id", "title", "slug", "submission_opens_at")[:limit]


def applications_for_export(campaign) -> QuerySet[Application]:
    """The campaign's submitted applications; cases.docx_export adds the joins a Word file reads."""
    return Application.objects.submitted().filter(campaign=campaign).order_by("reference")


def case_export_for_page() -> QuerySet[CaseExport]:
    """评选活动申报导出 with its campaign (the page and the download name show its title)."""
    return CaseExport.objects.select_related("campaign", "requested_by")


# --- Blind review: what identifies the applicant ---------------------------------------------


def application_identifiers(application: Application) -> list[str]:
    """The strings that identify who filed the case: the one list that blind review removes from the case
    page, the Word export and every attachment. Longest first, so a unit name goes before a name inside it."""
    members = list(application.team_members.all())
    values = [
        application.applicant_name,
        application.applicant.name,
        application.applicant.email,
        application.applicant.phone,
        application.organisation_name,
        application.organisation.name,
        application.declaring_unit,
        application.phone,
        application.email,
        application.qq,
        application.pledge_signature,
        *(member.name for member in members),
        *(member.contact for member in members),
        *(member.unit_and_title for member in members),
        *(endorsement.decided_by.name for endorsement in application.endorsements.all() if endorsement.decided_by),
        *_personal_answers(application),
    ]
    return sorted({v.strip() for v in values if v and len(v.strip()) >= 2}, key=len, reverse=True)


def _personal_answers(application: Application) -> list[str]:
    """A defined form's fields marked personal (names, phones, the organisation …)."""
    if not application.campaign.uses_defined_form:
        return []
    from .formdef import campaign_definition, personal_values

    return personal_values(campaign_definition(application.campaign), application.answers)


def identifiers_pattern(identifiers: list[str]) -> re.Pattern | None:
    """One regular expression for all identifiers; a number (phone, QQ) also matches however its digits are
    grouped: 13712345678 as 137 1234 5678, 0512-57501234 as 0512 5750 1234."""
    alternatives = []
    for value in identifiers:
        digits = re.sub(r"\D", "", value)
        if re.fullmatch(r"[\d\s\-+()]+", value) and len(digits) >= 5:
            alternatives.append(r"[\s\-]?".join(re.escape(digit) for digit in digits))
        else:
            alternatives.append(re.escape(value))
    return re.compile("|".join(alternatives)) if alternatives else None


def organisations_administered(user):
    """The organisations the user administers (机构负责人), for the links to their 机构资质."""
    from accounts.models import Organisation
    from accounts.selectors import user_roles

    return Organisation.objects.filter(pk__in=user_roles(user).admin_org_ids).order_by("name")
