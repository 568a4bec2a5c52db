"""Reads for the publicity, objection, results and certificate pages, shaped for each page."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet, Window
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import RowNumber

from cases.formdef import campaign_definition, public_fields, value_display
from cases.models import Campaign
from cases.presets import STATION_EVALUATION
from kunshan_portal.selectors import site_settings

from .models import (
    DEFAULT_CERTIFICATE_BODY,
    DEFINED_FORM_CERTIFICATE_BODY,
    LEGACY_CERTIFICATE_BODY,
    LEGACY_CERTIFICATE_ISSUER,
    STATION_CERTIFICATE_BODY,
    Award,
    Certificate,
    CertificateTemplate,
    Objection,
    Publicity,
    Section,
    SpecialPrize,
)

# The only application fields a public page may show (the notice's list): never the body, photos,
# e-mail, phone or team members.
PUBLIC_FIELDS = (
    "application__reference",
    "application__title",
    "application__declaring_unit",
    "application__organisation_name",
    "application__applicant_name",
    "application__category",
    "application__domain",
)


def publicity_get(campaign: Campaign) -> Publicity:
    """The campaign's publicity settings (the cached relation when select_related), or unsaved defaults:
    reading a page never writes."""
    try:
        return campaign.publicity
    except Publicity.DoesNotExist:
        return Publicity(campaign=campaign)


def publicity_is_open(campaign: Campaign, publicity: Publicity, now: dt.datetime) -> bool:
    """Open at publicity_starts_at, closed after publicity_ends_at, unless staff forced it open or closed."""
    if publicity.results_published_at:
        return False
    if publicity.override == Publicity.Override.OPEN:
        return True
    if publicity.override == Publicity.Override.CLOSED:
        return False
    return campaign.publicity_starts_at <= now <= campaign.publicity_ends_at


def publicity_closed_at(campaign: Campaign, publicity: Publicity, now: dt.datetime) -> dt.datetime | None:
    """When the window closed, or None while it is open or has not yet opened."""
    if publicity_is_open(campaign, publicity, now):
        return None
    if publicity.override == Publicity.Override.CLOSED and publicity.override_at:
        return publicity.override_at
    if now > campaign.publicity_ends_at:
        return campaign.publicity_ends_at
    if publicity.results_published_at:
        return publicity.results_published_at
    return None


def publicity_has_started(campaign: Campaign, publicity: Publicity, now: dt.datetime) -> bool:
    return publicity_is_open(campaign, publicity, now) or publicity_closed_at(campaign, publicity, now) is not None


def public_awards(campaign: Campaign, *, active_only: bool = True) -> QuerySet[Award]:
    """The publicity list with the allowlisted application fields only, in its sections (models.Section): the
    graded awards in rank order, then the special prizes by prize, then the results that are not awards."""
    qs = Award.objects.filter(campaign=campaign)
    if active_only:
        qs = qs.filter(status=Award.Status.ACTIVE)
    qs = (
        qs.with_section()
        .select_related("application__award_decision", "special_prize")
        .only(
            "id",
            "rank",
            "status",
            "campaign_id",
            "special_prize_id",
            "special_prize__name",
            "special_prize__position",
            "application__award_decision__tier",
            *PUBLIC_FIELDS,
        )
        .annotate(number=Window(RowNumber(), partition_by=[F("section")], order_by=LIST_ORDER[1:]))
        .order_by(*LIST_ORDER)
    )
    # A campaign with its own form: its public fields (cases.formdef.public_fields) are read by key, never the
    # whole answers (bodies and personal fields stay in the database).
    return qs.annotate(
        **{
            f"answer_{field['key']}": KeyTransform(field["key"], "application__answers")
            for field in public_columns(campaign)
        }
    )


LIST_ORDER = ("section", "special_prize__position", "special_prize_id", "rank", "id")


def list_sections(awards) -> list[dict]:
    """The rows of one page of the public list split into its sections, each {"key", "title", "awards"}; each
    award carries `number`, its place within its section over the whole list (public_awards)."""
    sections: list[dict] = []
    for award in awards:
        if not sections or sections[-1]["key"] != award.section:
            sections.append({"key": award.section, "title": SECTION_TITLES[award.section], "awards": []})
        sections[-1]["awards"].append(award)
    return sections


SECTION_TITLES = {
    Section.GRADED: "获奖名单",
    Section.SPECIAL: "单项奖",
    Section.RESULT: "评定结果（不属于奖项，不颁发证书）",
}


def special_prizes_of(campaign: Campaign) -> QuerySet[SpecialPrize]:
    return SpecialPrize.objects.filter(campaign=campaign).order_by("position", "id")


def public_columns(campaign: Campaign) -> list[dict]:
    """The form fields a public list shows beside the name (项目包, 申请资金, 所属县（区）); none for the case
    award, whose list keeps the notice's 案例类别 and 案例领域."""
    if not campaign.uses_defined_form:
        return []
    return public_fields(campaign_definition(campaign))


