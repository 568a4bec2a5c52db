"""Every write of the expert review: formal check, expert pool, rubric, assignment, conflicts, reviews."""

import datetime as dt
import tempfile
from collections import Counter
from decimal import Decimal

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Avg, Count, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Greatest, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from cases.models import Application, Campaign
from notifications.email import email_send
from notifications.jobs import job_active, job_prune_older_files, job_queue, job_run

from . import aggregation
from .models import (
    ApplicationScore,
    Assignment,
    AwardDecision,
    Conflict,
    Criterion,
    PanelMember,
    Review,
    ReviewerProfile,
    ReviewerScoreStats,
    ReviewSettings,
    Score,
    ScoreSheetExport,
)
from .selectors import (
    formal_check_statuses,
    ranking,
    review_settings_get,
    rubric_max_total,
    rubric_tree,
    submitted_reviews_of_campaign,
)

# The Kunshan notice's four conditions of a good case.
DEFAULT_RUBRIC = [
    ("真实性", "案例真实，非虚构、非抄袭。", Decimal("20")),
    ("专业性", "体现社会工作专业理念、方法和技巧。", Decimal("30")),
    ("完整性", "服务已完成并经过评估，结构完整。", Decimal("20")),
    ("示范性", "对同类服务有借鉴和推广价值。", Decimal("30")),
]
HALF = Decimal("0.5")


# --- Settings -------------------------------------------------------------------------------


# --- Formal check (形式审查) -------------------------------------------------------------------


def _transition(application: Application, to: str, **fields) -> None:
    updated = Application.objects.filter(
        pk=application.pk, status__in=formal_check_statuses(application.campaign)
    ).update(status=to, **fields)
    if updated != 1:
        raise ValidationError("该案例已不在待形式审查状态，请刷新页面。")
    application.refresh_from_db()


def _tell_applicant(application: Application, result: str) -> None:
    email_send(
        to=[application.applicant.email],
        subject=f"形式审查结果：{application.title}",
        template="reviews/email/formal_check_result.txt",
        context={"application": application, "result": result},
    )


@transaction.atomic
def application_accept(*, application: Application, by: User, request=None) -> Application:
    """形式审查通过: the case goes to expert review. Audited; the applicant is e-mailed."""
    _transition(application, Application.Status.ACCEPTED)
    audit_record(kind=AuditEvent.Kind.DECISION, request=request, user=by, obj=application, detail="形式审查通过")
    _tell_applicant(application, "通过")
    return application


@transaction.atomic
def application_return(
    *, application: Application, reason: str, resubmit_until: dt.datetime, by: User, request=None
) -> Application:
    """退回修改: the applicant may edit and resubmit until `resubmit_until`. Audited; the applicant is e-mailed."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回理由。"})
    if resubmit_until <= timezone.now():
        raise ValidationError({"resubmit_until": "重新提交截止时间必须晚于现在。"})
    _transition(application, Application.Status.RETURNED, return_reason=reason, resubmit_until=resubmit_until)
    audit_record(kind=AuditEvent.Kind.CASE_RETURN, request=request, user=by, obj=application, detail=reason)
    _tell_applicant(application, "退回修改")
    return application


@transaction.atomic
def application_reject(*, application: Application, reason: str, by: User, request=None) -> Application:
    """不予受理: the case leaves the campaign. Audited; the applicant is e-mailed with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写不予受理的理由。"})
    _transition(application, Application.Status.INELIGIBLE, return_reason=reason)
    audit_record(kind=AuditEvent.Kind.DECISION, request=request, user=by, obj=application, detail=f"不予受理：{reason}")
    _tell_applicant(application, "不予受理")
    return application


# --- Expert pool (评审专家库) ------------------------------------------------------------------


