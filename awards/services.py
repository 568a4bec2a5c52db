"""Every write of the awards app: confirming awards, the publicity window, objections, results and
certificates. Each function checks its transition, writes in a transaction, audits and mails on commit."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.audit import audit_record
from accounts.client import client_ip
from accounts.models import AuditEvent, User
from cases.models import Application, Campaign
from kunshan_portal.celery import enqueue
from kunshan_portal.public_cache import public_pages_changed
from kunshan_portal.selectors import site_settings
from notifications.email import email_send
from notifications.jobs import JobFailed, job_queue, job_run

from . import documents, selectors
from .models import (
    Award,
    Certificate,
    CertificateCounter,
    CertificateExport,
    CertificateTemplate,
    Objection,
    ObjectionEvidence,
    ObjectionNote,
    Publicity,
    SpecialPrize,
)
from .selectors import publicity_closed_at, publicity_is_open

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------- awards


def _fresh_publicity(campaign: Campaign) -> Publicity:
    """Read from the database (never a cached relation): decisions must see the latest state."""
    return Publicity.objects.filter(campaign=campaign).first() or Publicity(campaign=campaign)


def awards_from_decision(*, campaign: Campaign, by: User) -> int:
    """Puts every case of the expert review's confirmed decision list (reviews.AwardDecision) on the award list
    with its rank; the tier stays in the decision, its one record. Cases already on the list keep their award.
    Returns how many awards were created."""
    from reviews.selectors import decision_list

    created = 0
    now = timezone.now()
    for decision in decision_list(campaign):
        _, was_created = Award.objects.get_or_create(
            application_id=decision.application_id,
            special_prize=None,
            defaults={
                "campaign": campaign,
                "rank": decision.rank or 0,
                "confirmed_by": by,
                "confirmed_at": now,
            },
        )
        created += was_created
    return created


@transaction.atomic
def awards_import_decision(*, campaign: Campaign, by: User, request=None) -> int:
    """Staff take the confirmed review decision as the publicity list. Refused before the decision is confirmed
    in the expert review and once the publicity window has started."""
    from reviews.models import ReviewSettings

    _ensure_list_editable(campaign)
    if not ReviewSettings.objects.filter(campaign=campaign, decision_confirmed_at__isnull=False).exists():
        raise ValidationError("专家评审的评审结果尚未确认：请先在“专家评审 → 排名”中确认评审结果。")
    created = awards_from_decision(campaign=campaign, by=by)
    audit_record(
        kind=AuditEvent.Kind.DECISION,
        request=request,
        user=by,
        obj=campaign,
        detail=f"导入已确认的评审结果为获奖名单：新增 {created} 项",
    )
    public_pages_changed(campaign=campaign)
    return created


@transaction.atomic
def award_confirm(*, application: Application, tier: str, rank: int, by: User, request=None) -> Award:
    """Confirms (or corrects, before publicity) one case's tier by hand: the tier is written to the case's
    decision (its one record), the award puts the case on the list."""
    from reviews.models import AwardDecision

    _ensure_list_editable(application.campaign)
    if application.status != Application.Status.ACCEPTED:
        raise ValidationError("只有通过形式审查的案例才能确认获奖。")
    tier = tier.strip()
    if not tier:
        raise ValidationError("请填写奖项等级。")
    AwardDecision.objects.update_or_create(
        application=application,
        defaults={"tier": tier[:40], "rank": rank, "reason": "工作人员手工确认获奖", "decided_by": by},
    )
    award, _ = Award.objects.update_or_create(
        application=application,
        special_prize=None,
        defaults={
            "campaign": application.campaign,
            "rank": rank,
            "status": Award.Status.ACTIVE,
            "confirmed_by": by,
            "confirmed_at": timezone.now(),
        },
    )
    audit_record(
        kind=AuditEvent.Kind.DECISION, request=request, user=by, obj=award, detail=f"确认获奖：{tier}，第 {rank} 名"
    )
    public_pages_changed(campaign=application.campaign)
    return award


@transaction.atomic
def award_remove(*, award: Award, by: User, request=None) -> None:
    """Takes a case off the list before the publicity window starts (a mistake, not a withdrawal). Its decision
    then gives no tier either, so the ranking agrees with the list and a re-import does not bring it back.
    A special prize is simply taken off (special_prize_withdraw does the same with a reason)."""
    from reviews.models import AwardDecision

    _ensure_list_editable(award.campaign)
    audit_record(
        kind=AuditEvent.Kind.DECISION,
        request=request,
        user=by,
        obj=award,
        detail=f"从获奖名单移除{f'单项奖“{award.special_prize.name}”' if award.special_prize_id else ''}",
    )
    if award.special_prize_id is not None:
        award.delete()
        public_pages_changed(campaign=award.campaign)
        return
    AwardDecision.objects.filter(application_id=award.application_id).update(
        tier="", reason="从获奖名单移除", decided_by=by
    )
    award.delete()
    public_pages_changed(campaign=award.campaign)


# ----------------------------------------------------------------------------------- special prizes

PRIZE_NAME_MAX = 40


def special_prize_rows_errors(rows: list[dict]) -> tuple[dict[int, dict[str, str]], str]:
    """({row index: {field: message}}, "") of the special prizes staff entered (dicts of name and description):
    the prize page shows each message beside its cell and special_prizes_save refuses the same rows."""
    errors: dict[int, dict[str, str]] = {}
    seen: set[str] = set()
    for index, row in enumerate(rows):
        name = (row.get("name") or "").strip()
        if not name:
            errors[index] = {"name": "请填写单项奖名称。"}
        elif len(name) > PRIZE_NAME_MAX:
            errors[index] = {"name": f"单项奖名称最多 {PRIZE_NAME_MAX} 个字。"}
        elif name in seen:
            errors[index] = {"name": f"单项奖名称“{name}”重复，每个单项奖的名称须不同。"}
        seen.add(name)
    return errors, ""


@transaction.atomic
def special_prizes_save(*, campaign: Campaign, prizes: list[dict], by: User, request=None) -> list[SpecialPrize]:
    """Makes the campaign's special prizes (单项奖) the given rows, in their order: a row with an `id` updates
    that prize, one without adds a prize, a saved prize left out is deleted. A prize already given to a case
    cannot be deleted (withdraw it first); nothing is written when a row is refused. Audited."""
    errors, _ = special_prize_rows_errors(prizes)
    if errors:
        raise ValidationError(
            "；".join(f"第 {i + 1} 行：{m}" for i, cell in sorted(errors.items()) for m in cell.values())
        )
    existing = {p.pk: p for p in SpecialPrize.objects.select_for_update().filter(campaign=campaign)}
    kept_ids = {row["id"] for row in prizes if row.get("id")}
    unknown = kept_ids - set(existing)
    if unknown:
        raise ValidationError("单项奖已被他人修改，请刷新页面后重试。")
    removed = [p for pk, p in existing.items() if pk not in kept_ids]
    given = [p.name for p in removed if p.awards.exists()]
    if given:
        raise ValidationError(f"单项奖“{'、'.join(given)}”已授予案例，不能删除；请先在排名页撤销。")
    SpecialPrize.objects.filter(pk__in=[p.pk for p in removed]).delete()
    # Names are unique per campaign: park the kept ones under temporary names first, so two prizes may swap names.
    for pk in kept_ids:
        SpecialPrize.objects.filter(pk=pk).update(name=f"__{pk}")
    saved = []
    for position, row in enumerate(prizes, start=1):
        prize = existing.get(row.get("id")) or SpecialPrize(campaign=campaign)
        prize.name, prize.description, prize.position = (
            row["name"].strip(),
            row.get("description", "").strip(),
            position,
        )
        prize.full_clean(exclude=["campaign"], validate_unique=False)
        prize.save()
        saved.append(prize)
    audit_record(
        kind=AuditEvent.Kind.DECISION,
        request=request,
        user=by,
        obj=campaign,
        detail=f"设置单项奖：{'、'.join(p.name for p in saved) or '无'}",
    )
    public_pages_changed(campaign=campaign)
    return saved


@transaction.atomic
def special_prize_award(*, application: Application, prize: SpecialPrize, reason: str, by: User, request=None) -> Award:
    """Staff give a special prize (单项奖) to a case by decision: a reason is required and audited. The case keeps
    its graded tier; it may hold several special prizes, each once. Refused once the publicity window started
    (the list then changes only by an objection) and for a case that did not pass the formal check."""
    _ensure_list_editable(application.campaign)
    if prize.campaign_id != application.campaign_id:
        raise ValidationError({"prize": "请选择本评选活动的单项奖。"})
    if application.status != Application.Status.ACCEPTED:
        raise ValidationError("只有通过形式审查的案例才能授予单项奖。")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "授予单项奖须填写理由。"})
    if Award.objects.filter(application=application, special_prize=prize).exists():
        raise ValidationError({"prize": f"该案例已获得“{prize.name}”。"})
    from reviews.models import AwardDecision

    decision = AwardDecision.objects.filter(application=application).only("rank").first()
    award = Award(
        campaign_id=application.campaign_id,
        application=application,
        special_prize=prize,
        reason=reason,
        rank=(decision.rank if decision else None) or 0,
        confirmed_by=by,
        confirmed_at=timezone.now(),
    )
    award.full_clean(exclude=["campaign", "application", "special_prize", "confirmed_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError:  # a concurrent click gave the same prize: theirs stands
        raise ValidationError({"prize": f"该案例已获得“{prize.name}”。"}) from None
    audit_record(
        kind=AuditEvent.Kind.DECISION,
        request=request,
        user=by,
        obj=award,
        detail=f"授予单项奖“{prize.name}”：{reason}",
    )
    public_pages_changed(campaign=application.campaign)
    return award


@transaction.atomic
def special_prize_withdraw(*, award: Award, reason: str, by: User, request=None) -> None:
    """Staff take a special prize back from a case before the publicity window starts, with a reason (audited).
    After that the list changes only by an objection (objection_decide)."""
    if award.special_prize_id is None:
        raise ValidationError("这不是单项奖；奖项等级请在排名页调整。")
    _ensure_list_editable(award.campaign)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "撤销单项奖须填写理由。"})
    audit_record(
        kind=AuditEvent.Kind.DECISION,
        request=request,
        user=by,
        obj=award.application,
        detail=f"撤销单项奖“{award.special_prize.name}”：{reason}",
    )
    award.delete()
    public_pages_changed(campaign=award.campaign)


@transaction.atomic
def special_prizes_copy(*, source: Campaign, target: Campaign) -> list[SpecialPrize]:
    """The campaign copier: the target gets a copy of the source's special prizes (names, descriptions, order);
    prizes the target already has under the same name are kept. No audit of its own: the copier records it."""
    have = set(SpecialPrize.objects.filter(campaign=target).values_list("name", flat=True))
    rows = [
        SpecialPrize(campaign=target, name=p.name, description=p.description, position=p.position)
        for p in SpecialPrize.objects.filter(campaign=source).order_by("position", "id")
        if p.name not in have
    ]
    return SpecialPrize.objects.bulk_create(rows)


def _ensure_list_editable(campaign: Campaign) -> None:
    publicity = _fresh_publicity(campaign)
    now = timezone.now()
    if publicity_is_open(campaign, publicity, now) or publicity_closed_at(campaign, publicity, now):
        raise ValidationError("公示已开始，名单只能通过异议处理调整。")


# ---------------------------------------------------------------------------------------- publicity


@transaction.atomic
def publicity_override_set(*, campaign: Campaign, override: str, by: User, request=None) -> Publicity:
    """Staff open or close the window by hand, or give it back to the campaign's dates."""
    if override not in Publicity.Override.values:
        raise ValidationError("未知的开关方式。")
    Publicity.objects.get_or_create(campaign=campaign)
    publicity = Publicity.objects.select_for_update().get(campaign=campaign)
    if publicity.results_published_at:
        raise ValidationError("获奖名单已发布，公示不能再开启或关闭。")
    if override == Publicity.Override.OPEN and not campaign.awards.exists():
        raise ValidationError("获奖名单为空，不能开启公示。")
    publicity.override = override
    publicity.override_at = timezone.now()
    publicity.save(update_fields=["override", "override_at"])
    audit_record(
        kind=AuditEvent.Kind.PUBLICATION,
        request=request,
        user=by,
        obj=campaign,
        detail=f"公示开关：{Publicity.Override(override).label}",
    )
    public_pages_changed(campaign=campaign)
    return publicity


