"""Reads of the expert review, shaped for their pages (and shared by views, tests and the benchmark)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from cases.models import SECTIONS, Application, Campaign, Endorsement
from cases.selectors import application_identifiers, identifiers_pattern

from . import aggregation
from .models import Assignment, AwardDecision, Conflict, Criterion, PanelMember, Review, ReviewerProfile, ReviewSettings

# --- Settings and the formal check -----------------------------------------------------------


def review_settings_get(*, campaign: Campaign) -> ReviewSettings:
    """The campaign's review settings, or the unsaved defaults: reading never writes (the row is stored when
    staff first save the settings or confirm the decision)."""
    return ReviewSettings.objects.filter(campaign=campaign).first() or ReviewSettings(campaign=campaign)


def formal_check_statuses(campaign: Campaign) -> list[str]:
    """Statuses waiting for the formal check: only recommended cases where the campaign requires it."""
    if campaign.recommendation_required:
        return [Application.Status.RECOMMENDED]
    return [Application.Status.SUBMITTED, Application.Status.RECOMMENDED]


# --- Rubric ---------------------------------------------------------------------------------


def rubric_tree(campaign: Campaign, category: str = "", criteria: list[Criterion] | None = None) -> list[Criterion]:
    """The campaign's criteria for a category, depth first, each with `depth`, `is_leaf`, `rolled_max`
    (its own points for a leaf, the weighted sum of its children otherwise) and `effective_weight`
    (the product of the weights from the top down). A category with its own criteria uses only those."""
    if criteria is None:
        criteria = list(Criterion.objects.filter(campaign=campaign))
    own = [c for c in criteria if c.category == category] if category else []
    chosen = own or [c for c in criteria if c.category == ""]
    children: dict[int | None, list[Criterion]] = {}
    for c in chosen:
        children.setdefault(c.parent_id, []).append(c)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.position, c.pk))
    out: list[Criterion] = []

    def walk(node: Criterion, depth: int, weight: Decimal) -> Decimal:
        node.depth = depth
        node.effective_weight = weight * node.weight
        node.kids = children.get(node.pk, [])
        node.is_leaf = not node.kids
        out.append(node)
        if node.is_leaf:
            node.rolled_max = node.max_points
        else:
            node.rolled_max = sum((walk(k, depth + 1, node.effective_weight) for k in node.kids), Decimal("0"))
            return node.rolled_max * 1  # children already carry the weight
        return node.max_points * node.effective_weight

    for top in children.get(None, []):
        walk(top, 0, Decimal("1"))
    return out


def rubric_leaves(tree: list[Criterion]) -> list[Criterion]:
    return [c for c in tree if c.is_leaf]


def rubric_max_total(tree: list[Criterion]) -> Decimal:
    return sum((c.max_points * c.effective_weight for c in tree if c.is_leaf), Decimal("0"))


# --- Formal check ---------------------------------------------------------------------------


@dataclass
class CheckItem:
    label: str
    ok: bool | None  # None: not checked
    detail: str = ""


def formal_check_queue(campaign: Campaign) -> QuerySet[Application]:
    return (
        Application.objects.filter(campaign=campaign, status__in=formal_check_statuses(campaign))
        .select_related("organisation", "applicant", "similarity_result")
        .prefetch_related(
            "team_members",
            "photos",
            "attachments",
            Prefetch("endorsements", queryset=Endorsement.objects.select_related("decided_by")),
        )
        .order_by("submitted_at", "id")
    )


def privacy_findings(application: Application):
    """The privacy checker's findings (body sections and photo captions) that are still in the text."""
    from cases.privacy import application_findings

    return application_findings(application)