@transaction.atomic
def reviewer_invite(
    *,
    email: str,
    name: str,
    organisation: str = "",
    title: str = "",
    expertise: list[str] | None = None,
    contact: str = "",
    campaign: Campaign | None = None,
    by: User,
    request=None,
) -> User:
    """Add an expert to the pool (a new account without a password, or an existing one made a reviewer),
    optionally to a campaign's panel, and e-mail a link that sets the password."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, name=name.strip(), is_reviewer=True)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif not user.is_reviewer:
        User.objects.filter(pk=user.pk).update(is_reviewer=True)
        user.is_reviewer = True
    ReviewerProfile.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation.strip(),
            "title": title.strip(),
            "expertise": list(expertise or []),
            "contact": contact.strip(),
            "invited_at": timezone.now(),
        },
    )
    if campaign is not None:
        PanelMember.objects.update_or_create(campaign=campaign, reviewer=user, defaults={"is_active": True})
    link = reverse(
        "reviews:invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=user, detail="邀请评审专家")
    email_send(
        to=[user.email],
        subject="评审专家邀请",
        template="reviews/email/invitation.txt",
        context={"user": user, "link": link, "campaign": campaign},
    )
    return user


@transaction.atomic
def panel_set_active(*, campaign: Campaign, reviewer: User, active: bool, by: User, request=None) -> PanelMember:
    """An expert takes part in (or leaves) a campaign's panel. Existing assignments stay."""
    member, _ = PanelMember.objects.update_or_create(
        campaign=campaign, reviewer=reviewer, defaults={"is_active": active}
    )
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=reviewer,
        detail=f"{'加入' if active else '退出'}评审组：{campaign}",
    )
    return member


# --- Rubric (评分指标) --------------------------------------------------------------------------


def rubric_is_locked(campaign: Campaign) -> bool:
    """The rubric is frozen once any score of the campaign exists."""
    return Score.objects.filter(criterion__campaign=campaign).exists()


def _ensure_unlocked(campaign: Campaign) -> None:
    if rubric_is_locked(campaign):
        raise ValidationError("已有专家评分，评分指标不能再修改。")


@transaction.atomic
def rubric_ensure(*, campaign: Campaign, by: User | None = None, request=None) -> bool:
    """Give a campaign without criteria the Kunshan default: 真实性 20, 专业性 30, 完整性 20, 示范性 30.
    Called where a campaign is created (the admin, seed_demo) and by staff's POST on the rubric page, never
    by a page read. Audited when staff ask for it. Returns whether criteria were created."""
    if Criterion.objects.filter(campaign=campaign).exists():
        return False
    Criterion.objects.bulk_create(
        Criterion(campaign=campaign, name=name, description=text, max_points=points, position=i)
        for i, (name, text, points) in enumerate(DEFAULT_RUBRIC, start=1)
    )
    if by is not None:
        audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=campaign, detail="使用默认评分指标")
    return True


@transaction.atomic
def criterion_add(
    *,
    campaign: Campaign,
    name: str,
    max_points: Decimal,
    parent: Criterion | None = None,
    description: str = "",
    weight: Decimal = Decimal("1"),
    category: str = "",
    by: User | None = None,
    request=None,
) -> Criterion:
    """Add a criterion under `parent` (or at the top). A parent's own points are ignored: its children roll up."""
    _ensure_unlocked(campaign)
    if parent is not None and parent.campaign_id != campaign.pk:
        raise ValidationError({"parent": "上级指标不属于本评选活动。"})
    if parent is not None:
        category = parent.category
    position = Criterion.objects.filter(campaign=campaign, parent=parent).count() + 1
    criterion = Criterion(
        campaign=campaign,
        parent=parent,
        name=name.strip(),
        description=description.strip(),
        max_points=max_points,
        weight=weight,
        category=category,
        position=position,
    )
    criterion.full_clean()
    criterion.save()
    if by is not None:
        audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=criterion, detail="新增评分指标")
    return criterion