@transaction.atomic
def publicity_settings_save(
    *, campaign: Campaign, how_to_object: str, no_award_message: str | None = None, by: User, request=None
) -> Publicity:
    """Saves the objection instructions and (when given) the no-award text mailed when results are published."""
    publicity, _ = Publicity.objects.get_or_create(campaign=campaign)
    publicity.how_to_object = how_to_object.strip()
    fields = ["how_to_object"]
    if no_award_message is not None:
        publicity.no_award_message = no_award_message.strip()
        fields.append("no_award_message")
    publicity.save(update_fields=fields)
    audit_record(
        kind=AuditEvent.Kind.PUBLICATION,
        request=request,
        user=by,
        obj=campaign,
        detail="修改异议方式说明" + ("与未获奖通知正文" if no_award_message is not None else ""),
    )
    public_pages_changed(campaign=campaign)
    return publicity


# --------------------------------------------------------------------------------------- objections

RATE_IP_LIMIT = 10  # objection form submissions per IP address per hour
RATE_IP_WINDOW = 60 * 60
RATE_PHONE_LIMIT = 3  # objections lodged per phone number per day
RATE_PHONE_WINDOW = 24 * 60 * 60
REASON_MIN_CHARS = 20
MAX_EVIDENCE_FILES = 5
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def _hit(key: str, window: int) -> int:
    """Counts one more in the cache; with the cache (Redis) down the count is 0: the limit is not enforced
    for a while, and the objection, which must reach the bureau during the window, is still taken."""
    try:
        cache.add(key, 0, timeout=window)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            return 1
    except RedisError:
        logger.warning("缓存（Redis）不可用，暂不限制异议提交频率。", exc_info=True)
        return 0


