"""Every write of the expert review: formal check, expert pool, rubric, assignment, conflicts, reviews."""

import datetime as dt
import re
import tempfile
from collections import Counter
from decimal import Decimal

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Avg, Count, F, FloatField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Greatest, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.audit import audit_record
from accounts.models import AuditEvent, Organisation, User
from accounts.tabular import Column, Row
from accounts.validators import mobile_validator, validate_credit_code
from cases.materials import evidence_slot_name
from cases.models import DEFAULT_DOMAINS, Application, Campaign
from cases.services import material_slots_add
from notifications.email import email_send
from notifications.jobs import job_active, job_prune_older_files, job_queue, job_run

from . import aggregation
from .models import (
    ApplicationScore,
    Assignment,
    AwardDecision,
    Conflict,
    ConflictFlag,
    Criterion,
    PanelMember,
    Review,
    ReviewerProfile,
    ReviewerScoreStats,
    ReviewSettings,
    RubricPart,
    Score,
    ScoreSheetExport,
    TierBy,
    TierRule,
)
from .selectors import (
    criterion_leaf_parts,
    formal_check_statuses,
    ranking,
    review_not_conflicted,
    review_settings_get,
    rubric_max_total,
    rubric_paths,
    rubric_tree,
    submitted_reviews_of_campaign,
    tier_rules,
)
from .unit_names import unit_names_resemble

# The Kunshan notice's four conditions of a good case.
DEFAULT_RUBRIC = [
    ("真实性", "案例真实，非虚构、非抄袭。", Decimal("20")),
    ("专业性", "体现社会工作专业理念、方法和技巧。", Decimal("30")),
    ("完整性", "服务已完成并经过评估，结构完整。", Decimal("20")),
    ("示范性", "对同类服务有借鉴和推广价值。", Decimal("30")),
]
HALF = Decimal("0.5")
UNCHANGED = object()  # a keyword argument left out (None means "none")


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


def _invitation_send(*, user: User, campaign: Campaign | None) -> None:
    link = reverse(
        "reviews:invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    email_send(
        to=[user.email],
        subject="评审专家邀请",
        template="reviews/email/invitation.txt",
        context={"user": user, "link": link, "campaign": campaign},
    )