@transaction.atomic
def criterion_update(
    *,
    criterion: Criterion,
    name: str,
    description: str,
    max_points: Decimal,
    weight: Decimal,
    by: User,
    request=None,
) -> Criterion:
    """Change a criterion's wording, points or weight while no score exists."""
    _ensure_unlocked(criterion.campaign)
    criterion.name = name.strip()
    criterion.description = description.strip()
    criterion.max_points = max_points
    criterion.weight = weight
    criterion.full_clean()
    criterion.save()
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=criterion, detail="修改评分指标")
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, by: User, request=None) -> None:
    """Remove a criterion and everything under it, while no score exists."""
    _ensure_unlocked(criterion.campaign)
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=criterion, detail="删除评分指标")
    criterion.delete()


# --- Conflicts and assignment (回避与评审分配) ---------------------------------------------------


def _organisation_conflict(profile: ReviewerProfile | None, application: Application) -> bool:
    """Same organisation as the applicant, or named in any team member's 单位及职务."""
    if profile is None or not profile.organisation:
        return False
    org = profile.organisation.strip()
    if org in (application.organisation.name, application.organisation_name, application.declaring_unit):
        return True
    return any(org in member.unit_and_title for member in application.team_members.all())


def _campaign_applications(campaign: Campaign):
    return (
        Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED)
        .select_related("organisation")
        .prefetch_related("team_members")
        .order_by("id")
    )


def conflicts_detect(*, campaign: Campaign) -> int:
    """Record an organisation conflict for every accepted case and panel expert of the same unit."""
    profiles = [
        (profile.user_id, profile.organisation.strip())
        for profile in ReviewerProfile.objects.filter(user__panel_memberships__campaign=campaign)
        if profile.organisation.strip()
    ]
    existing = set(Conflict.objects.filter(application__campaign=campaign).values_list("application_id", "reviewer_id"))
    new = []
    for app in _campaign_applications(campaign):
        units = {app.organisation.name, app.organisation_name, app.declaring_unit}
        team_units = [member.unit_and_title for member in app.team_members.all()]
        for reviewer_id, org in profiles:
            if (app.pk, reviewer_id) in existing:
                continue
            if org in units or any(org in unit for unit in team_units):
                new.append(
                    Conflict(
                        application=app,
                        reviewer_id=reviewer_id,
                        source=Conflict.Source.ORGANISATION,
                        reason=f"与申报单位同属{org}",
                    )
                )
    Conflict.objects.bulk_create(new)
    return len(new)


def _assign(campaign: Campaign, applications, by: User | None) -> tuple[int, list[Application]]:
    """Fill each application up to N reviewers. Greedy by load: the least-loaded free expert first, where an
    expert in the case's domain counts as one assignment lighter (so expertise wins among near-equals)."""
    n = review_settings_get(campaign=campaign).reviewers_per_application
    reviewers = {
        pm.reviewer_id: pm.reviewer
        for pm in PanelMember.objects.filter(
            campaign=campaign, is_active=True, reviewer__is_active=True
        ).select_related("reviewer__reviewer_profile")
    }
    load = dict.fromkeys(reviewers, 0)
    for reviewer_id, count in (
        Assignment.objects.filter(application__campaign=campaign)
        .values_list("reviewer_id")
        .annotate(n=Count("id"))
        .values_list("reviewer_id", "n")
    ):
        if reviewer_id in load:
            load[reviewer_id] = count
    assigned = set(
        Assignment.objects.filter(application__campaign=campaign).values_list("application_id", "reviewer_id")
    )
    per_application = Counter(a for a, _r in assigned)
    conflicted = set(
        Conflict.objects.filter(application__campaign=campaign).values_list("application_id", "reviewer_id")
    )

    expertise = {
        r: set(getattr(getattr(user, "reviewer_profile", None), "expertise", None) or [])
        for r, user in reviewers.items()
    }

    created, short = [], []
    for app in applications:
        need = n - per_application.get(app.pk, 0)
        if need <= 0:
            continue
        candidates = [r for r in reviewers if (app.pk, r) not in assigned and (app.pk, r) not in conflicted]
        candidates.sort(key=lambda r: (load[r] - (app.domain in expertise[r]), app.domain not in expertise[r], r))
        for r in candidates[:need]:
            created.append(Assignment(application=app, reviewer=reviewers[r], is_automatic=True))
            load[r] += 1
            assigned.add((app.pk, r))
            per_application[app.pk] += 1
        if need > len(candidates):
            short.append(app)
    Assignment.objects.bulk_create(created)
    return len(created), short