def _count(key: str) -> int:
    try:
        return cache.get(key) or 0
    except RedisError:
        logger.warning("缓存（Redis）不可用，暂不限制异议提交频率。", exc_info=True)
        return 0


def objection_rate_check_ip(*, ip: str | None) -> None:
    """Counts one submission of the form from this address; refuses beyond the hourly limit."""
    if _hit(f"awards:objection:ip:{ip or 'unknown'}", RATE_IP_WINDOW) > RATE_IP_LIMIT:
        raise ValidationError(f"提交过于频繁：同一网络每小时最多提交 {RATE_IP_LIMIT} 次异议，请稍后再试。", code="rate")


def objection_rate_check_uploads(*, ip: str | None, files: int) -> None:
    """Counts the evidence files sent from this address (anonymous uploads, each one decoded and checked);
    refuses, before any is opened, beyond ANONYMOUS_UPLOADS_PER_HOUR files an hour."""
    if not files:
        return
    limit = settings.ANONYMOUS_UPLOADS_PER_HOUR
    key = f"awards:objection:uploads:{ip or 'unknown'}"
    cache.add(key, 0, timeout=RATE_IP_WINDOW)
    try:
        count = cache.incr(key, files)
    except ValueError:  # expired between add and incr
        cache.set(key, files, timeout=RATE_IP_WINDOW)
        count = files
    if count > limit:
        raise ValidationError(
            f"上传过于频繁：同一网络每小时最多上传 {limit} 个证据文件，请稍后再试，或将证据合并为一个 PDF。",
            code="rate",
        )