@transaction.atomic
def reviewer_invite(
    *,
    email: str,
    name: str,
    organisation: str = "",
    organisation_ref: Organisation | None = None,
    title: str = "",
    expertise: list[str] | None = None,
    contact: str = "",
    phone: str = "",
    campaign: Campaign | None = None,
    by: User,
    request=None,
) -> User:
    """Add an expert to the pool (a new account without a password, or an existing one made a reviewer),
    optionally to a campaign's panel, and e-mail a link that sets the password (queued when the transaction
    commits). `organisation_ref` is the registered unit conflict detection compares; the free text defaults
    to its name."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, name=name.strip(), phone=phone.strip(), is_reviewer=True)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif not user.is_reviewer:
        User.objects.filter(pk=user.pk).update(is_reviewer=True)
        user.is_reviewer = True
    organisation = organisation.strip() or (organisation_ref.name if organisation_ref else "")
    ReviewerProfile.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation,
            "organisation_ref": organisation_ref,
            "title": title.strip(),
            "expertise": list(expertise or []),
            "contact": contact.strip() or phone.strip(),
            "invited_at": timezone.now(),
        },
    )
    if campaign is not None:
        PanelMember.objects.update_or_create(campaign=campaign, reviewer=user, defaults={"is_active": True})
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=user, detail="邀请评审专家")
    _invitation_send(user=user, campaign=campaign)
    return user


INVITATION_RESEND_INTERVAL = dt.timedelta(minutes=10)


@transaction.atomic
def reviewer_invitation_resend(*, reviewer: User, campaign: Campaign | None = None, by: User, request=None) -> None:
    """E-mail the expert a fresh link to set their password (the old one stays valid until a password is set).
    Refused once the expert has set a password (they use 找回密码 then) and within ten minutes of the last
    invitation, so a double click or an impatient colleague does not flood their inbox. Audited."""
    profile = ReviewerProfile.objects.filter(user=reviewer).first()
    if profile is None:
        raise ValidationError("该用户不在评审专家库中。")
    if reviewer.has_usable_password():
        raise ValidationError(f"{reviewer.name} 已设置密码，无需重发邀请；如忘记密码，可在登录页“找回密码”。")
    now = timezone.now()
    # The conditional UPDATE lets one of two simultaneous clicks through.
    updated = (
        ReviewerProfile.objects.filter(pk=profile.pk)
        .filter(Q(invited_at__isnull=True) | Q(invited_at__lte=now - INVITATION_RESEND_INTERVAL))
        .update(invited_at=now)
    )
    if updated != 1:
        minutes = int(INVITATION_RESEND_INTERVAL.total_seconds() // 60)
        sent = timezone.localtime(profile.invited_at)
        raise ValidationError(f"已于 {sent:%H:%M} 向 {reviewer.name} 发送邀请，请 {minutes} 分钟后再重发。")
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=reviewer, detail="重发评审专家邀请")
    _invitation_send(user=reviewer, campaign=campaign)


# 评审专家导入: the columns of the template and of the export, in this order.
EXPERT_COLUMNS = [
    Column("name", "姓名", ("专家姓名",), "张明", required=True),
    Column("organisation", "工作单位", ("工作单位名称", "单位"), "昆山市社会工作协会", help="单位全称"),
    Column(
        "credit_code",
        "统一社会信用代码",
        ("单位统一社会信用代码", "工作单位统一社会信用代码"),
        "",
        help="工作单位已在门户登记的，填写其 18 位代码，用于自动识别回避",
    ),
    Column("title", "职称/职务", ("职称", "职务"), "高级社会工作师"),
    Column("expertise", "擅长领域", ("领域",), "儿童及青少年、社区建设", help="多个领域用“、”分隔"),
    Column("phone", "手机号码", ("手机", "联系电话"), "13912345678", help="11 位手机号码"),
    Column("email", "电子邮箱", ("邮箱", "email", "e-mail"), "zhangming@example.cn", required=True),
]
_SPLIT = re.compile(r"[、,，;；/\s]+")


def _expertise_list(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text or "") if part]


def experts_import_check(*, rows: list[Row], campaign: Campaign | None) -> None:
    """Check every row of an expert import, writing nothing: each bad row gets its messages (missing name, bad
    e-mail or phone, a duplicate in the file, an e-mail already registered, an unknown credit code, a domain
    the campaign does not have)."""
    emails = [r.get("email").strip().lower() for r in rows]
    phones = [r.get("phone").strip() for r in rows]
    codes = {r.get("credit_code").strip().upper() for r in rows if r.get("credit_code").strip()}
    known_emails = set(User.objects.filter(email__in=[e for e in emails if e]).values_list("email", flat=True))
    organisations = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    domains = list(campaign.domains) if campaign is not None and campaign.domains else list(DEFAULT_DOMAINS)
    email_count, phone_count = Counter(e for e in emails if e), Counter(p for p in phones if p)
    first_line = {}
    for row, email, phone in zip(rows, emails, phones, strict=True):
        errors = row.errors = []
        name = row.get("name").strip()
        if not name:
            errors.append("缺少姓名")
        elif len(name) > 50:
            errors.append("姓名不能超过 50 个字")
        if not email:
            errors.append("缺少电子邮箱")
        else:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"电子邮箱“{row.get('email')}”格式不正确")
            else:
                if email_count[email] > 1:
                    first = first_line.setdefault(("email", email), row.number)
                    if first != row.number:
                        errors.append(f"电子邮箱与第 {first} 行重复")
                if email in known_emails:
                    errors.append(f"电子邮箱 {email} 已注册（已在专家库或为其他用户），请勿重复导入")
        if phone:
            try:
                mobile_validator(phone)
            except ValidationError:
                errors.append(f"手机号码“{phone}”不正确，应为 11 位手机号码")
            else:
                if phone_count[phone] > 1:
                    first = first_line.setdefault(("phone", phone), row.number)
                    if first != row.number:
                        errors.append(f"手机号码与第 {first} 行重复")
        code = row.get("credit_code").strip().upper()
        if code:
            try:
                validate_credit_code(code)
            except ValidationError as error:
                errors.append(error.messages[0].rstrip("。"))
            else:
                if code not in organisations:
                    errors.append(f"未找到统一社会信用代码为 {code} 的机构，请先导入该机构或删去此代码")
        if len(row.get("organisation").strip()) > 100:
            errors.append("工作单位不能超过 100 个字")
        if len(row.get("title").strip()) > 50:
            errors.append("职称/职务不能超过 50 个字")
        unknown = [d for d in _expertise_list(row.get("expertise")) if d not in domains]
        if unknown:
            errors.append(f"擅长领域“{'、'.join(unknown)}”不在案例领域中（可选：{'、'.join(domains)}）")


@transaction.atomic
def experts_import(
    *, rows: list[Row], campaign: Campaign | None, add_to_panel: bool = True, by: User, request=None
) -> int:
    """Import experts: every row is checked again, then each becomes a reviewer account without a password with
    its profile (the unit linked by credit code, or by its exact registered name), on the campaign's panel if
    asked, and gets the invitation e-mail once the import commits. All rows or none. Returns the count."""
    experts_import_check(rows=rows, campaign=campaign)
    bad = [r for r in rows if r.errors]
    if bad:
        raise ValidationError([f"第 {r.number} 行：{'；'.join(r.errors)}" for r in bad])
    codes = {r.get("credit_code").strip().upper() for r in rows} - {""}
    names = {r.get("organisation").strip() for r in rows} - {""}
    by_code = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    by_name = {o.name: o for o in Organisation.objects.filter(name__in=names, status=Organisation.Status.APPROVED)}
    for row in rows:
        code = row.get("credit_code").strip().upper()
        organisation_text = row.get("organisation").strip()
        reviewer_invite(
            email=row.get("email"),
            name=row.get("name"),
            organisation=organisation_text,
            organisation_ref=by_code.get(code) or by_name.get(organisation_text),
            title=row.get("title"),
            expertise=_expertise_list(row.get("expertise")),
            phone=row.get("phone"),
            campaign=campaign if add_to_panel else None,
            by=by,
            request=request,
        )
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=campaign,
        detail=f"导入评审专家 {len(rows)} 位" + ("并加入评审组" if campaign is not None and add_to_panel else ""),
    )
    return len(rows)


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
    part: RubricPart | None = None,
    by: User | None = None,
    request=None,
) -> Criterion:
    """Add a criterion under `parent` (or at the top, in `part`). A parent's own points are ignored: its
    children roll up. A criterion under a parent takes the parent's category and part."""
    _ensure_unlocked(campaign)
    if parent is not None and parent.campaign_id != campaign.pk:
        raise ValidationError({"parent": "上级指标不属于本评选活动。"})
    _part_check(campaign, part)
    part_id = part.pk if part is not None else None
    if parent is not None:
        category = parent.category
        part_id = _top_part_id(parent)
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
        part_id=part_id,
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
    parent=UNCHANGED,
    part=UNCHANGED,
    by: User,
    request=None,
) -> Criterion:
    """Change a criterion's wording, points or weight while no score exists; with `parent`, move it (and what
    is under it) to the end of another parent's children (None: to the top level); with `part`, put a
    top-level criterion and its subtree in that part. Audited."""
    _ensure_unlocked(criterion.campaign)
    criterion.name = name.strip()
    criterion.description = description.strip()
    criterion.max_points = max_points
    criterion.weight = weight
    criterion.full_clean()
    criterion.save()
    details = ["修改评分指标"]
    if parent is not UNCHANGED and (parent.pk if parent else None) != criterion.parent_id:
        details.append(_reparent(criterion, parent))
    if part is not UNCHANGED and criterion.parent_id is None and (part.pk if part else None) != criterion.part_id:
        _part_check(criterion.campaign, part)
        Criterion.objects.filter(pk__in=_subtree_ids(criterion)).update(part=part)
        criterion.part = part
        details.append(f"所属部分改为“{part.name if part else '不分部分'}”")
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=criterion, detail="；".join(details))
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, by: User, request=None) -> None:
    """Remove a criterion and everything under it, while no score exists."""
    _ensure_unlocked(criterion.campaign)
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=criterion, detail="删除评分指标")
    criterion.delete()