@transaction.atomic
def assignments_auto(*, campaign: Campaign, by: User, request=None) -> tuple[int, list[Application]]:
    """Detect organisation conflicts, then give every accepted case N reviewers from the active panel.
    Returns (assignments made, cases still short of reviewers)."""
    Campaign.objects.select_for_update().get(pk=campaign.pk)  # one auto-assignment at a time per campaign
    conflicts_detect(campaign=campaign)
    count, short = _assign(campaign, list(_campaign_applications(campaign)), by)
    audit_record(
        kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=campaign, detail=f"自动分配评审：新增 {count} 条"
    )
    return count, short


def is_conflicted(*, application: Application, reviewer: User) -> bool:
    if Conflict.objects.filter(application=application, reviewer=reviewer).exists():
        return True
    profile = ReviewerProfile.objects.filter(user=reviewer).first()
    return _organisation_conflict(profile, application)


@transaction.atomic
def assignment_add(*, application: Application, reviewer: User, by: User, request=None) -> Assignment:
    """Staff assign an expert by hand. A conflicted expert is refused."""
    if not reviewer.is_reviewer:
        raise ValidationError("该用户不是评审专家。")
    if application.status != Application.Status.ACCEPTED:
        raise ValidationError("只有形式审查通过的案例才能分配评审。")
    if is_conflicted(application=application, reviewer=reviewer):
        raise ValidationError(f"{reviewer.name} 与该案例存在回避关系，不能分配。")
    assignment, created = Assignment.objects.get_or_create(
        application=application, reviewer=reviewer, defaults={"is_automatic": False}
    )
    if not created:
        raise ValidationError(f"{reviewer.name} 已分配评审该案例。")
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=application, detail=f"分配评审：{reviewer}")
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, by: User, request=None) -> None:
    """Staff take a case away from an expert; a submitted review must be reopened first (it would vanish)."""
    if Review.objects.filter(assignment=assignment, status=Review.Status.SUBMITTED).exists():
        raise ValidationError("该专家已提交评审，不能取消分配。")
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=assignment.application,
        detail=f"取消分配：{assignment.reviewer}",
    )
    assignment.delete()


