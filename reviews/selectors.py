"""Reads of the expert review, shaped for their pages (and shared by views, tests and the benchmark)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest, Rank, RowNumber

from cases.models import SECTIONS, Application, Campaign, Category, Endorsement
from cases.selectors import application_identifiers, identifiers_pattern

from . import aggregation
from .models import (
    ApplicationScore,
    Assignment,
    AwardDecision,
    Conflict,
    ConflictFlag,
    Criterion,
    PanelMember,
    RankingMethod,
    Review,
    ReviewerProfile,
    ReviewerScoreStats,
    ReviewSettings,
    RubricPart,
    TierRule,
    default_tiers,
)

# --- Settings and the formal check -----------------------------------------------------------


def review_settings_get(*, campaign: Campaign) -> ReviewSettings:
    """The campaign's review settings, or the unsaved defaults: reading never writes (the row is stored when
    staff first save the settings or confirm the decision)."""
    return ReviewSettings.objects.filter(campaign=campaign).first() or ReviewSettings(campaign=campaign)


def tier_rules(*, campaign: Campaign) -> list[TierRule]:
    """The campaign's graded tiers in order; a campaign whose staff have not set any gets the unsaved default
    (models.default_tiers), so reading never writes."""
    rows = list(TierRule.objects.filter(campaign=campaign).order_by("position", "id"))
    if rows:
        return rows
    return [TierRule(campaign=campaign, position=i, **tier) for i, tier in enumerate(default_tiers(), start=1)]


def submitted_reviews_of_campaign(campaign_id: int) -> QuerySet[Review]:
    """Submitted reviews of the campaign's accepted cases: what the ranking scores."""
    return Review.objects.filter(
        status=Review.Status.SUBMITTED,
        assignment__application__campaign=campaign_id,
        assignment__application__status=Application.Status.ACCEPTED,
    ).filter(review_not_conflicted())


def review_not_conflicted():
    """A review counts only while its expert has no conflict with the case: a conflict recorded after the score
    (declared, entered by staff, found by detection or confirmed from a 疑似回避) takes it out of every
    aggregate, the ranking and the calibration table."""
    return ~Exists(
        Conflict.objects.filter(
            application=OuterRef("assignment__application"), reviewer=OuterRef("assignment__reviewer")
        )
    )


def formal_check_statuses(campaign: Campaign) -> list[str]:
    """Statuses waiting for the formal check: only recommended cases where the campaign requires it."""
    if campaign.recommendation_required:
        return [Application.Status.RECOMMENDED]
    return [Application.Status.SUBMITTED, Application.Status.RECOMMENDED]


# --- Rubric ---------------------------------------------------------------------------------


def rubric_tree(campaign: Campaign, category: str = "", criteria: list[Criterion] | None = None) -> list[Criterion]:
    """The campaign's criteria for a category, depth first, each with `depth`, `is_leaf`, `rolled_max`
    (its own points for a leaf, the weighted sum of its children otherwise), `effective_weight`
    (the product of the weights from the top down) and `rubric_part` (its top-level criterion's part, or None).
    A category with its own criteria uses only those. Top-level criteria follow their parts' order.
    `criteria`, when given, should carry their part (select_related("part")) if the rubric has parts."""
    if criteria is None:
        criteria = list(Criterion.objects.filter(campaign=campaign).select_related("part"))
    own = [c for c in criteria if c.category == category] if category else []
    chosen = own or [c for c in criteria if c.category == ""]
    children: dict[int | None, list[Criterion]] = {}
    for c in chosen:
        children.setdefault(c.parent_id, []).append(c)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.position, c.pk))
    if any(getattr(c, "part_id", None) for c in children.get(None, [])):
        children[None].sort(key=lambda c: (c.part.position, c.part_id) if c.part_id else (1 << 30, 0))
    for parent_id, siblings in children.items():
        # Top-level criteria move within their part (services.criterion_move).
        group = [getattr(c, "part_id", None) if parent_id is None else 0 for c in siblings]
        for i, c in enumerate(siblings):
            c.is_first = i == 0 or group[i - 1] != group[i]
            c.is_last = i == len(siblings) - 1 or group[i + 1] != group[i]
    out: list[Criterion] = []

    def walk(node: Criterion, depth: int, weight: Decimal, part) -> Decimal:
        node.depth = depth
        node.effective_weight = weight * node.weight
        node.kids = children.get(node.pk, [])
        node.is_leaf = not node.kids
        node.rubric_part = part
        out.append(node)
        if node.is_leaf:
            node.rolled_max = node.max_points
        else:
            node.rolled_max = sum((walk(k, depth + 1, node.effective_weight, part) for k in node.kids), Decimal("0"))
            return node.rolled_max * 1  # children already carry the weight
        return node.max_points * node.effective_weight

    for top in children.get(None, []):
        walk(top, 0, Decimal("1"), top.part if getattr(top, "part_id", None) else None)
    return out