def _subtree_ids(criterion: Criterion) -> set[int]:
    parent_of = dict(Criterion.objects.filter(campaign=criterion.campaign_id).values_list("pk", "parent_id"))
    ids = {criterion.pk}
    changed = True
    while changed:
        before = len(ids)
        ids |= {pk for pk, parent in parent_of.items() if parent in ids}
        changed = len(ids) != before
    return ids


def _siblings_renumber(campaign_id: int, parent_id: int | None, category: str) -> None:
    siblings = list(
        Criterion.objects.filter(campaign=campaign_id, parent=parent_id)
        .filter(**({} if parent_id else {"category": category}))
        .order_by("position", "pk")
    )
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    Criterion.objects.bulk_update(siblings, ["position"])


@transaction.atomic
def rubric_part_add(
    *, campaign: Campaign, name: str, scored_once_per_group: bool = False, by: User | None = None, request=None
) -> RubricPart:
    """Add a rubric part (区县部分, 站点部分) at the end, while no score exists. Audited."""
    _ensure_unlocked(campaign)
    name = name.strip()
    if RubricPart.objects.filter(campaign=campaign, name=name).exists():
        raise ValidationError({"name": f"已有名为“{name}”的部分。"})
    part = RubricPart(
        campaign=campaign,
        name=name,
        scored_once_per_group=scored_once_per_group,
        position=RubricPart.objects.filter(campaign=campaign).count() + 1,
    )
    part.full_clean()
    part.save()
    if by is not None:
        audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=part, detail="新增评分部分")
    return part