@transaction.atomic
def conflict_add(
    *, application: Application, reviewer: User, source: str, reason: str, by: User, request=None
) -> Conflict:
    """Record a conflict (declared by the expert or entered by staff). The expert's assignment and any review
    of the case are removed, and the case is given a replacement expert from the panel."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写回避理由。"})
    conflict, _ = Conflict.objects.get_or_create(
        application=application, reviewer=reviewer, defaults={"source": source, "reason": reason[:200]}
    )
    Assignment.objects.filter(application=application, reviewer=reviewer).delete()
    application_scores_refresh(
        campaign=application.campaign, application_ids=[application.pk], reviewer_ids=[reviewer.pk]
    )
    _assign(application.campaign, [application], by)
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=application, detail=f"回避：{reason}")
    return conflict


# --- Stored aggregates (案例评分汇总) -------------------------------------------------------------


def _max_total(campaign: Campaign) -> float:
    return float(rubric_max_total(rubric_tree(campaign))) or 100.0


def _normalised_update(campaign: Campaign) -> None:
    """Every application's normalised score from its reviews' stored z-scores and the panel's mean and spread,
    in one UPDATE (the panel's figures move with every review, so every row may change)."""
    total = Cast("total", FloatField())
    figures = submitted_reviews_of_campaign(campaign.pk).aggregate(mean=Avg(total), square=Avg(total * total))
    # Population SD as sqrt(E[x²] − mean²): SQLite's STDDEV_POP is a slow Python callback.
    panel_mean = float(figures["mean"] or 0)
    panel_sd = max(float(figures["square"] or 0) - panel_mean * panel_mean, 0.0) ** 0.5
    rescaled = Value(panel_mean) + Cast("z", FloatField()) * Value(panel_sd)
    clipped = Least(Greatest(rescaled, Value(0.0)), Value(_max_total(campaign)), output_field=FloatField())
    per_application = (
        Review.objects.filter(status=Review.Status.SUBMITTED, assignment__application=OuterRef("application"))
        .values("assignment__application")
        .annotate(normalised=Avg(clipped, output_field=FloatField()))
        .values("normalised")
    )
    ApplicationScore.objects.filter(campaign=campaign).update(normalised=Subquery(per_application))


def _reviewer_z_update(campaign: Campaign, reviewer_ids) -> None:
    """Each given reviewer's submitted reviews of the campaign get their z-score among that reviewer's totals;
    the reviewer's count, mean and spread are stored for the calibration table."""
    reviewer_ids = list(reviewer_ids)
    rows: dict[int, list[tuple[int, float]]] = {r: [] for r in reviewer_ids}
    for pk, reviewer_id, total in (
        submitted_reviews_of_campaign(campaign.pk)
        .filter(assignment__reviewer__in=reviewer_ids)
        .order_by("pk")
        .values_list("pk", "assignment__reviewer_id", "total")
    ):
        rows[reviewer_id].append((pk, float(total)))
    changed = []
    stats = []
    for reviewer_id, reviews in rows.items():
        totals = [t for _pk, t in reviews]
        for (pk, _total), z in zip(reviews, aggregation.z_scores(totals), strict=True):
            changed.append(Review(pk=pk, z=z))
        if totals:
            mean, sd, count = aggregation.reviewer_stats([(0, reviewer_id, t) for t in totals])[reviewer_id]
            stats.append(ReviewerScoreStats(campaign=campaign, reviewer_id=reviewer_id, count=count, mean=mean, sd=sd))
    Review.objects.bulk_update(changed, ["z"], batch_size=1000)
    ReviewerScoreStats.objects.filter(campaign=campaign, reviewer__in=reviewer_ids).delete()
    ReviewerScoreStats.objects.bulk_create(stats)


def _application_basic_update(campaign: Campaign, application_ids) -> None:
    totals: dict[int, list[float]] = {pk: [] for pk in application_ids}
    for app_id, total in (
        submitted_reviews_of_campaign(campaign.pk)
        .filter(assignment__application__in=application_ids)
        .order_by("assignment__application_id", "assignment__reviewer_id")
        .values_list("assignment__application_id", "total")
    ):
        totals[app_id].append(float(total))
    accepted = set(
        Application.objects.filter(pk__in=application_ids, status=Application.Status.ACCEPTED).values_list(
            "pk", flat=True
        )
    )
    for app_id, values in totals.items():
        if app_id not in accepted:
            ApplicationScore.objects.filter(application=app_id).delete()
            continue
        ApplicationScore.objects.update_or_create(
            application_id=app_id, defaults={"campaign": campaign, **aggregation.basic(values)}
        )


def application_scores_refresh(*, campaign: Campaign, application_ids, reviewer_ids) -> None:
    """After a review of these applications by these reviewers was submitted, reopened or removed: their
    aggregates, the reviewers' z-scores (one pass over each reviewer's reviews) and, in one UPDATE, every
    application's normalised score. Called inside the service's transaction."""
    _reviewer_z_update(campaign, list(reviewer_ids))
    _application_basic_update(campaign, list(application_ids))
    _normalised_update(campaign)


@transaction.atomic
def campaign_scores_rebuild(*, campaign: Campaign) -> int:
    """Every stored aggregate of the campaign from scratch (bulk loads such as seed_scale, the migration that
    introduced them, a repair). Returns the number of applications."""
    reviewer_ids = set(submitted_reviews_of_campaign(campaign.pk).values_list("assignment__reviewer_id", flat=True))
    ReviewerScoreStats.objects.filter(campaign=campaign).delete()
    _reviewer_z_update(campaign, reviewer_ids)
    application_ids = list(
        Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED).values_list("pk", flat=True)
    )
    totals: dict[int, list[float]] = {pk: [] for pk in application_ids}
    for app_id, total in (
        submitted_reviews_of_campaign(campaign.pk)
        .order_by("assignment__application_id", "assignment__reviewer_id")
        .values_list("assignment__application_id", "total")
    ):
        totals[app_id].append(float(total))
    ApplicationScore.objects.filter(campaign=campaign).delete()
    ApplicationScore.objects.bulk_create(
        (
            ApplicationScore(application_id=pk, campaign=campaign, **aggregation.basic(values))
            for pk, values in totals.items()
        ),
        batch_size=2000,
    )
    _normalised_update(campaign)
    return len(application_ids)