def rubric_parts(campaign: Campaign) -> list[RubricPart]:
    """The campaign's rubric parts in order (empty for a rubric without parts)."""
    return list(RubricPart.objects.filter(campaign=campaign).order_by("position", "id"))


def rubric_part_totals(tree: list[Criterion], parts: list[RubricPart]) -> list[tuple[RubricPart, Decimal]]:
    """Each part with the weighted maximum of its leaves in this tree (county part 50, station part 100)."""
    totals = dict.fromkeys((p.pk for p in parts), Decimal("0"))
    for c in tree:
        if c.is_leaf and c.rubric_part is not None and c.rubric_part.pk in totals:
            totals[c.rubric_part.pk] += c.max_points * c.effective_weight
    return [(p, totals[p.pk]) for p in parts]


def criterion_leaf_parts(criteria: list[Criterion]) -> dict[int, tuple[int | None, Decimal]]:
    """leaf criterion id -> (its part id, its effective weight), over every category's tree: what turns a
    review's scores into part subtotals."""
    by_pk = {c.pk: c for c in criteria}
    parents = {c.parent_id for c in criteria if c.parent_id}
    out = {}
    for c in criteria:
        if c.pk in parents:
            continue
        weight, node = c.weight, c
        while node.parent_id is not None:
            node = by_pk[node.parent_id]
            weight *= node.weight
        out[c.pk] = (node.part_id, weight)
    return out


def rubric_trees(campaign: Campaign, criteria: list[Criterion] | None = None) -> list[tuple[str, str, list]]:
    """(category, label, tree) of the shared tree, then of each category that has its own criteria."""
    if criteria is None:
        criteria = list(Criterion.objects.filter(campaign=campaign).select_related("part"))
    trees = [("", "所有类别", rubric_tree(campaign, "", criteria))]
    for value, label in Category.choices:
        if any(c.category == value for c in criteria):
            trees.append((value, label, rubric_tree(campaign, value, criteria)))
    return trees


def criterion_parent_choices(trees, *, exclude: Criterion | None = None) -> list[tuple[int, str]]:
    """(pk, label) of every criterion of `trees` (rubric_trees) as an indented tree for 选择上级指标: "一级",
    "　二级", "　　三级", each category's own criteria after the shared ones. `exclude` leaves out a criterion
    and everything under it (a criterion cannot move under itself)."""
    out = []
    for category, label, tree in trees:
        skip_below = None
        for c in tree:
            if skip_below is not None and c.depth > skip_below:
                continue
            skip_below = None
            if exclude is not None and c.pk == exclude.pk:
                skip_below = c.depth
                continue
            prefix = f"［{label}］" if category and c.depth == 0 else ""
            out.append((c.pk, "\u3000" * c.depth + prefix + c.name))
    return out


def rubric_paths(tree: list[Criterion]) -> dict[int, list[str]]:
    """Each criterion's path of names from its top level down, by pk, for a tree from rubric_tree."""
    path: list[str] = []
    out = {}
    for node in tree:
        del path[node.depth :]
        path.append(node.name)
        out[node.pk] = list(path)
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
        .select_related("organisation", "organisation__profile", "applicant", "similarity_result")
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
    if campaign.uses_defined_form:
        return defined_form_check_items(application)
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


def defined_form_check_items(application: Application) -> list[CheckItem]:
    """The checklist of a campaign whose form is defined as data: the form complete, the photos, the privacy
    check of every long text, the pledge."""
    from cases.formdef import answers_problems, campaign_definition, definition_field

    campaign = application.campaign
    definition = campaign_definition(campaign)
    problems = answers_problems(definition, application.answers)
    labels = [str((definition_field(definition, key) or {}).get("label", key)) for key in problems]
    items = [CheckItem("申报表单填写完整", not problems, "缺：" + "、".join(labels) if problems else "齐全")]
    photos = len(application.photos.all())
    if campaign.photos_max:
        low, high = campaign.photos_min, campaign.photos_max
        items.append(CheckItem("照片张数", low <= photos <= high, f"{photos} 张（要求 {low}–{high} 张）"))
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
    if definition.get("pledge"):
        items.append(
            CheckItem(
                "承诺",
                bool(application.pledge_accepted and application.pledge_signature),
                application.pledge_signature or "未签署",
            )
        )
    return items


# --- Expert pool ----------------------------------------------------------------------------