@transaction.atomic
def rubric_part_update(
    *, part: RubricPart, name: str, scored_once_per_group: bool, by: User, request=None
) -> RubricPart:
    """Rename a part or change whether it is scored once per group. Allowed after scores exist too: neither
    changes a score, only the 区县汇总排名 reads the flag. Audited."""
    name = name.strip()
    if RubricPart.objects.filter(campaign=part.campaign_id, name=name).exclude(pk=part.pk).exists():
        raise ValidationError({"name": f"已有名为“{name}”的部分。"})
    part.name, part.scored_once_per_group = name, scored_once_per_group
    part.full_clean()
    part.save(update_fields=["name", "scored_once_per_group"])
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=part,
        detail=f"修改评分部分：{name}（{'按县区整体评价' if scored_once_per_group else '按申报评价'}）",
    )
    return part


@transaction.atomic
def rubric_part_delete(*, part: RubricPart, by: User, request=None) -> None:
    """Remove a part while no score exists; its criteria stay, without a part. Audited."""
    _ensure_unlocked(part.campaign)
    audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=part, detail="删除评分部分")
    part.delete()


def _part_check(campaign: Campaign, part: RubricPart | None) -> None:
    if part is not None and part.campaign_id != campaign.pk:
        raise ValidationError({"part": "该部分不属于本评选活动。"})


@transaction.atomic
def criterion_move(*, criterion: Criterion, direction: str, by: User, request=None) -> Criterion:
    """Move a criterion one place up or down among its siblings (same parent; at the top level, the same
    category and part), while no score exists. Audited."""
    if direction not in ("up", "down"):
        raise ValidationError("移动方向只能是上移或下移。")
    _ensure_unlocked(criterion.campaign)
    _siblings_renumber(criterion.campaign_id, criterion.parent_id, criterion.category)
    siblings = list(
        Criterion.objects.filter(campaign=criterion.campaign_id, parent=criterion.parent_id)
        .filter(**({} if criterion.parent_id else {"category": criterion.category, "part": criterion.part_id}))
        .order_by("position", "pk")
    )
    index = next(i for i, c in enumerate(siblings) if c.pk == criterion.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        raise ValidationError("已在最前。" if direction == "up" else "已在最后。")
    siblings[index].position, siblings[other].position = siblings[other].position, siblings[index].position
    Criterion.objects.bulk_update([siblings[index], siblings[other]], ["position"])
    criterion.refresh_from_db()
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=criterion,
        detail=f"{'上移' if direction == 'up' else '下移'}评分指标",
    )
    return criterion


def _reparent(criterion: Criterion, parent: Criterion | None) -> str:
    """Put `criterion` (and its subtree) last under `parent`; returns the audit wording."""
    if parent is not None:
        if parent.campaign_id != criterion.campaign_id:
            raise ValidationError({"parent": "上级指标不属于本评选活动。"})
        if parent.pk in _subtree_ids(criterion):
            raise ValidationError({"parent": "不能移到该指标自身或其下级指标之下。"})
    old_parent_id = criterion.parent_id
    category = parent.category if parent is not None else criterion.category
    part_id = _top_part_id(parent) if parent is not None else criterion.part_id
    criterion.parent = parent
    criterion.category = category
    criterion.position = (
        Criterion.objects.filter(campaign=criterion.campaign_id, parent=parent).exclude(pk=criterion.pk).count() + 1
    )
    criterion.save(update_fields=["parent", "category", "position"])
    Criterion.objects.filter(pk__in=_subtree_ids(criterion)).update(part_id=part_id, category=category)
    criterion.part_id = part_id
    _siblings_renumber(criterion.campaign_id, old_parent_id, category)
    return f"移动评分指标至“{parent.name if parent else '（一级指标）'}”之下"


def _top_part_id(criterion: Criterion) -> int | None:
    while criterion.parent_id is not None:
        criterion = Criterion.objects.only("id", "parent_id", "part_id").get(pk=criterion.parent_id)
    return criterion.part_id


def _rubric_clear(campaign: Campaign) -> int:
    count = Criterion.objects.filter(campaign=campaign).count()
    # Children first: the tree's own CASCADE would do it too, but one DELETE per level keeps it to a few queries.
    Criterion.objects.filter(campaign=campaign).delete()
    RubricPart.objects.filter(campaign=campaign).delete()
    return count