def formal_check_items(application: Application) -> list[CheckItem]:
    """The notice's material rules, one line each."""
    campaign = application.campaign
    items = []
    p_start, p_end = application.period_start, application.period_end
    in_period = bool(p_start and p_end and campaign.case_period_start <= p_start <= p_end <= campaign.case_period_end)
    items.append(
        CheckItem(
            "案例起止时间在规定范围内",
            in_period,
            f"{p_start or '未填'} 至 {p_end or '未填'}"
            f"（要求 {campaign.case_period_start} 至 {campaign.case_period_end}）",
        )
    )
    required = {
        "title": "案例名称",
        "declaring_unit": "申报单位",
        "organisation_name": "机构名称",
        "applicant_name": "申报社工姓名",
        "phone": "联系方式（电话）",
        "email": "电子邮箱",
        "category": "案例类别",
        "domain": "案例领域",
    }
    missing = [label for name, label in required.items() if not getattr(application, name)]
    if not application.team_members.all():
        missing.append("实施团队基本情况")
    items.append(CheckItem("报名表填写完整", not missing, "缺：" + "、".join(missing) if missing else "齐全"))
    low, high = campaign.photo_range(application.category)
    photos = len(application.photos.all())
    items.append(CheckItem("服务照片张数", low <= photos <= high, f"{photos} 张（要求 {low}–{high} 张）"))
    empty = [heading for name, heading in SECTIONS if not getattr(application, name).strip()]
    items.append(CheckItem("正文六个部分齐全", not empty, "空缺：" + "、".join(empty) if empty else "齐全"))
    findings = [f for found in privacy_findings(application).values() for f in found]
    items.append(
        CheckItem(
            "个人信息技术性处理与用语规范",
            not findings,
            "未发现问题"
            if not findings
            else f"发现 {len(findings)} 处："
            + "、".join(f"{f.label}“{f.text}”" for f in findings[:5])
            + ("等" if len(findings) > 5 else ""),
        )
    )
    items.append(
        CheckItem(
            "真实情况承诺",
            bool(application.pledge_accepted and application.pledge_signature),
            application.pledge_signature or "未签署",
        )
    )
    return items


# --- Expert pool ----------------------------------------------------------------------------


def reviewer_pool(campaign: Campaign | None = None):
    qs = ReviewerProfile.objects.select_related("user").order_by("user__name", "id")
    if campaign is not None:
        qs = qs.annotate(
            on_panel=Exists(PanelMember.objects.filter(campaign=campaign, reviewer=OuterRef("user"), is_active=True)),
            load=Count("user__review_assignments", filter=Q(user__review_assignments__application__campaign=campaign)),
        )
    return qs


# --- Reviewer side --------------------------------------------------------------------------


def _not_conflicted():
    return ~Exists(Conflict.objects.filter(application=OuterRef("application"), reviewer=OuterRef("reviewer")))


def reviewer_assignments(user) -> QuerySet[Assignment]:
    """The reviewer's assignments that they may see (never a conflicted case), with their review."""
    return (
        Assignment.objects.filter(reviewer=user)
        .filter(_not_conflicted())
        .select_related("application__campaign", "review")
        .order_by("application__campaign__review_closes_at", "application_id")
    )


# What a queue row shows: the case's reference, category and domain, its campaign's review window and the
# review's total. Never the case body or the opinion.
QUEUE_FIELDS = (
    "id",
    "application_id",
    "reviewer_id",
    "application__reference",
    "application__category",
    "application__domain",
    "application__campaign_id",
    "application__campaign__title",
    "application__campaign__review_opens_at",
    "application__campaign__review_closes_at",
    "review__id",
    "review__status",
    "review__total",
    "review__assignment_id",
)
QUEUE_PAGE_SIZE = 50