def reviewer_pool(campaign: Campaign | None = None, *, password_unset: bool = False):
    """The expert pool as its page shows it: each expert's account, registered unit and whether they have set a
    password yet (an invited account has an unusable one until the invitation link is used); for a campaign,
    whether they are on its panel and how many of its cases they have."""
    qs = (
        ReviewerProfile.objects.select_related("user", "organisation_ref")
        .annotate(password_unset=Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX))
        .order_by("user__name", "id")
    )
    if password_unset:
        qs = qs.filter(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if campaign is not None:
        qs = qs.annotate(
            on_panel=Exists(PanelMember.objects.filter(campaign=campaign, reviewer=OuterRef("user"), is_active=True)),
            load=Count("user__review_assignments", filter=Q(user__review_assignments__application__campaign=campaign)),
        )
    return qs


def conflict_flags_pending(campaign: Campaign) -> QuerySet:
    """疑似回避 waiting for staff on the assignment page, with the case and the expert."""
    return (
        ConflictFlag.objects.filter(application__campaign=campaign, status=ConflictFlag.Status.PENDING)
        .select_related("application", "reviewer")
        .order_by("application_id", "id")
    )


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
    """An accepted case with what every reviewer page of it shows. The report links (shown only when the review
    is not blind) and the endorsements (only blind identifiers read them) are left to case_blind_prefetch and
    the page, so each page reads one of the two, not both."""
    return (
        Application.objects.select_related("campaign", "campaign__review_settings", "organisation", "applicant")
        .prefetch_related("team_members", "photos", "attachments")
        .get(pk=pk, status=Application.Status.ACCEPTED)
    )


def case_review_settings(application: Application) -> ReviewSettings:
    """The review settings of a case read by application_for_review, which selects them with its campaign (no
    query); the unsaved defaults when the campaign has none yet."""
    try:
        return application.campaign.review_settings
    except ReviewSettings.DoesNotExist:
        return ReviewSettings(campaign_id=application.campaign_id)


def case_blind_prefetch(application: Application) -> None:
    """Load what blind_identifiers reads beyond application_for_review (the endorsers' names) in one query."""
    prefetch_related_objects(
        [application], Prefetch("endorsements", queryset=Endorsement.objects.select_related("decided_by"))
    )


def blind_identifiers(application: Application) -> list[str]:
    """The strings that identify the applicant: removed from everything a blind reviewer sees."""
    return application_identifiers(application)


def redact(text: str, identifiers: list[str]) -> str:
    pattern = identifiers_pattern(identifiers)
    return pattern.sub("＊＊", text) if pattern and text else text


def case_reviews(application: Application, reviewer) -> tuple[Assignment, list[Review]]:
    """The reviewer's assignment of the case (with their review) and the other experts' submitted reviews, read
    in one query. The others are returned only where the campaign allows it and once this expert has submitted
    their own."""
    assignments = list(Assignment.objects.filter(application=application).select_related("review").order_by("id"))
    own = next(a for a in assignments if a.reviewer_id == reviewer.pk)
    for assignment in assignments:
        assignment.application = application
    review = getattr(own, "review", None)
    settings_row = case_review_settings(application)
    if not settings_row.peers_visible or review is None or review.status != Review.Status.SUBMITTED:
        return own, []
    peers = []
    for assignment in assignments:
        peer = getattr(assignment, "review", None)
        if assignment is not own and peer is not None and peer.status == Review.Status.SUBMITTED:
            peers.append(peer)
    return own, sorted(peers, key=lambda r: r.pk)


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
        submitted_reviews_of_campaign(campaign.pk)
        .order_by("assignment__application_id", "assignment__reviewer_id")
        .values_list("assignment__application_id", "assignment__reviewer_id", "total", "assignment__reviewer__name")
    )


@dataclass
class Ranking:
    settings: object
    rows: list  # of (Application, Aggregate, [(reviewer id, reviewer name, total)]): one page, or every row
    method: str
    max_total: float
    reviewer_names: dict  # reviewer id -> name, of the reviews in `rows`
    incomplete: list  # of (Application, Aggregate) missing a review, whole campaign (never filtered); [] once confirmed
    page: object = None  # the Paginator page when paginated
    tiers: list = None  # the campaign's TierRule rows in order (tier_rules)
    prizes: list = None  # the campaign's special prizes (awards.SpecialPrize), for the page's award form
    special_awards: dict = None  # application id -> its special-prize awards (awards.Award), for the rows shown
    parts: list = None  # the rubric's parts (RubricPart) in order; empty for a rubric without parts

    @property
    def result_names(self) -> set[str]:
        """Names of the tiers that are results, not awards (评定结果: 整改、合格…)."""
        return {t.name for t in self.tiers or [] if not t.is_award}


def expected_reviews(campaign: Campaign, reviewers_per_application: int, application_ids=None) -> dict[int, int]:
    """application id -> how many submitted reviews its decision needs: the campaign's N, or more when staff
    assigned more experts (a conflicted expert's assignment is gone, so it is not counted)."""
    if application_ids is not None:  # one page's cases: no join on the whole campaign
        assignments = Assignment.objects.filter(application__in=application_ids).filter(_not_conflicted())
    else:
        assignments = Assignment.objects.filter(
            application__campaign=campaign, application__status=Application.Status.ACCEPTED
        ).filter(_not_conflicted())
    assigned = dict(
        assignments.values_list("application_id").annotate(n=Count("id")).values_list("application_id", "n")
    )
    return {app_id: max(reviewers_per_application, n) for app_id, n in assigned.items()}