@transaction.atomic
def rubric_import(
    *, campaign: Campaign, rows: list, stated_max: Decimal | None = None, by: User, request=None
) -> list[Criterion]:
    """Replace the campaign's rubric (every part and criterion, all categories) by the rows of a checked
    .xlsx (reviews.rubric_xlsx), in one transaction: a file with any bad row writes nothing. Refused once
    any score exists. Audited with the counts per level. Returns the criteria created, depth first."""
    from .rubric_xlsx import RubricCheck, points_text, rubric_plan, rubric_rows_check

    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one import at a time per campaign
    if rubric_is_locked(campaign):
        raise ValidationError("已有专家评分，不能再导入评分指标。")
    check = rubric_rows_check(RubricCheck(list(rows), {}, []), stated_max=stated_max)
    if not check.ok:
        raise ValidationError(check.messages())
    replaced = _rubric_clear(campaign)
    parts: dict[str, RubricPart] = {}
    for row in rows:
        if row.part and row.part not in parts:
            parts[row.part] = RubricPart(campaign=campaign, name=row.part, position=len(parts) + 1)
    RubricPart.objects.bulk_create(parts.values())
    plan = rubric_plan(rows)
    created: dict[tuple, Criterion] = {}
    siblings: Counter = Counter()
    for depth in range(max(node["depth"] for node in plan) + 1):
        level = []
        for node in plan:
            if node["depth"] != depth:
                continue
            parent_key = tuple(node["path"][:-1])
            siblings[parent_key] += 1
            criterion = Criterion(
                campaign=campaign,
                parent=created.get(parent_key),
                name=node["name"],
                description=node["description"],
                max_points=node["points"] if node["points"] is not None else Decimal("0"),
                position=siblings[parent_key],
                part=parts.get(node["part"]),
            )
            created[tuple(node["path"])] = criterion
            level.append(criterion)
        Criterion.objects.bulk_create(level)
    counts = Counter(node["depth"] for node in plan)
    levels = "、".join(f"{depth + 1}级 {counts[depth]} 项" for depth in sorted(counts))
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=campaign,
        detail=f"导入评分指标：{levels}，合计 {points_text(sum((r.max_points for r in rows), Decimal('0')))} 分"
        + (f"（替换原有 {replaced} 项）" if replaced else ""),
    )
    return [created[tuple(node["path"])] for node in plan]


EVIDENCE_SLOT_TYPES = ["pdf", "jpeg", "png"]
EVIDENCE_SLOT_FILES = 5
EVIDENCE_SLOT_SIZE_MB = 20
HELP_TEXT_LENGTH = 300  # cases.MaterialSlot.help_text


def rubric_leaf_paths(campaign: Campaign) -> list[tuple[Criterion, list[str]]]:
    """Each observation point (leaf) of the campaign's shared rubric, in the tree's order, with its path of
    names from the top level down."""
    tree = rubric_tree(campaign, "")
    paths = rubric_paths(tree)
    return [(node, paths[node.pk]) for node in tree if node.is_leaf]


@transaction.atomic
def evidence_slots_generate(*, campaign: Campaign, by: User | None, request=None) -> int:
    """按评分指标生成佐证材料: one optional 申报材料 slot per observation point of the shared rubric, named by its
    path ("一级 › 二级 › 观测点", cases.materials.evidence_slot_name), taking PDF/JPEG/PNG, up to 5 files of
    20 MB each. Slots that exist already (by name) are skipped, so running it again after a rubric change adds
    only the new points. Refused when the rubric has no criteria. Audited by the cases service; returns the
    number of slots added."""
    leaves = rubric_leaf_paths(campaign)
    if not leaves:
        raise ValidationError("本评选活动尚未设置评分指标，不能生成佐证材料。请先在“评分指标”中设置或导入指标。")
    slots = [
        {
            "name": evidence_slot_name(path),
            "required": False,
            "allowed_types": list(EVIDENCE_SLOT_TYPES),
            "max_files": EVIDENCE_SLOT_FILES,
            "max_size_mb": EVIDENCE_SLOT_SIZE_MB,
            # The point's own explanation (the index's 说明, such as 查阅资料、实地查看) tells what evidence fits.
            "help_text": " ".join(leaf.description.split())[:HELP_TEXT_LENGTH],
        }
        for leaf, path in leaves
    ]
    added = material_slots_add(campaign=campaign, slots=slots, what="按评分指标生成佐证材料", by=by, request=request)
    return len(added)


@transaction.atomic
def rubric_copy(*, source: Campaign, target: Campaign, by: User | None = None, request=None) -> int:
    """Copy `source`'s rubric (parts and the criterion tree of every category) into `target` with new ids and
    the parents mapped, replacing what `target` had; refused once `target` has scores. For the campaign
    copier. Returns the number of criteria copied."""
    if rubric_is_locked(target):
        raise ValidationError("目标评选活动已有专家评分，不能复制评分指标。")
    _rubric_clear(target)
    parts = {}
    for part in RubricPart.objects.filter(campaign=source).order_by("position", "id"):
        parts[part.pk] = RubricPart(
            campaign=target, name=part.name, position=part.position, scored_once_per_group=part.scored_once_per_group
        )
    RubricPart.objects.bulk_create(parts.values())
    criteria = list(Criterion.objects.filter(campaign=source).order_by("position", "id"))
    depth_of: dict[int, int] = {}
    by_pk = {c.pk: c for c in criteria}

    def depth(c: Criterion) -> int:
        if c.pk not in depth_of:
            depth_of[c.pk] = 0 if c.parent_id is None else depth(by_pk[c.parent_id]) + 1
        return depth_of[c.pk]

    copies: dict[int, Criterion] = {}
    for level in range(max((depth(c) for c in criteria), default=-1) + 1):
        batch = []
        for c in criteria:
            if depth(c) != level:
                continue
            copies[c.pk] = Criterion(
                campaign=target,
                category=c.category,
                parent=copies.get(c.parent_id),
                name=c.name,
                description=c.description,
                max_points=c.max_points,
                weight=c.weight,
                position=c.position,
                part=parts.get(c.part_id),
            )
            batch.append(copies[c.pk])
        Criterion.objects.bulk_create(batch)
    if by is not None:
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=target, detail=f"复制评分指标自：{source}"
        )
    return len(copies)