# --- Reviews (评审) ----------------------------------------------------------------------------


def review_window_open(campaign: Campaign, now: dt.datetime) -> bool:
    """Reviewing is allowed from review_opens_at to review_closes_at, both included."""
    return campaign.review_opens_at <= now <= campaign.review_closes_at


@transaction.atomic
def review_save(
    *,
    assignment: Assignment,
    leaves: list,
    points: dict[int, Decimal | None],
    opinion: str,
    submit: bool,
    now: dt.datetime | None = None,
    request=None,
) -> Review:
    """Save a reviewer's scores and 专家评审意见 as a draft, or submit them (then locked).

    `leaves` are the scored criteria with their effective weight (selectors.rubric_tree). Refused outside the
    review window, on a submitted review, or when a submission misses a score or a long enough opinion."""
    now = now or timezone.now()
    campaign = assignment.application.campaign
    if not review_window_open(campaign, now):
        raise ValidationError("不在评审时间内，不能保存评分。")
    if not leaves:
        raise ValidationError("本评选活动尚未设置评分指标，暂不能评分，请联系工作人员。")
    review, _ = Review.objects.select_for_update().get_or_create(assignment=assignment)
    if review.status == Review.Status.SUBMITTED:
        raise ValidationError("该评审已提交，不能再修改。如需修改请联系工作人员。")
    errors = {}
    for leaf in leaves:
        value = points.get(leaf.pk)
        if value is None:
            if submit:
                errors[f"c{leaf.pk}"] = "请为此项打分。"
            continue
        if value < 0 or value > leaf.max_points:
            errors[f"c{leaf.pk}"] = f"得分应在 0 到 {leaf.max_points.normalize():f} 分之间。"
        elif value % HALF != 0:
            errors[f"c{leaf.pk}"] = "得分只能是整数或半分（如 12.5）。"
    opinion = opinion.strip()
    settings_row = review_settings_get(campaign=campaign)
    if submit and len(opinion) < settings_row.opinion_min_chars:
        errors["opinion"] = f"请填写专家评审意见，不少于 {settings_row.opinion_min_chars} 字（现 {len(opinion)} 字）。"
    if errors:
        raise ValidationError(errors)
    Score.objects.filter(review=review).delete()
    Score.objects.bulk_create(
        Score(review=review, criterion_id=leaf.pk, points=points[leaf.pk])
        for leaf in leaves
        if points.get(leaf.pk) is not None
    )
    review.opinion = opinion
    review.total = sum(
        (points[leaf.pk] * leaf.effective_weight for leaf in leaves if points.get(leaf.pk) is not None),
        Decimal("0"),
    ).quantize(Decimal("0.01"))
    if submit:
        review.status = Review.Status.SUBMITTED
        review.submitted_at = now
    review.save()
    if submit:
        application_scores_refresh(
            campaign=campaign, application_ids=[assignment.application_id], reviewer_ids=[assignment.reviewer_id]
        )
        audit_record(
            kind=AuditEvent.Kind.REVIEW_SUBMIT,
            request=request,
            user=assignment.reviewer,
            obj=assignment.application,
            detail=f"总分 {review.total}",
        )
    return review