SCORE_FIELDS = {
    RankingMethod.MEAN: "score__mean",
    RankingMethod.MEDIAN: "score__median",
    RankingMethod.TRIMMED: "score__trimmed_mean",
    RankingMethod.NORMALISED: "score__normalised",
}
# The ranking page's other orders (the rank order, i.e. the tie rule, is the default).
RANKING_SORTS = {
    "mean": ("平均分", "score__mean"),
    "median": ("中位数", "score__median"),
    "trimmed": ("去极值平均", "score__trimmed_mean"),
    "normalised": ("标准化得分", "score__normalised"),
    "spread": ("分歧", "score__spread"),
    "count": ("评审数", "score__count"),
}
RANKING_PAGE_SIZE = 100


def _rank_order(method: str) -> list:
    """The tie rule of reviews.aggregation (score, then mean, median, number of reviews), in SQL."""
    scores = [F(name).desc(nulls_last=True) for name in (SCORE_FIELDS[method], "score__mean", "score__median")]
    return [*scores, Coalesce("score__count", 0).desc()]  # a case without a row has no review either


def _ranking_base(campaign: Campaign):
    return Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED)


def _ranking_rows(campaign: Campaign):
    """What a ranking row shows of an application (never the body), with its stored aggregates and decision."""
    return (
        _ranking_base(campaign)
        .select_related("score", "award_decision")
        .only("id", "reference", "title", "category", "domain", "campaign_id", "score", "award_decision")
    )


def _score_key(app: Application, method: str) -> tuple:
    """The tie rule's key of a row (reviews.aggregation: equal keys share a rank)."""
    stored = getattr(app, "score", None) if hasattr(app, "score") else None
    if stored is None:
        return (None, None, None, 0)
    score = getattr(stored, SCORE_FIELDS[method].removeprefix("score__"))
    return (score, stored.mean, stored.median, stored.count)


def _better_than(key: tuple, method: str) -> Q:
    """Rows whose key comes strictly before `key` in the rank order (score, mean, median, count; NULL last)."""
    names = [SCORE_FIELDS[method], "score__mean", "score__median", "score__count"]
    condition = Q(pk__in=[])
    equal = Q()
    for name, value in zip(names, key, strict=True):
        if value is None:
            condition |= equal & Q(**{f"{name}__isnull": False})
            equal &= Q(**{f"{name}__isnull": True})
        else:
            condition |= equal & Q(**{f"{name}__gt": value})
            equal &= Q(**{name: value})
    return condition


def ranking_windows(campaign: Campaign, method: str, *, category: str = "", domain: str = "", sort: str = ""):
    """(pk, position, rank number) of the campaign's accepted applications by window functions over the whole
    campaign; a category or domain filter selects rows after ranking (Django filters on a window annotation
    after the windows), so ranks and tiers never depend on it. For filtered or re-sorted pages only: the
    rank order itself needs no window (ranking() numbers the rows as it reads them)."""
    order = _rank_order(method)
    qs = _ranking_base(campaign).annotate(
        position=Window(RowNumber(), order_by=[*order, F("pk").asc()]),
        rank_number=Window(Rank(), order_by=order),
    )
    if category:
        qs = qs.annotate(category_seen=Window(Max("category"), partition_by=[F("pk")])).filter(category_seen=category)
    if domain:
        qs = qs.annotate(domain_seen=Window(Max("domain"), partition_by=[F("pk")])).filter(domain_seen=domain)
    if sort in RANKING_SORTS:
        qs = qs.order_by(F(RANKING_SORTS[sort][1]).desc(nulls_last=True), "position")
    else:
        qs = qs.order_by("position")
    return qs.values_list("pk", "position", "rank_number")


def _numbered(apps: list, method: str, first_position: int, first_rank) -> None:
    """Give each row of a run in rank order its position and rank number (a tie shares the rank)."""
    previous = None
    for offset, app in enumerate(apps):
        app.position = first_position + offset
        key = _score_key(app, method)
        if previous is not None and key == previous[0]:
            app.rank_number = previous[1]
        else:
            app.rank_number = first_rank(app, key) if offset == 0 else app.position
        previous = (key, app.rank_number)