# --- Conflicts and assignment (回避与评审分配) ---------------------------------------------------


def _units_of(application: Application) -> set[str]:
    return {
        u.strip()
        for u in (application.organisation.name, application.organisation_name, application.declaring_unit)
        if u
    }


def _organisation_match(profile: ReviewerProfile | None, application: Application) -> tuple[str, str]:
    """("conflict", reason), ("flag", applicant's unit) or ("", ""): the expert's unit against the case's.

    With a registered organisation the identity decides (the same Organisation, or its exact name as the
    declaring unit or in a team member's 单位及职务). With free text only, the very same text is a conflict and
    a name that merely resembles one of the case's units is a suspicion for staff to confirm."""
    if profile is None:
        return "", ""
    units = _units_of(application)
    team_units = [member.unit_and_title for member in application.team_members.all()]
    if profile.organisation_ref_id is not None:
        ref = profile.organisation_ref
        if ref.pk == application.organisation_id or ref.name in units or any(ref.name in u for u in team_units):
            return "conflict", f"与申报单位同属{ref.name}"
        return "", ""
    org = profile.organisation.strip()
    if not org:
        return "", ""
    if org in units or any(org in unit for unit in team_units):
        return "conflict", f"与申报单位同属{org}"
    for unit in sorted(units):
        if unit_names_resemble(org, unit):
            return "flag", unit
    return "", ""


def _campaign_applications(campaign: Campaign):
    return (
        Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED)
        .select_related("organisation")
        .prefetch_related("team_members")
        .order_by("id")
    )