def _phone_key(phone: str) -> str:
    return f"awards:objection:phone:{phone}"


def objection_lodge(
    *,
    campaign: Campaign,
    award: Award,
    name: str,
    phone: str,
    email: str,
    organisation: str,
    reason: str,
    evidence: list[tuple],
    request=None,
    now: dt.datetime | None = None,
) -> Objection:
    """Records a real-name objection with its evidence (already cleaned: (ContentFile, name, content type))
    and mails the receipt. Refused outside the window, for a case not on the list, or beyond the phone limit."""
    now = now or timezone.now()
    publicity = _fresh_publicity(campaign)
    if not publicity_is_open(campaign, publicity, now):
        raise ValidationError("公示期已结束或尚未开始，不能提交异议。")
    if award.campaign_id != campaign.pk or award.status != Award.Status.ACTIVE:
        raise ValidationError("请选择公示名单中的案例。")
    if len(reason.strip()) < REASON_MIN_CHARS:
        raise ValidationError(f"异议理由至少 {REASON_MIN_CHARS} 个字。")
    if _count(_phone_key(phone)) >= RATE_PHONE_LIMIT:
        raise ValidationError(f"同一手机号码每天最多提交 {RATE_PHONE_LIMIT} 次异议，请明天再试。", code="rate")
    with transaction.atomic():
        objection = Objection.objects.create(
            campaign=campaign,
            award=award,
            name=name.strip(),
            phone=phone,
            email=email,
            organisation=organisation.strip(),
            reason=reason.strip(),
            ip=client_ip(request),
        )
        for content, original_name, content_type in evidence:
            item = ObjectionEvidence(
                objection=objection, original_name=original_name[:200], content_type=content_type, size=content.size
            )
            item.file.save(content.name, content, save=True)
        audit_record(
            kind=AuditEvent.Kind.OTHER,
            request=request,
            user_label=f"公众：{objection.name}",
            obj=objection,
            detail=f"提交异议 {objection.tracking_number}，针对 {award.application.reference}",
        )
        email_send(
            to=[email],
            subject=f"异议受理回执 {objection.tracking_number}",
            template="awards/email/objection_received.txt",
            context={"objection": objection, "campaign": campaign, "application": award.application},
        )
    _hit(_phone_key(phone), RATE_PHONE_WINDOW)
    return objection


def _unresolved(objection: Objection) -> Objection:
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if locked.is_resolved:
        raise ValidationError("该异议已处理完毕。")
    return locked


@transaction.atomic
def objection_assign(*, objection: Objection, assignee: User, by: User, request=None) -> Objection:
    """Names the staff member who looks into the objection."""
    if not assignee.is_staff:
        raise ValidationError("经办人必须是工作人员。")
    locked = _unresolved(objection)
    locked.assignee = assignee
    if locked.status == Objection.Status.RECEIVED:
        locked.status = Objection.Status.INQUIRY
    locked.save(update_fields=["assignee", "status"])
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=locked, detail=f"异议分派给 {assignee.name}")
    return locked


@transaction.atomic
def objection_note_add(*, objection: Objection, text: str, by: User, request=None) -> ObjectionNote:
    """Adds a note of the inquiry; the objection is then under inquiry."""
    if not text.strip():
        raise ValidationError("请填写调查记录。")
    locked = _unresolved(objection)
    note = ObjectionNote.objects.create(objection=locked, author=by, text=text.strip())
    if locked.status == Objection.Status.RECEIVED:
        Objection.objects.filter(pk=locked.pk).update(status=Objection.Status.INQUIRY)
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=locked, detail="添加异议调查记录")
    return note