def _ranking_page(campaign: Campaign, method: str, category: str, domain: str, sort: str, page) -> tuple:
    """(rows of one page numbered over the whole campaign, the page, how many rows have a score)."""
    shown = Q()
    if category:
        shown &= Q(category=category)
    if domain:
        shown &= Q(domain=domain)
    totals = _ranking_totals(campaign, method, shown)
    paginator = Paginator(_ranking_base(campaign).order_by("pk").values_list("pk", flat=True), RANKING_PAGE_SIZE)
    paginator.count = totals["shown"]  # counted above with the scored rows, in one query
    page_obj = paginator.get_page(page)
    start, end = page_obj.start_index() - 1, page_obj.end_index()
    if category or domain or sort:
        numbered = list(ranking_windows(campaign, method, category=category, domain=domain, sort=sort)[start:end])
        by_pk = _ranking_rows(campaign).in_bulk([pk for pk, _p, _r in numbered])
        apps = []
        for pk, position, rank_number in numbered:
            app = by_pk[pk]
            app.position, app.rank_number = position, rank_number
            apps.append(app)
        return apps, page_obj, totals["scored"]
    before = max(start - 1, 0)  # one row before the page tells whether its first row ties across the boundary
    apps = _rank_order_slice(campaign, method, before, end, totals["with_score"])
    previous, apps = (apps[0], apps[1:]) if start > 0 and apps else (None, apps)

    def first_rank(app, key):
        if previous is None or _score_key(previous, method) != key:
            return start + 1
        return _ranking_base(campaign).filter(_better_than(key, method)).count() + 1

    _numbered(apps, method, start + 1, first_rank)
    return apps, page_obj, totals["scored"]


def _count_of(qs) -> Coalesce:
    # COUNT(*), not COUNT(id): the (campaign, status) index alone answers it (an index-only scan).
    counted = qs.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n")
    return Coalesce(Subquery(counted), 0)


def _ranking_totals(campaign: Campaign, method: str, shown: Q) -> dict:
    """How many cases the page lists (with its filters), how many have a review and how many have the method's
    score, in one query. The last two count ApplicationScore rows alone (an index of that table, not the wide
    application rows): the review services keep a row only for an accepted case, and no service takes a case
    out of ACCEPTED."""
    scores = ApplicationScore.objects.filter(campaign=campaign)
    return (
        Campaign.objects.filter(pk=campaign.pk)
        .annotate(
            shown=_count_of(_ranking_base(campaign).filter(shown)),
            scored=_count_of(scores.filter(count__gt=0)),
            with_score=_count_of(scores.filter(**{f"{SCORE_FIELDS[method].removeprefix('score__')}__isnull": False})),
        )
        .values("shown", "scored", "with_score")
        .get()
    )


def _rank_order_slice(campaign: Campaign, method: str, start: int, end: int, with_score: int) -> list:
    """Rows start..end-1 of the campaign in rank order. The `with_score` rows that have the method's score come
    first: read from ApplicationScore through its index for the method (campaign, then the rank order), so the
    database stops after `end` rows instead of sorting the campaign. The rest (no review yet) follow in the
    tie rule's order from the applications, in a second query only when the slice reaches them."""
    rows = []
    if start < with_score:
        score_field = SCORE_FIELDS[method].removeprefix("score__")
        # With a score the row has reviews, so mean and median are set too: plain DESC matches the index.
        names = [score_field, "mean", "median", "count"]
        order = [*dict.fromkeys(f"-{name}" for name in names), "application_id"]
        scores = (
            ApplicationScore.objects.filter(campaign=campaign, **{f"{score_field}__isnull": False})
            .select_related("application", "application__award_decision")
            .only(
                *(f"application__{name}" for name in ("id", "reference", "title", "category", "domain", "campaign_id")),
                "application__award_decision",
                *{"application", "count", "mean", "median", "trimmed_mean", "normalised", "spread", score_field},
            )
            .order_by(*order)[start : min(end, with_score)]
        )
        for score in scores:
            app = score.application
            app.score = score
            rows.append(app)
    if end > with_score:
        rest = _ranking_rows(campaign).filter(**{f"{SCORE_FIELDS[method]}__isnull": True})
        rows += list(rest.order_by(*_rank_order(method), F("pk").asc())[max(start - with_score, 0) : end - with_score])
    return rows


def _aggregate_of(app: Application, threshold: float) -> aggregation.Aggregate:
    stored = getattr(app, "score", None) if hasattr(app, "score") else None
    if stored is None:
        return aggregation.Aggregate(application_id=app.pk)
    return aggregation.Aggregate(
        application_id=app.pk,
        count=stored.count,
        mean=stored.mean,
        median=stored.median,
        trimmed_mean=stored.trimmed_mean,
        normalised=stored.normalised,
        spread=stored.spread,
        disagreement=stored.count > 0 and stored.spread > threshold,
    )


def _tier_bounds(campaign: Campaign, tiers: list, method: str, n: int) -> list:
    """The tiers' positions; `n` is the number of applications with a score (a threshold tier counts more)."""
    scored = ApplicationScore.objects.filter(
        application__campaign=campaign, application__status=Application.Status.ACCEPTED, count__gt=0
    )
    field = SCORE_FIELDS[method].removeprefix("score__")

    def at_least(value: float) -> int:
        return scored.filter(**{f"{field}__gte": value}).count()

    return aggregation.tier_bounds(n, tiers, at_least)