@transaction.atomic
def review_reopen(*, review: Review, reason: str, by: User, request=None) -> Review:
    """Staff unlock a submitted review so the expert can change it. The reason is audited and e-mailed to the
    expert (with the case's reference only, so a blind review stays blind)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写重新开放的理由。"})
    updated = Review.objects.filter(Q(pk=review.pk) & Q(status=Review.Status.SUBMITTED)).update(
        status=Review.Status.DRAFT, reopen_reason=reason[:200], submitted_at=None
    )
    if updated != 1:
        raise ValidationError("该评审尚未提交，无需重新开放。")
    review.refresh_from_db()
    application_scores_refresh(
        campaign=review.assignment.application.campaign,
        application_ids=[review.assignment.application_id],
        reviewer_ids=[review.assignment.reviewer_id],
    )
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=review.assignment.application,
        detail=f"重新开放评审（{review.assignment.reviewer}）：{reason}",
    )
    application = review.assignment.application
    email_send(
        to=[review.assignment.reviewer.email],
        subject=f"评审已重新开放：{application.reference or application.pk}",
        template="reviews/email/review_reopened.txt",
        context={"review": review, "application": application, "reason": reason},
    )
    return review


# --- Award tiers and the decision (奖项等级与评审结果) ---------------------------------------------


def _ensure_not_confirmed(settings_row: ReviewSettings) -> None:
    if settings_row.decision_confirmed_at is not None:
        raise ValidationError("评审结果已确认，不能再调整奖项等级。")


@transaction.atomic
def tier_override(*, application: Application, tier: str, reason: str, by: User, request=None) -> AwardDecision:
    """Staff change an application's suggested tier (or give none). A reason is required and audited."""
    settings_row = review_settings_get(campaign=application.campaign)
    _ensure_not_confirmed(settings_row)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "调整奖项等级须填写理由。"})
    names = [t["name"] for t in settings_row.tiers]
    if tier and tier not in names:
        raise ValidationError({"tier": f"奖项等级只能是：{'、'.join(names)}，或不设奖项。"})
    decision, _ = AwardDecision.objects.update_or_create(
        application=application, defaults={"tier": tier, "reason": reason[:300], "decided_by": by}
    )
    audit_record(
        kind=AuditEvent.Kind.DECISION,
        request=request,
        user=by,
        obj=application,
        detail=f"调整奖项等级为“{tier or '不设奖项'}”：{reason}",
    )
    return decision


def incomplete_summary(incomplete: list) -> str:
    """ "KS-001（2/3）、KS-004（0/3）": the cases missing a review, as the confirmation lists them."""
    return "、".join(f"{app.reference or app.title}（{agg.count}/{agg.expected}）" for app, agg in incomplete)


@transaction.atomic
def decision_confirm(*, campaign: Campaign, by: User, incomplete_reason: str = "", request=None) -> int:
    """Confirm the decision list: every ranked application's rank, score, suggested and final tier are recorded
    (a staff change wins over the suggestion) and tiers can no longer change. Returns the number of awards.

    Refused while a case has fewer submitted reviews than it needs (a score from 2 of 3 reviews is not the
    score the panel gave), unless staff reassign first or give a reason, which is audited with the list."""

    ReviewSettings.objects.get_or_create(campaign=campaign)
    settings_row = ReviewSettings.objects.select_for_update().get(campaign=campaign)
    if settings_row.decision_confirmed_at is not None:
        raise ValidationError("评审结果已确认过。")
    result = ranking(campaign)
    reason = incomplete_reason.strip()
    if result.incomplete and not reason:
        raise ValidationError(
            f"{len(result.incomplete)} 个案例的评审尚未完成：{incomplete_summary(result.incomplete)}。"
            "请先补充分配评审专家并等待其提交评审，或填写理由后再确认。"
        )
    ReviewSettings.objects.filter(pk=settings_row.pk).update(
        decision_confirmed_at=timezone.now(), decision_confirmed_by=by
    )
    awarded = 0
    for app, agg, _per in result.rows:
        if agg.rank is None:
            continue
        score = agg.score(result.method)
        AwardDecision.objects.update_or_create(
            application=app,
            defaults={
                "rank": agg.rank,
                "score": Decimal(str(round(score, 2))) if score is not None else None,
                "suggested_tier": agg.tier,
                "tier": agg.final_tier,
            },
        )
        awarded += bool(agg.final_tier)
    detail = f"确认评审结果：获奖 {awarded} 个"
    if result.incomplete:
        detail += f"；评审未完成的案例 {incomplete_summary(result.incomplete)}，理由：{reason}"
    audit_record(kind=AuditEvent.Kind.DECISION, request=request, user=by, obj=campaign, detail=detail)
    return awarded