@transaction.atomic
def objection_decide(
    *,
    objection: Objection,
    upheld: bool,
    outcome: str = "",
    new_tier: str = "",
    reply: str,
    by: User,
    request=None,
) -> Objection:
    """Decides the objection. Upheld: the award's tier changes or the award is withdrawn (its certificate,
    if any, then verifies as withdrawn and its number is never reused). The reply is mailed to the objector."""
    reply = reply.strip()
    if len(reply) < 10:
        raise ValidationError("请填写答复意见（至少 10 个字），答复将通过电子邮件发送给异议人。")
    from reviews.models import AwardDecision

    locked = _unresolved(objection)
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("application", "special_prize")
        .get(pk=locked.award_id)
    )
    if upheld:
        if outcome == Objection.Outcome.CHANGE_TIER and award.special_prize_id is not None:
            raise ValidationError("单项奖不能调整奖项等级：异议成立时请选择撤销获奖。")
        if outcome == Objection.Outcome.CHANGE_TIER:
            new_tier = new_tier.strip()
            if not new_tier or new_tier == award.tier:
                raise ValidationError("请填写调整后的奖项等级（须与原等级不同）。")
            # The decision is the one record of the tier: the ranking, publicity list, results and certificate
            # all read it, so they all show the new tier.
            AwardDecision.objects.update_or_create(
                application_id=award.application_id,
                defaults={
                    "tier": new_tier[:40],
                    "reason": f"异议 {locked.tracking_number} 成立，调整奖项等级",
                    "decided_by": by,
                },
            )
            # The files carry the old tier: cleared so the next generation writes them again, same number.
            Certificate.objects.filter(award=award).update(docx="", pdf="")
        elif outcome == Objection.Outcome.WITHDRAW:
            award.status = Award.Status.WITHDRAWN
            award.withdrawn_reason = f"异议 {locked.tracking_number} 成立：{reply}"
            award.save(update_fields=["status", "withdrawn_reason"])
        else:
            raise ValidationError("异议成立时请选择处理结果：调整奖项等级或撤销获奖。")
        locked.status, locked.outcome, locked.new_tier = Objection.Status.UPHELD, outcome, new_tier
    else:
        locked.status, locked.outcome, locked.new_tier = Objection.Status.DISMISSED, "", ""
    locked.reply, locked.decided_by, locked.decided_at = reply, by, timezone.now()
    locked.save(update_fields=["status", "outcome", "new_tier", "reply", "decided_by", "decided_at"])
    audit_record(
        kind=AuditEvent.Kind.DECISION,
        request=request,
        user=by,
        obj=locked,
        detail=f"异议{locked.get_status_display()}" + (f"：{locked.get_outcome_display()}" if upheld else ""),
    )
    email_send(
        to=[locked.email],
        subject=f"异议处理答复 {locked.tracking_number}",
        template="awards/email/objection_reply.txt",
        context={"objection": locked, "application": award.application, "campaign": locked.campaign},
    )
    public_pages_changed(campaign=locked.campaign)
    return locked


# ------------------------------------------------------------------------------------------ results


def results_refusal(campaign: Campaign, now: dt.datetime) -> str:
    """Why the results cannot be published now, or "" when they can."""
    publicity = _fresh_publicity(campaign)
    if publicity.results_published_at:
        return "获奖名单已发布。"
    if publicity_is_open(campaign, publicity, now) or not publicity_closed_at(campaign, publicity, now):
        return "公示期结束后才能发布获奖名单。"
    pending = campaign.objections.exclude(status__in=Objection.RESOLVED).count()
    if pending:
        return f"还有 {pending} 件异议未处理完毕。"
    if not campaign.awards.filter(status=Award.Status.ACTIVE).exists():
        return "获奖名单为空。"
    return ""


def results_publish(*, campaign: Campaign, by: User, request=None, now: dt.datetime | None = None) -> Publicity:
    """Publishes the final list (获奖名单) once the window closed and every objection is resolved. Every
    applicant whose case went to review hears the result on commit: those on the list their tier (or the
    withdrawal), the others the campaign's polite no-award text (Publicity.no_award_text)."""
    now = now or timezone.now()
    with transaction.atomic():
        refusal = results_refusal(campaign, now)
        if refusal:
            raise ValidationError(refusal)
        Publicity.objects.get_or_create(campaign=campaign)
        updated = Publicity.objects.filter(campaign=campaign, results_published_at__isnull=True).update(
            results_published_at=now, results_published_by=by
        )
        if updated != 1:
            raise ValidationError("获奖名单已发布。")
        per_application: dict[int, list[Award]] = {}
        for award in (
            Award.objects.filter(campaign=campaign)
            .with_section()
            .select_related("application__applicant", "application__award_decision", "special_prize")
            .order_by("application_id", "section", "special_prize__position", "id")
        ):
            per_application.setdefault(award.application_id, []).append(award)
        # One e-mail per case, naming each of its awards (a graded tier and its special prizes). A case whose
        # only rows are results that are not awards (整改、合格) hears the no-award text with its result.
        told = set()
        for application_id, rows in per_application.items():
            awarded = [a for a in rows if a.is_award]
            if not awarded:
                continue
            application = rows[0].application
            email_send(
                to=[application.applicant.email],
                subject=f"评选结果：{application.title}",
                template="awards/email/result.txt",
                context={"awards": awarded, "application": application, "campaign": campaign},
            )
            told.add(application_id)
        publicity = Publicity.objects.get(campaign=campaign)
        for application in (
            Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED)
            .exclude(pk__in=told)
            .select_related("applicant")
            .order_by("id")
        ):
            results = [a.tier for a in per_application.get(application.pk, []) if a.status == Award.Status.ACTIVE]
            email_send(
                to=[application.applicant.email],
                subject=f"评选结果：{application.title}",
                template="awards/email/result_not_awarded.txt",
                context={
                    "application": application,
                    "campaign": campaign,
                    "message": publicity.no_award_text,
                    "results": results,
                },
            )
        audit_record(kind=AuditEvent.Kind.PUBLICATION, request=request, user=by, obj=campaign, detail="发布获奖名单")
        enqueue("awards.certificates_issue", campaign.pk)
        public_pages_changed(campaign=campaign)
    return Publicity.objects.get(campaign=campaign)