def conflicts_detect(*, campaign: Campaign) -> tuple[int, int]:
    """Record an organisation conflict for every accepted case and panel expert of the same unit, and a 疑似回避
    for each pair whose free-text units merely resemble each other (a pair is flagged once: a dismissed flag is
    not raised again). A conflict found after the expert was assigned removes the assignment, and their
    review of the case leaves the stored aggregates. Returns (conflicts, flags) recorded."""
    profiles = list(
        ReviewerProfile.objects.filter(user__panel_memberships__campaign=campaign)
        .select_related("organisation_ref")
        .distinct()
    )
    existing = set(Conflict.objects.filter(application__campaign=campaign).values_list("application_id", "reviewer_id"))
    flagged = set(
        ConflictFlag.objects.filter(application__campaign=campaign).values_list("application_id", "reviewer_id")
    )
    conflicts, flags = [], []
    for app in _campaign_applications(campaign):
        for profile in profiles:
            pair = (app.pk, profile.user_id)
            if pair in existing:
                continue
            verdict, detail = _organisation_match(profile, app)
            if verdict == "conflict":
                conflicts.append(
                    Conflict(
                        application=app, reviewer_id=profile.user_id, source=Conflict.Source.ORGANISATION, reason=detail
                    )
                )
            elif verdict == "flag" and pair not in flagged:
                flags.append(
                    ConflictFlag(
                        application=app,
                        reviewer_id=profile.user_id,
                        reviewer_unit=profile.organisation.strip()[:100],
                        applicant_unit=detail[:200],
                    )
                )
    Conflict.objects.bulk_create(conflicts)
    ConflictFlag.objects.bulk_create(flags)
    new_pairs = {(c.application_id, c.reviewer_id) for c in conflicts}
    stale = [
        (pk, app_id, reviewer_id)
        for pk, app_id, reviewer_id in Assignment.objects.filter(
            application__in={a for a, _r in new_pairs}, reviewer__in={r for _a, r in new_pairs}
        ).values_list("pk", "application_id", "reviewer_id")
        if (app_id, reviewer_id) in new_pairs
    ]
    if stale:
        Assignment.objects.filter(pk__in=[pk for pk, _a, _r in stale]).delete()
        application_scores_refresh(
            campaign=campaign,
            application_ids={a for _pk, a, _r in stale},
            reviewer_ids={r for _pk, _a, r in stale},
        )
    return len(conflicts), len(flags)


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
    ) | set(  # a suspicion not yet dismissed keeps the expert away from the case until staff decide
        ConflictFlag.objects.filter(application__campaign=campaign, status=ConflictFlag.Status.PENDING).values_list(
            "application_id", "reviewer_id"
        )
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
    """A recorded conflict, a 疑似回避 not yet dismissed, or the same unit by identity (or the same text)."""
    if Conflict.objects.filter(application=application, reviewer=reviewer).exists():
        return True
    if ConflictFlag.objects.filter(
        application=application, reviewer=reviewer, status=ConflictFlag.Status.PENDING
    ).exists():
        return True
    profile = ReviewerProfile.objects.filter(user=reviewer).select_related("organisation_ref").first()
    return _organisation_match(profile, application)[0] == "conflict"


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


def _flag_decide(flag: ConflictFlag, status: str, by: User) -> ConflictFlag:
    updated = ConflictFlag.objects.filter(pk=flag.pk, status=ConflictFlag.Status.PENDING).update(
        status=status, decided_by=by, decided_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError("该疑似回避已处理过，请刷新页面。")
    flag.refresh_from_db()
    return flag


@transaction.atomic
def conflict_flag_confirm(*, flag: ConflictFlag, by: User, request=None) -> Conflict:
    """Staff confirm a 疑似回避: a conflict is recorded (the expert loses the case, their review of it stops
    counting, a replacement is assigned), and the decision is audited."""
    _flag_decide(flag, ConflictFlag.Status.CONFIRMED, by)
    return conflict_add(
        application=flag.application,
        reviewer=flag.reviewer,
        source=Conflict.Source.SIMILAR_NAME,
        reason=f"工作单位“{flag.reviewer_unit}”与申报单位“{flag.applicant_unit}”相近，经工作人员确认回避",
        by=by,
        request=request,
    )


@transaction.atomic
def conflict_flag_dismiss(*, flag: ConflictFlag, by: User, request=None) -> ConflictFlag:
    """Staff find the two units different: the expert may be assigned the case again. Audited."""
    _flag_decide(flag, ConflictFlag.Status.DISMISSED, by)
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=flag.application,
        detail=f"排除疑似回避（{flag.reviewer}）：“{flag.reviewer_unit}”与“{flag.applicant_unit}”不是同一单位",
    )
    return flag


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
        .filter(review_not_conflicted())
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


def _part_means_update(campaign: Campaign, application_ids=None) -> None:
    """Each application's part subtotals (ApplicationScore.part_means): per rubric part, the mean over its
    submitted reviews of the weighted sum of the part's leaf scores. One grouped read of the scores; nothing
    when the rubric has no parts. `application_ids` None: every application of the campaign."""
    criteria = list(Criterion.objects.filter(campaign=campaign).only("id", "parent_id", "part_id", "weight"))
    if not any(c.part_id for c in criteria):
        return
    leaf_parts = criterion_leaf_parts(criteria)
    scores = Score.objects.filter(
        review__status=Review.Status.SUBMITTED,
        review__assignment__application__campaign=campaign,
        review__assignment__application__status=Application.Status.ACCEPTED,
    )
    stored = ApplicationScore.objects.filter(application__campaign=campaign)
    if application_ids is not None:
        scores = scores.filter(review__assignment__application__in=application_ids)
        stored = stored.filter(application__in=application_ids)
    sums: dict[int, dict[str, Decimal]] = {}
    for app_id, criterion_id, points in (
        scores.values_list("review__assignment__application_id", "criterion_id")
        .annotate(summed=Sum("points"))
        .values_list("review__assignment__application_id", "criterion_id", "summed")
    ):
        part_id, weight = leaf_parts.get(criterion_id, (None, None))
        if part_id is None:
            continue
        per_part = sums.setdefault(app_id, {})
        per_part[str(part_id)] = per_part.get(str(part_id), Decimal("0")) + points * weight
    changed = []
    for row in stored.only("application_id", "count", "part_means"):
        per_part = sums.get(row.application_id, {})
        count = row.count or 1
        row.part_means = {part: round(float(total) / count, 2) for part, total in per_part.items()}
        changed.append(row)
    ApplicationScore.objects.bulk_update(changed, ["part_means"], batch_size=1000)


def application_scores_refresh(*, campaign: Campaign, application_ids, reviewer_ids) -> None:
    """After a review of these applications by these reviewers was submitted, reopened or removed: their
    aggregates, the reviewers' z-scores (one pass over each reviewer's reviews) and, in one UPDATE, every
    application's normalised score. Called inside the service's transaction."""
    _reviewer_z_update(campaign, list(reviewer_ids))
    _application_basic_update(campaign, list(application_ids))
    _part_means_update(campaign, list(application_ids))
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
    _part_means_update(campaign)
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
    names = [t.name for t in tier_rules(campaign=application.campaign)]
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


TIER_NAME_MAX = 40
COUNT_MAX = 100000


def tier_rows_errors(rows: list[dict], *, max_total: Decimal | None = None) -> tuple[dict[int, dict[str, str]], str]:
    """({row index: {field: message}}, a message about the whole list) of the tier rows staff entered, each a
    dict of name, by, value (a Decimal or None) and is_award. The tier page shows each message beside its cell;
    tiers_save refuses the same rows, so the rules live here once."""
    errors: dict[int, dict[str, str]] = {}
    if not rows:
        return errors, "请至少设置一个奖项等级。"
    seen: set[str] = set()
    fractions = Decimal("0")
    for index, row in enumerate(rows):
        cell: dict[str, str] = {}
        name = (row.get("name") or "").strip()
        by, value = row.get("by"), row.get("value")
        if not name:
            cell["name"] = "请填写等级名称。"
        elif len(name) > TIER_NAME_MAX:
            cell["name"] = f"等级名称最多 {TIER_NAME_MAX} 个字。"
        elif name in seen:
            cell["name"] = f"等级名称“{name}”重复，每个等级的名称须不同。"
        seen.add(name)
        if by not in TierBy.values:
            cell["by"] = "请选择划分方式：名额、比例或分数线。"
        if value is None:
            cell["value"] = "请填写数值。"
        elif by == TierBy.COUNT and (value != value.to_integral_value() or not 1 <= value <= COUNT_MAX):
            cell["value"] = f"名额应为 1 到 {COUNT_MAX} 之间的整数。"
        elif by == TierBy.FRACTION:
            if not 0 < value <= 1:
                cell["value"] = "比例应大于 0 且不大于 1（如 0.3 表示排名前 30%）。"
            else:
                fractions += value
                if fractions > 1:
                    cell["value"] = f"各等级的比例之和不能大于 1（到此行为 {fractions.normalize():f}）。"
        elif by == TierBy.THRESHOLD and (value < 0 or (max_total and value > max_total)):
            cell["value"] = (
                f"分数线应在 0 到满分 {max_total.normalize():f} 之间。" if max_total else "分数线不能小于 0。"
            )
        if cell:
            errors[index] = cell
    return errors, ""


def _tier_max_total(campaign: Campaign) -> Decimal | None:
    return rubric_max_total(rubric_tree(campaign)) or None


@transaction.atomic
def tiers_save(*, campaign: Campaign, tiers: list[dict], by: User | None, request=None) -> list[TierRule]:
    """Replace the campaign's graded tiers (奖项等级) by `tiers` in their order: each a dict of name, by, value
    and is_award. Refused once the decision is confirmed (the tiers of the confirmed list must not move) and
    when a row breaks tier_rows_errors; nothing is written then. Audited."""
    settings_row = review_settings_get(campaign=campaign)
    _ensure_not_confirmed(settings_row)
    errors, whole = tier_rows_errors(tiers, max_total=_tier_max_total(campaign))
    if errors or whole:
        raise ValidationError(
            whole or "；".join(f"第 {i + 1} 行：{m}" for i, cell in sorted(errors.items()) for m in cell.values())
        )
    TierRule.objects.filter(campaign=campaign).delete()
    rows = []
    for position, tier in enumerate(tiers, start=1):
        row = TierRule(
            campaign=campaign,
            position=position,
            name=tier["name"].strip(),
            by=tier["by"],
            value=Decimal(str(tier["value"])),
            is_award=tier.get("is_award", True),
        )
        row.full_clean(exclude=["campaign"])
        rows.append(row)
    TierRule.objects.bulk_create(rows)
    summary = "；".join(
        f"{t.name}（{TierBy(t.by).label} {t.value.normalize():f}{'' if t.is_award else '，不属于奖项'}）" for t in rows
    )
    audit_record(
        kind=AuditEvent.Kind.DECISION,
        request=request,
        user=by,
        user_label="" if by else "系统",
        obj=campaign,
        detail=f"设置奖项等级：{summary}",
    )
    return rows


@transaction.atomic
def tiers_copy(*, source: Campaign, target: Campaign) -> list[TierRule]:
    """The campaign copier: the target's graded tiers become a copy of the source's (its saved rows, or the
    default when it has none). No audit of its own: the copier records the copy."""
    TierRule.objects.filter(campaign=target).delete()
    rows = [
        TierRule(campaign=target, position=t.position, name=t.name, by=t.by, value=t.value, is_award=t.is_award)
        for t in tier_rules(campaign=source)
    ]
    return TierRule.objects.bulk_create(rows)


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
    results_only = result.result_names
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
        awarded += bool(agg.final_tier) and agg.final_tier not in results_only
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