def public_cells(award: Award, columns: list[dict]) -> list[str]:
    """The shown values of `columns` (public_columns) for one award of public_awards."""
    return [value_display(field, getattr(award, f"answer_{field['key']}", None)) for field in columns]


def public_rows(awards, columns: list[dict] | None = None) -> list[tuple]:
    """Rows for the Word/PDF list, in the order of documents.LIST_HEADERS; with `columns` (public_columns of a
    campaign with its own form, maybe none), in the order of documents.list_headers_and_widths."""
    rows = []
    for i, award in enumerate(awards, start=1):
        a = award.application
        tier = award.tier
        if award.section == Section.SPECIAL:
            tier = f"{tier}（单项奖）"
        elif award.section == Section.RESULT:
            tier = f"{tier}（评定结果）"
        if columns is not None:
            rows.append((i, a.reference or "", a.title, a.declaring_unit, *public_cells(award, columns), tier))
            continue
        unit = " / ".join(x for x in dict.fromkeys([a.declaring_unit, a.organisation_name]) if x)
        rows.append((i, a.reference or "", a.title, unit, a.applicant_name, a.get_category_display(), a.domain, tier))
    return rows


def staff_objections(campaign: Campaign) -> QuerySet[Objection]:
    return (
        Objection.objects.filter(campaign=campaign)
        .select_related("award__application__award_decision", "award__special_prize", "assignee")
        .prefetch_related("evidence")
    )


def objection_detail(pk: int) -> Objection:
    return (
        Objection.objects.select_related(
            "campaign", "award__application__award_decision", "award__special_prize", "assignee", "decided_by"
        )
        .prefetch_related("evidence", "notes__author")
        .get(pk=pk)
    )


def my_awards(user) -> QuerySet[Award]:
    """The applicant's awards whose results are published, with their certificates."""
    return (
        Award.objects.filter(application__applicant=user, campaign__publicity__results_published_at__isnull=False)
        .with_section()
        .select_related("application__award_decision", "campaign", "certificate", "special_prize")
        .order_by("-campaign__publicity_ends_at", "application_id", "section", "special_prize__position", "id")
    )


def certificate_for_verification(code: str) -> Certificate | None:
    return (
        Certificate.objects.select_related(
            "award__application__award_decision", "award__special_prize", "campaign__certificate_template"
        )
        .filter(code=code)
        .first()
    )


def certificate_template_of(campaign: Campaign) -> CertificateTemplate:
    """The campaign's certificate template (the cached relation when select_related), or the unsaved defaults."""
    try:
        return campaign.certificate_template
    except CertificateTemplate.DoesNotExist:
        return CertificateTemplate(campaign=campaign)


def certificate_issuer(template: CertificateTemplate) -> str:
    """The issuing body printed on the campaign's certificates (and counting their numbers): the template's,
    unless it is blank or still the default it was created with, which both mean the site's issuing body."""
    issuer = (template.issuer or "").strip()
    if not issuer or issuer == LEGACY_CERTIFICATE_ISSUER:
        return site_settings().issuing_body
    return issuer


def certificate_default_body(campaign: Campaign) -> str:
    """The body a campaign's certificates have until staff write their own: the case award's (to the social
    worker, 同志), or, for a form of its own, one to the applying organisation naming its noun (项目); a station
    evaluation's says 被评为, as a station is rated, not awarded a prize it applied for."""
    if not campaign.uses_defined_form:
        return DEFAULT_CERTIFICATE_BODY
    if campaign.form_preset == STATION_EVALUATION:
        return STATION_CERTIFICATE_BODY
    return DEFINED_FORM_CERTIFICATE_BODY.format(noun=campaign.item_noun)


def certificate_body(template: CertificateTemplate) -> str:
    """The certificate's text: a body still as it was created (saying "本次评选活动") reads as today's default,
    which names the campaign; a body staff wrote stays theirs ({campaign} where they put it, or nowhere)."""
    if template.body.strip() == LEGACY_CERTIFICATE_BODY.strip():
        return certificate_default_body(template.campaign)
    return template.body