# ------------------------------------------------------------------------------------- certificates


def certificate_template_get(campaign: Campaign) -> CertificateTemplate:
    """The campaign's certificate template, or the unsaved defaults (today's body, naming the campaign, and the
    site's issuing body): reading never writes (the template is stored when staff first save it)."""
    return CertificateTemplate.objects.filter(campaign=campaign).first() or CertificateTemplate(
        campaign=campaign, body=selectors.certificate_default_body(campaign), issuer=site_settings().issuing_body
    )


def certificate_year(campaign: Campaign) -> int:
    return campaign.publicity_ends_at.astimezone(timezone.get_default_timezone()).year


def _counter_locked(*, issuing_body: str, year: int) -> CertificateCounter:
    try:
        with transaction.atomic():  # a savepoint: a rival's concurrent insert must not break the caller's
            CertificateCounter.objects.get_or_create(issuing_body=issuing_body, year=year)
    except IntegrityError:
        pass  # the rival created it: lock theirs
    return CertificateCounter.objects.select_for_update().get(issuing_body=issuing_body, year=year)


def certificate_allocate(*, award: Award) -> Certificate:
    """Gives the award its certificate number, once. Numbers run per issuing body (the one the certificate
    prints: selectors.certificate_issuer) and year across campaigns: the (body, year) counter row is locked
    (select_for_update) in the same
    transaction that creates the certificate, so two workers or two campaigns never take the same serial
    and a rolled-back or killed allocation leaves no gap. A number already taken (by a certificate numbered
    before the counters were per body and year) is stepped over, never reused. A result that is not an award
    (评定结果 such as 整改) gets no certificate: refused."""
    if not award.is_award:
        raise ValidationError(f"“{award.tier}”是评定结果，不属于奖项，不颁发荣誉证书。")
    with transaction.atomic():
        year = certificate_year(award.campaign)
        template = certificate_template_get(award.campaign)
        counter = _counter_locked(issuing_body=selectors.certificate_issuer(template), year=year)
        existing = Certificate.objects.filter(award=award).first()  # read after the lock: sees a rival's commit
        if existing:
            return existing
        while True:
            counter.last_serial += 1
            number = f"{template.number_prefix}-{year}-{counter.last_serial:03d}"
            if not Certificate.objects.filter(number=number).exists():
                break
        counter.save(update_fields=["last_serial"])
        certificate = Certificate.objects.create(
            award=award, campaign_id=award.campaign_id, serial=counter.last_serial, number=number
        )
        audit_record(kind=AuditEvent.Kind.CERTIFICATE, obj=certificate, user_label="系统", detail="证书编号")
        return certificate


def certificates_allocate(*, campaign: Campaign) -> int:
    """Numbers every active award of the campaign in rank order, graded tiers before special prizes (each in its
    own short transaction); results that are not awards (评定结果) are skipped."""
    if not _fresh_publicity(campaign).results_published_at:
        raise ValidationError("获奖名单发布后才能颁发证书。")
    count = 0
    for award in (
        Award.objects.filter(campaign=campaign, status=Award.Status.ACTIVE, certificate__isnull=True)
        .awarded()
        .select_related("campaign", "special_prize")
        .order_by("section", "rank", "special_prize__position", "id")
    ):
        try:
            certificate_allocate(award=award)
        except IntegrityError:
            # A rival allocation won the one-to-one on SQLite (no row locks): theirs stands. Any other clash
            # is a real fault and must not be swallowed (it left exports "done" with an empty ZIP).
            if Certificate.objects.filter(award=award).exists():
                continue
            raise
        count += 1
    return count