def reviewer_queue(user, now: dt.datetime, *, pages: dict[str, str | None] | None = None) -> dict:
    """我的评审: the reviewer's cases in three groups (each a page of QUEUE_PAGE_SIZE, grouped in the database),
    with days left in each campaign's review window. `pages` maps a group to the page number asked for."""
    pages = pages or {}
    assignments = reviewer_assignments(user).only(*QUEUE_FIELDS)
    filters = {
        "assigned": Q(review__isnull=True),
        "in_progress": Q(review__status=Review.Status.DRAFT),
        "done": Q(review__status=Review.Status.SUBMITTED),
    }
    groups = {}
    for name, condition in filters.items():
        page = Paginator(assignments.filter(condition), QUEUE_PAGE_SIZE).get_page(pages.get(name))
        for assignment in page.object_list:
            campaign = assignment.application.campaign
            assignment.window_open = campaign.review_opens_at <= now <= campaign.review_closes_at
            assignment.days_left = (
                max((campaign.review_closes_at - now).days, 0) if now <= campaign.review_closes_at else None
            )
        groups[name] = page
    return groups


def next_unreviewed(user, after: Assignment) -> Assignment | None:
    """The reviewer's next case (same campaign) without a submitted review, after this one, else the first."""
    pending = list(
        reviewer_assignments(user)
        .filter(application__campaign=after.application.campaign_id)
        .exclude(review__status=Review.Status.SUBMITTED)
        .exclude(pk=after.pk)
        .order_by("application_id")
    )
    later = [a for a in pending if a.application_id > after.application_id]
    return (later or pending or [None])[0]


def application_for_review(pk: int) -> Application:
    return (
        Application.objects.select_related("campaign", "organisation", "applicant")
        .prefetch_related(
            "team_members",
            "photos",
            "attachments",
            "report_links",
            Prefetch("endorsements", queryset=Endorsement.objects.select_related("decided_by")),
        )
        .get(pk=pk, status=Application.Status.ACCEPTED)
    )


def blind_identifiers(application: Application) -> list[str]:
    """The strings that identify the applicant: removed from everything a blind reviewer sees."""
    return application_identifiers(application)


def redact(text: str, identifiers: list[str]) -> str:
    pattern = identifiers_pattern(identifiers)
    return pattern.sub("＊＊", text) if pattern and text else text


def peer_reviews(assignment: Assignment) -> list[Review]:
    """Other experts' submitted reviews of the same case: only where the campaign allows, and only once this
    expert has submitted their own."""
    review = getattr(assignment, "review", None)
    settings_row = review_settings_get(campaign=assignment.application.campaign)
    if not settings_row.peers_visible or review is None or review.status != Review.Status.SUBMITTED:
        return []
    return list(
        Review.objects.filter(assignment__application=assignment.application_id, status=Review.Status.SUBMITTED)
        .exclude(assignment=assignment)
        .order_by("id")
    )


# --- Staff: assignment and ranking ----------------------------------------------------------


def assignment_overview(campaign: Campaign) -> list[Application]:
    return list(
        Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("reviewer", "review").order_by("id"),
            ),
            Prefetch("conflicts", queryset=Conflict.objects.select_related("reviewer")),
        )
        .order_by("id")
    )


def submitted_reviews(campaign: Campaign):
    """(application id, reviewer id, total, reviewer name) of every submitted review of accepted cases."""
    return list(
        Review.objects.filter(
            status=Review.Status.SUBMITTED,
            assignment__application__campaign=campaign,
            assignment__application__status=Application.Status.ACCEPTED,
        )
        .order_by("assignment__application_id", "assignment__reviewer_id")
        .values_list("assignment__application_id", "assignment__reviewer_id", "total", "assignment__reviewer__name")
    )


@dataclass
class Ranking:
    settings: object
    rows: list  # of (Application, Aggregate, [(reviewer name, total)])
    method: str
    max_total: float
    reviewer_names: dict
    incomplete: list  # of (Application, Aggregate) missing a review, over the whole campaign (never filtered)