def ranking_incomplete(campaign: Campaign, reviewers_per_application: int) -> list:
    """(Application, Aggregate) of every accepted case with fewer submitted reviews than it needs."""
    assigned = (
        Assignment.objects.filter(application=OuterRef("pk"))
        .filter(_not_conflicted())
        .values("application")
        .annotate(n=Count("id"))
        .values("n")
    )
    # A case is short of reviews only if it has fewer than N, or one of its (not conflicted) experts has not
    # submitted: that cheap test comes first, so the count of its experts is made for those cases only.
    waiting = (
        Assignment.objects.filter(application=OuterRef("pk"))
        .filter(_not_conflicted())
        .exclude(review__status=Review.Status.SUBMITTED)
    )
    rows = (
        Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED)
        .filter(Q(score__isnull=True) | Q(score__count__lt=reviewers_per_application) | Exists(waiting))
        .select_related("score")
        .only("id", "reference", "title", "score")
        .annotate(
            submitted=Coalesce("score__count", 0),
            expected=Greatest(Value(reviewers_per_application), Coalesce(Subquery(assigned), 0)),
        )
        .filter(submitted__lt=F("expected"))
        .order_by("id")
    )
    out = []
    for app in rows:
        agg = _aggregate_of(app, 0.0)
        agg.expected, agg.incomplete = app.expected, True
        out.append((app, agg))
    return out


def _page_reviews(ids: list[int], reviewers_per_application: int, per_app: dict, names: dict) -> dict[int, int]:
    """One page's submitted totals per case (into `per_app` and `names`) and, from the same query over the
    cases' assignments, how many reviews each needs (expected_reviews for these cases)."""
    conflicted = Conflict.objects.filter(application=OuterRef("application"), reviewer=OuterRef("reviewer"))
    review = Review.objects.filter(assignment=OuterRef("pk"))
    assigned: dict[int, int] = {}
    # The review's fields as subqueries: each is one probe of the review's unique assignment index, where a
    # join lets the planner hash the whole review table for a page of 300 assignments.
    rows = (
        Assignment.objects.filter(application__in=ids)
        .annotate(
            conflicted=Exists(conflicted),
            review_status=Subquery(review.values("status")),
            review_total=Subquery(review.values("total")),
        )
        .order_by("application_id", "reviewer_id")
        .values_list("application_id", "reviewer_id", "review_status", "review_total", "reviewer__name", "conflicted")
    )
    for app_id, reviewer_id, status, total, name, is_conflicted in rows:
        if is_conflicted:  # a conflicted expert is neither expected nor counted, even with a submitted score
            continue
        assigned[app_id] = assigned.get(app_id, 0) + 1
        if status == Review.Status.SUBMITTED:
            per_app.setdefault(app_id, []).append((reviewer_id, name, total))
            names[reviewer_id] = name
    return {app_id: max(reviewers_per_application, n) for app_id, n in assigned.items()}