def _store(name: str, data) -> str:
    """Writes `data` (bytes or an open binary file) under `name` in the default storage, replacing what was
    there (a stale file from before a template change). Returns the name it was stored under: the storage
    picks another one if a concurrent run wrote the same name in between; both hold the same document."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data) if isinstance(data, bytes) else File(data))


def _stored(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def _certificate_values(certificate: Certificate, template: CertificateTemplate) -> dict[str, str]:
    application = certificate.award.application
    campaign = certificate.campaign
    day = (
        template.issued_on
        or (campaign.ceremony_at or campaign.publicity_ends_at).astimezone(timezone.get_default_timezone()).date()
    )
    return {
        "NAME": application.applicant_name,
        "CASE_TITLE": application.title,
        "TIER": certificate.award.tier,
        "ORGANISATION": application.organisation_name or application.declaring_unit,
        "DATE": f"{day.year}年{day.month}月{day.day}日",
        "ISSUER": selectors.certificate_issuer(template),
        "NUMBER": certificate.number,
        "URL": f"{settings.PORTAL_BASE_URL}/verify/{certificate.code}/",
        "CAMPAIGN": campaign.title,
    }


def _pdf_metadata(certificate: Certificate, template: CertificateTemplate) -> documents.PdfMetadata:
    return documents.PdfMetadata(
        title=f"{template.title} {certificate.number}",
        author=selectors.certificate_issuer(template),
        subject=certificate.campaign.title,
        portal=site_settings().name,
    )


def _master(template: CertificateTemplate) -> bytes:
    def read(field):
        if not field:
            return None
        with field.open("rb") as f:
            return f.read()

    # No seal of the campaign's own: the one on the site settings page (站点设置), if any.
    seal = read(template.seal) or read(site_settings().seal)
    return documents.build_master(
        documents.TemplateData(
            title=template.title,
            body=selectors.certificate_body(template),
            background=read(template.background),
            seal=seal,
            portal=site_settings().name,
        )
    )


PDF_BATCH = 20  # documents per LibreOffice call: its start-up costs more than a page
PDF_PROCESSES = max(1, min(2, os.cpu_count() or 1))
DOCX_CHUNK = 25  # DOCX written between two database commits (and progress updates)


def certificate_files_generate(*, campaign: Campaign, certificate_ids: list[int] | None = None, progress=None) -> int:
    """Writes the missing DOCX, then the missing PDF, of the campaign's active certificates under fixed names
    (certificates/<campaign>/<number>.docx|pdf). Safe to run twice or concurrently: a file is replaced
    atomically with the same content. `progress(n)` is called after each file. Returns the files written."""
    template = certificate_template_get(campaign)
    qs = Certificate.objects.filter(
        campaign=campaign, award__status=Award.Status.ACTIVE, award__in=Award.objects.awarded()
    ).select_related("award__application__award_decision", "award__special_prize", "campaign")
    if certificate_ids is not None:
        qs = qs.filter(pk__in=certificate_ids)
    certificates = list(qs.order_by("serial"))
    written = 0
    renderer = None
    pending: list[tuple[int, str]] = []

    def flush() -> None:
        # One transaction per chunk: a commit per file would cost a disk flush per certificate.
        with transaction.atomic():
            for pk, name in pending:
                Certificate.objects.filter(pk=pk).update(docx=name, pdf="")
        if progress and pending:
            progress(len(pending))
        pending.clear()

    for certificate in certificates:
        if _stored(certificate.docx):
            continue
        renderer = renderer or documents.CertificateRenderer(_master(template))
        name = _store(
            f"certificates/{campaign.pk}/{certificate.number}.docx",
            renderer.render(_certificate_values(certificate, template)),
        )
        certificate.docx, certificate.pdf = name, ""
        pending.append((certificate.pk, name))
        written += 1
        if len(pending) >= DOCX_CHUNK:
            flush()
    flush()
    if documents.soffice_path() is None:
        return written
    todo = [c for c in certificates if not _stored(c.pdf)]
    batches = [todo[i : i + PDF_BATCH] for i in range(0, len(todo), PDF_BATCH)]
    with tempfile.TemporaryDirectory(prefix="kp-cert-") as tmp, ThreadPoolExecutor(PDF_PROCESSES) as pool:
        # LibreOffice converts on one core: PDF_PROCESSES soffice processes (each with its own profile) run
        # side by side; the database is written from this thread only. LibreOffice reads and writes local
        # files: the DOCX are copied out of the storage into the temporary folder (removed on leaving) and
        # the PDF saved back into it.
        futures = {}
        for number, batch in enumerate(batches):
            folder = Path(tmp) / str(number)
            folder.mkdir()
            sources = []
            for certificate in batch:
                source = folder / f"{certificate.number}.docx"
                with default_storage.open(certificate.docx, "rb") as stored, source.open("wb") as local:
                    shutil.copyfileobj(stored, local)
                sources.append(source)
            futures[pool.submit(documents.docx_to_pdf, sources, folder / "pdf")] = (batch, sources)
        for future in as_completed(futures):
            batch, sources = futures[future]
            pdfs = future.result()
            with transaction.atomic():
                for certificate, source in zip(batch, sources, strict=True):
                    documents.pdf_set_metadata(pdfs[source], _pdf_metadata(certificate, template))
                    with pdfs[source].open("rb") as pdf:
                        name = _store(f"certificates/{campaign.pk}/{certificate.number}.pdf", pdf)
                    Certificate.objects.filter(pk=certificate.pk).update(pdf=name)
                    certificate.pdf = name
                    written += 1
            if progress:
                progress(len(batch))
    return written


@transaction.atomic
def certificate_export_start(*, campaign: Campaign, by: User, request=None) -> CertificateExport:
    """Queues the batch export of every certificate of the campaign into a ZIP."""
    if not _fresh_publicity(campaign).results_published_at:
        raise ValidationError("获奖名单发布后才能导出证书。")
    export = CertificateExport.objects.create(campaign=campaign, requested_by=by)
    audit_record(
        kind=AuditEvent.Kind.CERTIFICATE, request=request, user=by, obj=campaign, detail=f"证书批量导出 #{export.pk}"
    )
    job_queue(export)
    return export


def certificate_export_run(*, export_id: int, final_attempt: bool = True) -> str:
    """The batch: numbers, DOCX, PDF, then the ZIP, with progress (and the job's heartbeat) written after every
    file. Run twice, or resumed after its worker died (notifications.jobs), it finishes the same export with
    the same numbers: every step skips what is already done. The last failed attempt fails the export."""

    def build(export: CertificateExport, beat) -> dict:
        campaign = Campaign.objects.select_related("publicity").get(pk=export.campaign_id)
        try:
            certificates_allocate(campaign=campaign)
        except ValidationError as exc:
            raise JobFailed("导出失败：" + "；".join(exc.messages)) from exc
        active = Certificate.objects.filter(
            campaign=campaign, award__status=Award.Status.ACTIVE, award__in=Award.objects.awarded()
        )
        has_pdf = documents.soffice_path() is not None
        count = active.count()
        total = count * (2 if has_pdf else 1) + 1
        state = {"done": active.exclude(docx="").count() + (active.exclude(pdf="").count() if has_pdf else 0)}
        beat(total=total, done=state["done"])

        def progress(n):
            state["done"] = min(state["done"] + n, total - 1)
            beat(done=state["done"])

        certificate_files_generate(campaign=campaign, progress=progress)
        files = 0
        # The ZIP is built in a temporary file (removed on leaving) and then saved into the storage whole.
        with tempfile.TemporaryFile(prefix="kp-certificates-", suffix=".zip") as tmp:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
                for certificate in active.select_related("award__application", "award__special_prize").order_by(
                    "serial"
                ):
                    label = f"{certificate.number}-{certificate.award.application.applicant_name}"
                    for field, ext in ((certificate.docx, "docx"), (certificate.pdf, "pdf")):
                        if _stored(field):
                            with default_storage.open(field, "rb") as stored, z.open(f"{label}.{ext}", "w") as entry:
                                shutil.copyfileobj(stored, entry)
                            files += 1
            if not files:
                # An empty ZIP is not a result: staff see why instead of a "done" that hands them nothing.
                awards = Award.objects.filter(campaign=campaign, status=Award.Status.ACTIVE).awarded().count()
                raise JobFailed(
                    f"没有生成任何证书：{awards} 个有效获奖案例中，{count} 个已编号，没有可导出的证书文件。"
                    if awards
                    else "没有生成任何证书：获奖名单中没有有效的获奖案例。"
                )
            tmp.seek(0)
            name = _store(export.upload_path(f"export-{export.pk}.zip"), tmp)
        return {"done": total, "file": name, "error": "" if has_pdf else "未安装 LibreOffice，ZIP 中只有 Word 文件。"}

    return job_run(CertificateExport, export_id, build, final_attempt=final_attempt)


def certificate_generate_queue(*, certificate: Certificate) -> None:
    """Queues the per-application generation of one certificate's missing files."""
    enqueue("awards.certificate_generate", certificate.pk)


def certificates_issue(*, campaign_id: int) -> int:
    """Numbers every award of a published campaign in rank order and writes the files (the task queued when
    the results are published, so holders can download theirs without waiting for an export)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    certificates_allocate(campaign=campaign)
    return certificate_files_generate(campaign=campaign)


def certificate_ensure_files(*, certificate_id: int) -> Certificate:
    """Per-application generation: the one certificate's missing files."""
    certificate = Certificate.objects.select_related("campaign").get(pk=certificate_id)
    certificate_files_generate(campaign=certificate.campaign, certificate_ids=[certificate.pk])
    certificate.refresh_from_db()
    return certificate


@transaction.atomic
def certificate_template_save(*, template: CertificateTemplate, by: User, request=None) -> CertificateTemplate:
    """Saves the template; files already generated keep their text until staff regenerate them."""
    try:
        template.body.format_map({k: "" for k in documents.PLACEHOLDERS})
    except (KeyError, ValueError, IndexError) as exc:
        raise ValidationError(
            f"证书正文的占位符有误：{exc}。可用占位符：{{name}} {{case_title}} {{tier}} "
            "{{organisation}} {{date}} {{issuer}} {{campaign}}。"
        ) from exc
    template.save()
    Certificate.objects.filter(campaign_id=template.campaign_id).update(docx="", pdf="")
    audit_record(
        kind=AuditEvent.Kind.CERTIFICATE, request=request, user=by, obj=template.campaign, detail="修改证书模板"
    )
    return template