def expected_reviews(campaign: Campaign, reviewers_per_application: int) -> dict[int, int]:
    """application id -> how many submitted reviews its decision needs: the campaign's N, or more when staff
    assigned more experts (a conflicted expert's assignment is gone, so it is not counted)."""
    assigned = dict(
        Assignment.objects.filter(application__campaign=campaign, application__status=Application.Status.ACCEPTED)
        .filter(_not_conflicted())
        .values_list("application_id")
        .annotate(n=Count("id"))
        .values_list("application_id", "n")
    )
    return {app_id: max(reviewers_per_application, n) for app_id, n in assigned.items()}


def ranking(campaign: Campaign, *, category: str = "", domain: str = "") -> Ranking:
    """The campaign's ranking with every aggregate and each reviewer's total, filtered for display only:
    normalisation and tiers always use the whole campaign."""
    settings_row = review_settings_get(campaign=campaign)
    tree = rubric_tree(campaign)
    max_total = float(rubric_max_total(tree)) or 100.0
    rows = submitted_reviews(campaign)
    applications = {
        a.pk: a
        for a in Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED).only(
            "id", "reference", "title", "category", "domain", "campaign_id"
        )
    }
    reviews = [(a, r, float(t)) for a, r, t, _n in rows if a in applications]
    aggregates = aggregation.aggregate(
        reviews,
        max_total=max_total,
        threshold=float(settings_row.disagreement_threshold),
        application_ids=list(applications),
    )
    ranked = aggregation.rank(list(aggregates.values()), settings_row.ranking_method)
    aggregation.tiers_assign(ranked, settings_row.tiers, settings_row.ranking_method)
    decisions = {d.application_id: d for d in AwardDecision.objects.filter(application__campaign=campaign)}
    confirmed = settings_row.decision_confirmed_at is not None
    expected = expected_reviews(campaign, settings_row.reviewers_per_application)
    per_app: dict[int, list] = {}
    for a, r, t, name in rows:
        per_app.setdefault(a, []).append((r, name, t))
    out, incomplete = [], []
    for agg in ranked:
        app = applications[agg.application_id]
        decision = decisions.get(app.pk)
        agg.override = decision if decision is not None and decision.reason else None
        # Once confirmed, the decision is the one record of the tier (an upheld objection changes it there).
        if confirmed and decision is not None:
            agg.final_tier = decision.tier
        else:
            agg.final_tier = agg.override.tier if agg.override else agg.tier
        agg.expected = expected.get(app.pk, settings_row.reviewers_per_application)
        agg.incomplete = agg.count < agg.expected
        if agg.incomplete:
            incomplete.append((app, agg))
        if category and app.category != category:
            continue
        if domain and app.domain != domain:
            continue
        out.append((app, agg, per_app.get(app.pk, [])))
    return Ranking(
        settings=settings_row,
        rows=out,
        method=settings_row.ranking_method,
        max_total=max_total,
        reviewer_names={r: n for _a, r, _t, n in rows},
        incomplete=incomplete,
    )


def calibration_table(campaign: Campaign) -> tuple[list, float, float]:
    rows = submitted_reviews(campaign)
    stats, panel_mean, panel_sd = aggregation.calibration([(a, r, float(t)) for a, r, t, _n in rows])
    names = {r: n for _a, r, _t, n in rows}
    table = [
        {"name": names[r], "count": n, "mean": mean, "sd": sd, "diff": mean - panel_mean}
        for r, (mean, sd, n) in sorted(stats.items(), key=lambda item: names[item[0]])
    ]
    return table, panel_mean, panel_sd


def decision_list(campaign: Campaign) -> QuerySet[AwardDecision]:
    """The confirmed award list for the publicity window: awarded applications by rank (empty until confirmed)."""
    if not ReviewSettings.objects.filter(campaign=campaign, decision_confirmed_at__isnull=False).exists():
        return AwardDecision.objects.none()
    return (
        AwardDecision.objects.filter(application__campaign=campaign)
        .exclude(tier="")
        .select_related("application__organisation")
        .order_by("rank", "application_id")
    )