# --- 评分汇总表导出: the score sheet, built by a background job ---------------------------------------


def score_sheet_export_start(*, campaign: Campaign, by: User, request=None) -> ScoreSheetExport:
    """Start building the campaign's score sheet; a second click while one is queued or running gets that one
    (queued again if the broker was down), while a job whose worker died gives way to a new one."""
    from .exports import score_sheet_size

    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one starter at a time per campaign
        active = job_active(ScoreSheetExport, campaign=campaign)
        if active is not None:
            return active
        job = ScoreSheetExport.objects.create(campaign=campaign, requested_by=by, total=score_sheet_size(campaign))
        audit_record(
            kind=AuditEvent.Kind.OTHER,
            request=request,
            user=by,
            obj=job,
            detail=f"发起评分汇总表导出（Excel）：{campaign.title}",
        )
        job_queue(job)
    return job


def score_sheet_export_run(*, export_id: int, final_attempt: bool = True) -> str:
    """Write the job's .xlsx to a temporary file, store it and mark the job done; older sheets of the campaign
    are deleted from disk. Idempotent like every job (notifications.jobs.job_run)."""
    from .exports import score_sheet_write

    def build(job: ScoreSheetExport, beat) -> dict:
        with tempfile.TemporaryFile(prefix="score-sheet-", suffix=".xlsx") as tmp:
            written = score_sheet_write(job.campaign, tmp, progress=lambda n: beat(done=n))
            tmp.seek(0)
            job.file.save(f"{job.pk}.xlsx", File(tmp), save=False)
        return {"file": job.file.name, "total": written, "done": written}

    result = job_run(ScoreSheetExport, export_id, build, final_attempt=final_attempt)
    if result == ScoreSheetExport.Status.DONE:
        job_prune_older_files(ScoreSheetExport, export_id)  # older ZIPs/sheets of the campaign: free their space
    return result


# --- E-mails to the panel -----------------------------------------------------------------------


@transaction.atomic
def reviewers_notify(*, campaign: Campaign, by: User, request=None) -> int:
    """E-mail each expert with assignments in the campaign: the review window and their list of cases
    (references, categories and domains only, so a blind review stays blind). Returns the number of e-mails."""
    by_reviewer: dict[int, list[Assignment]] = {}
    for assignment in (
        Assignment.objects.filter(application__campaign=campaign, application__status=Application.Status.ACCEPTED)
        .exclude(application__conflicts__reviewer=F("reviewer"))
        .select_related("reviewer", "application")
        .order_by("reviewer_id", "application_id")
    ):
        by_reviewer.setdefault(assignment.reviewer_id, []).append(assignment)
    for assignments in by_reviewer.values():
        reviewer = assignments[0].reviewer
        email_send(
            to=[reviewer.email],
            subject=f"评审任务通知：{campaign.title}",
            template="reviews/email/assignments.txt",
            context={"reviewer": reviewer, "campaign": campaign, "assignments": assignments},
        )
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=campaign,
        detail=f"发送评审任务通知：{len(by_reviewer)} 位专家",
    )
    return len(by_reviewer)
