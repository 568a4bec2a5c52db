"""Writes of the campaign workspace: create a campaign, save a tab. Each one checks, saves in one transaction and
records who changed what in the audit log. The copy of a past campaign is copying.campaign_copy."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from accounts.audit import audit_record
from accounts.models import AuditEvent
from cases.models import Campaign
from cases.presets import CASE_AWARD, preset_apply
from kunshan_portal.public_cache import public_pages_changed
from reviews.services import rubric_ensure

from .selectors import publish_blockers
from .timeline import PHASES, milestones, timeline_defaults

# The first day a new campaign's timeline is drawn from, in its year; the rest follow (timeline.PHASES defaults).
ANNOUNCE_MONTH_DAY = (3, 1)
SHORT_MAX = 20

# Parts of a title that say nothing about which campaign it is: the year, an edition number.
_TITLE_NOISE = re.compile(r"\s*\d{4}\s*年度?|第[一二三四五六七八九十百零〇\d]+[届期次]|[\d\s]+")


def campaign_short_from_title(title: str) -> str:
    """The pinyin initials of a title's key words: "2026年昆山市优秀社工案例评选" -> "kssyxsgalpx". Latin letters
    typed in the title are kept; numbers (the year, the edition) are dropped, so the result is never a number."""
    words = _TITLE_NOISE.sub("", title)
    # pypinyin's dictionaries weigh ~57 MB: loaded by the worker that first makes a slug, not by every worker.
    from pypinyin import Style, lazy_pinyin

    parts = lazy_pinyin(words, style=Style.FIRST_LETTER, errors=lambda chars: re.sub(r"[^A-Za-z0-9]", "", chars))
    short = slugify("".join(parts)).replace("-", "")[:SHORT_MAX]
    return short if short and not short.isdigit() else "campaign"


def campaign_slug_make(*, title: str, short: str = "", year: int, exclude_pk: int | None = None) -> str:
    """网址标识 "<year>-<short>": the typed short name or the title's pinyin initials, made unique with -2, -3 …"""
    short = slugify(short) if short else ""
    if not short or short.replace("-", "").isdigit():
        short = campaign_short_from_title(title)
    base = f"{year}-{short}"[:46]
    taken = set(Campaign.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def campaign_dates_for_year(*, year: int) -> dict:
    """Every date of a new campaign, from its year: 发文 on 1 March and each phase after the one before (the
    timeline's defaults); cases served in the three years before."""
    announced = dt.date(year, *ANNOUNCE_MONTH_DAY)
    values = {"announced_on": announced}
    values.update(timeline_defaults(steps=milestones(PHASES), values=values))
    values["case_period_start"] = dt.date(year - 3, 1, 1)
    values["case_period_end"] = dt.date(year - 1, 12, 31)
    return values


def campaign_full_clean(campaign: Campaign) -> None:
    """full_clean, leaving out 案例类别 for a campaign with its own form: a project call or a station evaluation has
    none (an empty list), which the model's field (not blank) would refuse. The forms already leave it out of
    their model validation when it is not required; a service calling full_clean itself must too."""
    campaign.full_clean(exclude=["categories"] if campaign.uses_defined_form else None)


def campaign_create(*, title: str, slug: str, year: int, preset: str, by, request=None) -> Campaign:
    """A new, unpublished campaign with the preset's form and rules and every date filled from its year, so the
    first save never stops on empty dates; the case award starts with the notice's rubric, as in the admin.
    Audited. No public page shows an unpublished campaign, so none is dropped from the cache."""
    campaign = Campaign(title=title, slug=slug, is_published=False, **campaign_dates_for_year(year=year))
    preset_apply(campaign=campaign, key=preset)
    campaign_full_clean(campaign)
    with transaction.atomic():
        campaign.save()
        if preset == CASE_AWARD:
            rubric_ensure(campaign=campaign)
        audit_record(
            kind=AuditEvent.Kind.ADMIN_ADD,
            request=request,
            user=by,
            obj=campaign,
            detail=f"评选活动工作台：新建评选活动（模板 {preset}，网址标识 {slug}）",
        )
    return campaign


def _changed_labels(campaign: Campaign, values: dict) -> list[str]:
    return [
        str(Campaign._meta.get_field(name).verbose_name)
        for name, value in values.items()
        if getattr(campaign, name) != value
    ]


def _campaign_update(*, campaign: Campaign, values: dict, tab: str, by, request) -> list[str]:
    fresh = Campaign.objects.select_for_update(of=("self",)).select_related("festival").get(pk=campaign.pk)
    old_festival = fresh.festival
    changed = _changed_labels(fresh, values)
    for name, value in values.items():
        setattr(fresh, name, value)
    campaign_full_clean(fresh)
    fresh.save()
    if changed:
        audit_record(
            kind=AuditEvent.Kind.ADMIN_CHANGE,
            request=request,
            user=by,
            obj=fresh,
            detail=f"评选活动工作台·{tab}：修改 " + "、".join(changed),
        )
        # The public pages that show the campaign (its page, the home page, its festival's, old and new).
        public_pages_changed(campaign=fresh)
        if old_festival is not None and old_festival.pk != fresh.festival_id:
            public_pages_changed(festival=old_festival)
    for name in values:
        setattr(campaign, name, getattr(fresh, name))
    return changed


@transaction.atomic
def campaign_basics_update(*, campaign: Campaign, values: dict, by, request=None) -> list[str]:
    """基本信息: title, festival, description, contact, case period, published. Returns the changed labels."""
    return _campaign_update(campaign=campaign, values=values, tab="基本信息", by=by, request=request)


@transaction.atomic
def campaign_rules_update(*, campaign: Campaign, values: dict, by, request=None) -> list[str]:
    """申报规则: domains, categories, lengths, photos, limits, blind review, recommendation, reference prefix."""
    return _campaign_update(campaign=campaign, values=values, tab="申报规则", by=by, request=request)


@transaction.atomic
def campaign_timeline_update(*, campaign: Campaign, phases: list, values: dict, by, request=None) -> list[str]:
    """时间安排: every milestone in one transaction. Built-in phases set the campaign's dates; a stage another app
    added stores its own rows after the campaign is saved, so nothing half-written stays on any error."""
    own = {m.name: values.get(m.name) for phase in phases if phase.store is None for m in phase.milestones}
    changed = _campaign_update(campaign=campaign, values=own, tab="时间安排", by=by, request=request)
    for phase in phases:
        if phase.store is not None:
            phase.store(campaign=campaign, values={m.name: values.get(m.name) for m in phase.milestones})
    return changed


@transaction.atomic
def campaign_publish(*, campaign: Campaign, by, request=None) -> bool:
    """公开: the campaign appears on the portal and applicants may apply in its submission window. Refused, naming
    each one, while an item the 组织申报 phase needs is missing (selectors.publish_blockers). Audited; the public
    pages that list campaigns are dropped from the cache. Returns False when it was already public."""
    fresh = Campaign.objects.select_for_update(of=("self",)).select_related("festival").get(pk=campaign.pk)
    if fresh.is_published:
        return False
    blockers = publish_blockers(campaign=fresh)
    if blockers:
        raise ValidationError([f"公开前须先处理：{item.text}" for item in blockers], code="blocked")
    return _published_set(campaign=campaign, fresh=fresh, value=True, by=by, request=request)


@transaction.atomic
def campaign_unpublish(*, campaign: Campaign, by, request=None) -> bool:
    """取消公开: the campaign leaves the portal's pages; applications already made stay as they are. Audited; the
    cached public pages are dropped. Returns False when it was not public."""
    fresh = Campaign.objects.select_for_update(of=("self",)).select_related("festival").get(pk=campaign.pk)
    if not fresh.is_published:
        return False
    return _published_set(campaign=campaign, fresh=fresh, value=False, by=by, request=request)


def _published_set(*, campaign: Campaign, fresh: Campaign, value: bool, by, request) -> bool:
    Campaign.objects.filter(pk=fresh.pk).update(is_published=value)
    fresh.is_published = campaign.is_published = value
    audit_record(
        kind=AuditEvent.Kind.ADMIN_CHANGE,
        request=request,
        user=by,
        obj=fresh,
        detail="评选活动工作台·基本信息：" + ("公开评选活动" if value else "取消公开评选活动"),
    )
    public_pages_changed(campaign=fresh)
    return True
