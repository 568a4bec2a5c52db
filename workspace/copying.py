"""复制往年活动: a new campaign made from a past one, every date moved by the same shift.

Copied: the campaign's rules and form (every field but its name, web address, publication, festival and
reference counter), and, one step per related model, what staff set up for it. Never copied: applications,
reviews, results, awards, objections, certificates, their numbers and references.

A model another app adds to a campaign's set-up (tier rows, special prizes, material slots, eligibility rules,
rubric parts …) joins with one step function `(*, source, target, shift) -> None` appended to COPY_STEPS.
"""

import copy
import datetime as dt
import os

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.db import models, transaction

from accounts.audit import audit_record
from accounts.models import AuditEvent
from awards.models import CertificateTemplate, Publicity
from awards.services import special_prizes_copy
from cases.models import Campaign
from cases.services import eligibility_rules_copy, materials_copy
from notifications.models import ReminderRule
from reviews.models import PanelMember, ReviewSettings
from reviews.services import rubric_copy, tiers_copy

from .services import campaign_full_clean
from .stages import evaluation_stages_copy

Shift = relativedelta | dt.timedelta

# Campaign fields a copy does not take from its source: who it is, whether it is public, where its numbering
# stands. The reference counter restarts at 0 so the new campaign's references start at -0001.
CAMPAIGN_NOT_COPIED = {"id", "title", "slug", "is_published", "festival", "reference_counter", "created_at"}


def shift_make(*, amount: int, unit: str) -> Shift:
    return relativedelta(years=amount) if unit == "years" else dt.timedelta(days=amount)


def shift_describe(shift: Shift) -> str:
    if isinstance(shift, relativedelta):
        return f"{shift.years} 年"
    return f"{shift.days} 天"


def _moved(value, shift: Shift):
    return None if value is None else value + shift


def _field_values(obj: models.Model, *, exclude: set[str], shift: Shift) -> dict:
    """Every concrete field's value (foreign keys by id), dates moved by the shift, JSON deep-copied."""
    values = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude or f.primary_key:
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, models.DateField):  # DateTimeField is a DateField too
            value = _moved(value, shift)
        elif isinstance(f, models.JSONField):
            value = copy.deepcopy(value)
        values[f.attname] = value
    return values


# --- One step per related model ------------------------------------------------------------------------------


def review_settings_copy(*, source: Campaign, target: Campaign, shift: Shift) -> None:
    """评审设置 (reviewers per case, ranking, tiers …), not the confirmation of last year's decision."""
    settings_row = ReviewSettings.objects.filter(campaign=source).first()
    if settings_row is not None:
        values = _field_values(
            settings_row, exclude={"campaign", "decision_confirmed_at", "decision_confirmed_by"}, shift=shift
        )
        ReviewSettings.objects.create(campaign=target, **values)


def criteria_copy(*, source: Campaign, target: Campaign, shift: Shift) -> None:
    """评分指标: rubric parts and the whole criterion tree (reviews.services.rubric_copy maps the parents)."""
    rubric_copy(source=source, target=target)


def panel_copy(*, source: Campaign, target: Campaign, shift: Shift) -> None:
    """评审专家组: the same experts, active or not as they were."""
    PanelMember.objects.bulk_create(
        PanelMember(campaign=target, reviewer_id=m.reviewer_id, is_active=m.is_active)
        for m in PanelMember.objects.filter(campaign=source)
    )


def reminder_rules_copy(*, source: Campaign, target: Campaign, shift: Shift) -> None:
    """提醒规则 (days before each deadline); the record of reminders sent stays with the source."""
    ReminderRule.objects.bulk_create(
        ReminderRule(campaign=target, **_field_values(rule, exclude={"campaign"}, shift=shift))
        for rule in ReminderRule.objects.filter(campaign=source)
    )


def _file_copy(field_file) -> ContentFile | None:
    """A new file with the same content: the copy never shares (and so never deletes) the source's file."""
    if not field_file:
        return None
    try:
        with field_file.open("rb") as handle:
            return ContentFile(handle.read(), name=os.path.basename(field_file.name))
    except (FileNotFoundError, OSError):
        return None  # the source's image is gone from storage: the copy simply has none


def certificate_template_copy(*, source: Campaign, target: Campaign, shift: Shift) -> None:
    """证书模板: title, body, issuer, number prefix, the date moved; background and seal as new files."""
    template = CertificateTemplate.objects.filter(campaign=source).first()
    if template is None:
        return
    values = _field_values(template, exclude={"campaign", "background", "seal"}, shift=shift)
    made = CertificateTemplate(campaign=target, **values)
    for name in ("background", "seal"):
        content = _file_copy(getattr(template, name))
        if content is not None:
            getattr(made, name).save(content.name, content, save=False)
    made.save()


def publicity_texts_copy(*, source: Campaign, target: Campaign, shift: Shift) -> None:
    """公示说明 (how to object, the no-award letter); never the window's state or last year's results."""
    publicity = Publicity.objects.filter(campaign=source).first()
    if publicity is not None and (publicity.how_to_object or publicity.no_award_message):
        Publicity.objects.create(
            campaign=target, how_to_object=publicity.how_to_object, no_award_message=publicity.no_award_message
        )


COPY_STEPS = [
    review_settings_copy,
    criteria_copy,
    panel_copy,
    reminder_rules_copy,
    certificate_template_copy,
    publicity_texts_copy,
    # 申报材料 and 申报资格 (cases): their services take no shift; rows are plain settings.
    lambda *, source, target, shift: materials_copy(source=source, target=target),
    lambda *, source, target, shift: eligibility_rules_copy(source=source, target=target),
    evaluation_stages_copy,
    # 奖项等级 (rows) and 单项奖: plain settings, no dates.
    lambda *, source, target, shift: tiers_copy(source=source, target=target),
    lambda *, source, target, shift: special_prizes_copy(source=source, target=target),
]


def campaign_copy(*, source: Campaign, title: str, slug: str, shift: Shift, by, request=None) -> Campaign:
    """A new, unpublished campaign made from `source` with every date moved by `shift`, then every COPY_STEPS step,
    all in one transaction (nothing half-copied). Audited; sends nothing."""
    values = _field_values(source, exclude=CAMPAIGN_NOT_COPIED, shift=shift)
    target = Campaign(title=title, slug=slug, is_published=False, reference_counter=0, **values)
    campaign_full_clean(target)
    with transaction.atomic():
        target.save()
        for step in COPY_STEPS:
            step(source=source, target=target, shift=shift)
        audit_record(
            kind=AuditEvent.Kind.ADMIN_ADD,
            request=request,
            user=by,
            obj=target,
            detail=f"评选活动工作台：复制“{source.title}”（{source.slug}），日期顺延 {shift_describe(shift)}",
        )
    return target