def ranking(
    campaign: Campaign, *, category: str = "", domain: str = "", sort: str = "", page: int | str | None = None
) -> Ranking:
    """The campaign's ranking read from the stored aggregates (services.application_scores_refresh), with rank,
    tier, the staff decision and each reviewer's total. With `page`, one page of RANKING_PAGE_SIZE rows (the
    ranking page); without, every row (the score sheet and the decision). Filters select rows for display
    only: ranks, normalisation and tiers always use the whole campaign."""
    settings_row = review_settings_get(campaign=campaign)
    method = settings_row.ranking_method
    threshold = float(settings_row.disagreement_threshold)
    tree = rubric_tree(campaign)
    max_total = float(rubric_max_total(tree)) or 100.0
    # The rubric's parts come with the tree (no query of their own): those that hold a top-level criterion.
    parts = list(dict.fromkeys(c.rubric_part for c in tree if c.depth == 0 and c.rubric_part is not None))
    page_obj = None
    if page is not None:
        apps, page_obj, scored = _ranking_page(campaign, method, category, domain, sort, page)
    else:
        apps = list(_ranking_rows(campaign).order_by(*_rank_order(method), "pk"))
        _numbered(apps, method, 1, lambda app, key: 1)
        scored = sum(1 for app in apps if _score_key(app, method)[3] > 0)
        apps = [a for a in apps if (not category or a.category == category) and (not domain or a.domain == domain)]
    ids = [a.pk for a in apps]
    tiers = tier_rules(campaign=campaign)
    bounds = _tier_bounds(campaign, tiers, method, scored)
    confirmed = settings_row.decision_confirmed_at is not None
    per_app: dict[int, list] = {}
    names: dict[int, str] = {}
    if page is None:  # every row: one join on the campaign instead of a long IN list
        reviews = submitted_reviews_of_campaign(campaign.pk)  # a conflicted expert's review never counts
        for app_id, reviewer_id, total, name in reviews.order_by(
            "assignment__application_id", "assignment__reviewer_id"
        ).values_list("assignment__application_id", "assignment__reviewer_id", "total", "assignment__reviewer__name"):
            per_app.setdefault(app_id, []).append((reviewer_id, name, total))
            names[reviewer_id] = name
        expected = expected_reviews(campaign, settings_row.reviewers_per_application)
    else:
        expected = _page_reviews(ids, settings_row.reviewers_per_application, per_app, names)
    rows = []
    for app in apps:
        agg = _aggregate_of(app, threshold)
        agg.rank = app.rank_number if agg.count > 0 else None
        agg.tier = aggregation.tier_at(app.position if agg.count > 0 else None, bounds)
        decision = getattr(app, "award_decision", None) if hasattr(app, "award_decision") else None
        agg.override = decision if decision is not None and decision.reason else None
        # Once confirmed, the decision is the one record of the tier (an upheld objection changes it there).
        if confirmed and decision is not None:
            agg.final_tier = decision.tier
        else:
            agg.final_tier = agg.override.tier if agg.override else agg.tier
        agg.expected = expected.get(app.pk, settings_row.reviewers_per_application)
        agg.incomplete = agg.count < agg.expected
        rows.append((app, agg, per_app.get(app.pk, [])))
    from awards.models import Award, SpecialPrize

    # A campaign read with has_special_prizes (the ranking page annotates it) skips the query when it has none.
    has_prizes = getattr(campaign, "has_special_prizes", True)
    prizes = list(SpecialPrize.objects.filter(campaign=campaign).order_by("position", "id")) if has_prizes else []
    special_awards: dict[int, list] = {}
    if prizes:
        specials = Award.objects.filter(special_prize__isnull=False).select_related("special_prize")
        specials = specials.filter(application__in=ids) if page is not None else specials.filter(campaign=campaign)
        for award in specials.order_by("special_prize__position", "id"):
            special_awards.setdefault(award.application_id, []).append(award)
    for app, agg, _per in rows:
        agg.special_awards = special_awards.get(app.pk, [])
    return Ranking(
        settings=settings_row,
        rows=rows,
        method=method,
        max_total=max_total,
        reviewer_names=names,
        # Only the confirmation reads it (the page offers it while the decision is open).
        incomplete=[] if confirmed else ranking_incomplete(campaign, settings_row.reviewers_per_application),
        page=page_obj,
        tiers=tiers,
        prizes=prizes,
        special_awards=special_awards,
        parts=parts,
    )


def calibration_table(campaign: Campaign) -> tuple[list, float, float]:
    """Each reviewer's count, mean and spread (stored with the aggregates) against the panel's, pooled."""
    per_reviewer = [
        (row.reviewer.name, row.count, row.mean, row.sd)
        for row in ReviewerScoreStats.objects.filter(campaign=campaign, count__gt=0)
        .select_related("reviewer")
        .order_by("reviewer__name", "reviewer_id")
    ]
    # The panel's mean and population spread from the reviewers' (the same figures as over every total).
    count = sum(n for _name, n, _m, _sd in per_reviewer)
    panel_mean = sum(n * m for _name, n, m, _sd in per_reviewer) / count if count else 0.0
    second_moment = sum(n * (sd * sd + m * m) for _name, n, m, sd in per_reviewer) / count if count else 0.0
    panel_sd = max(second_moment - panel_mean * panel_mean, 0.0) ** 0.5
    table = [{"name": name, "count": n, "mean": m, "sd": sd, "diff": m - panel_mean} for name, n, m, sd in per_reviewer]
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


# --- 区县汇总排名 (roll-up over a grouping) ------------------------------------------------------------


def district_key(application: Application) -> str:
    """The grouping of the 淮安 county ranking: the applying organisation's 所属区镇."""
    return application.organisation.district


def answer_key(field_key: str):
    """A grouping by a choice field of the campaign's form (Application.answers, where the form engine adds
    it): the answer's text, "" when unanswered."""

    def key(application: Application) -> str:
        value = (getattr(application, "answers", None) or {}).get(field_key)
        return "、".join(map(str, value)) if isinstance(value, list) else str(value or "")

    return key


DISTRICT_GROUPING = "district"
ANSWER_GROUPING_PREFIX = "answer:"
# The form field a preset's roll-up groups by unless staff choose otherwise: the station's 所属县（区）.
DEFAULT_ANSWER_GROUPING = {"station_evaluation": "county"}


@dataclass
class Grouping:
    """One choice of 汇总依据: its value in the page's select, its label, and how it reads in a sentence."""

    value: str
    label: str
    phrase: str
    key: object  # the function of an application that gives its group

    @property
    def noun(self) -> str:
        """How one group is named in the page's rule: 该区镇, 该县（区）."""
        return self.label.removeprefix("所属") or self.label


def rollup_groupings(campaign: Campaign) -> list[Grouping]:
    """What the roll-up may group by: the applying organisation's 所属区镇, then each single-choice field of
    the campaign's defined form (read from Application.answers by answer_key)."""
    from cases.formdef import campaign_definition, definition_fields

    out = [Grouping(DISTRICT_GROUPING, "所属区镇", "申报机构的所属区镇", district_key)]
    if campaign.uses_defined_form:
        for field in definition_fields(campaign_definition(campaign)):
            if field.get("type") == "choice" and field.get("key"):
                label = field.get("label") or field["key"]
                out.append(
                    Grouping(ANSWER_GROUPING_PREFIX + field["key"], label, f"申报表的{label}", answer_key(field["key"]))
                )
    return out


def rollup_grouping(campaign: Campaign, value: str | None = None) -> tuple[Grouping, list[Grouping]]:
    """The grouping asked for by `value` when the campaign offers it, else the campaign's default: its preset's
    field (a station evaluation's 所属县（区）) when the form has it, else 所属区镇. Returns it with all choices."""
    choices = rollup_groupings(campaign)
    by_value = {g.value: g for g in choices}
    if value in by_value:
        return by_value[value], choices
    preset_field = DEFAULT_ANSWER_GROUPING.get(campaign.form_preset)
    default = by_value.get(ANSWER_GROUPING_PREFIX + preset_field) if preset_field else None
    return default or by_value[DISTRICT_GROUPING], choices


@dataclass
class Rollup:
    parts: list  # RubricPart, in order
    groups: list  # aggregation.GroupScore, ranked
    once_parts: list  # RubricPart scored once per group


def rollup(campaign: Campaign, *, key=district_key) -> Rollup:
    """The campaign's accepted applications grouped by `key(application)` and ranked at group level
    (aggregation.rollup), from the stored aggregates: two queries whatever the number of applications."""
    parts = rubric_parts(campaign)
    once = [p for p in parts if p.scored_once_per_group]
    applications = (
        Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED)
        .select_related("organisation", "score")
        .defer(*(name for name, _heading in SECTIONS))
        .order_by("pk")
    )
    rows = []
    for app in applications:
        stored = getattr(app, "score", None) if hasattr(app, "score") else None
        rows.append(
            aggregation.AppPartScores(
                group=key(app) or "未填写",
                count=stored.count if stored else 0,
                mean=stored.mean if stored else None,
                part_means=stored.part_means if stored else {},
            )
        )
    groups = aggregation.rollup(rows, once_parts=[str(p.pk) for p in once], parts=[str(p.pk) for p in parts])
    for group in groups:
        group.part_list = [group.parts.get(str(p.pk)) for p in parts]
    return Rollup(parts=parts, groups=groups, once_parts=once)


def campaigns_for_ranking() -> QuerySet[Campaign]:
    """Campaigns with `has_special_prizes`, so ranking() reads the prizes only where there are some."""
    from awards.models import SpecialPrize

    return Campaign.objects.annotate(has_special_prizes=Exists(SpecialPrize.objects.filter(campaign=OuterRef("pk"))))


def ranking_part_subtotals(ranking_result: Ranking, parts: list) -> None:
    """Give each ranking row `part_subtotals`: its stored mean per part, in the order of `parts`; one query for
    the rows shown, none for a rubric without parts."""
    rows = ranking_result.rows
    means: dict[int, dict] = {}
    if parts:
        means = dict(
            ApplicationScore.objects.filter(application__in=[app.pk for app, _agg, _per in rows]).values_list(
                "application_id", "part_means"
            )
        )
    for app, _agg, _per in rows:
        stored = means.get(app.pk) or {}
        app.part_subtotals = [stored.get(str(p.pk)) for p in parts]


def score_part_subtotals(tree: list[Criterion], points: dict) -> list[tuple]:
    """(part, points so far, the part's maximum) for the reviewer's form, from the rubric `tree` and the leaf
    points entered (criterion id -> Decimal or None); marks each top-level node that opens a part with
    `opens_part`. Empty for a rubric without parts. No query: the parts come with the tree."""
    parts = []
    previous = None
    for c in tree:
        if c.depth == 0:
            c.opens_part = c.rubric_part is not None and c.rubric_part != previous
            previous = c.rubric_part
            if c.opens_part and c.rubric_part not in parts:
                parts.append(c.rubric_part)
    if not parts:
        return []
    got = {p.pk: Decimal("0") for p in parts}
    for c in tree:
        if c.is_leaf and c.rubric_part is not None and points.get(c.pk) is not None:
            got[c.rubric_part.pk] += points[c.pk] * c.effective_weight
    return [(p, got[p.pk], total) for p, total in rubric_part_totals(tree, parts)]
