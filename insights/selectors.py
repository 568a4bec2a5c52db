"""统计分析: every figure of the statistics page, computed by the database (values + Count/Avg/StdDev).

Each figure is a small table (columns and rows) that the page draws as a chart, shows beneath the chart and
writes to the .xlsx download: one shape, so the three can never disagree. Python only reshapes the aggregated
rows (a pivot of a few dozen cells), never the applications or reviews themselves.

A conflicted reviewer (reviews.Conflict) counts nowhere: their assignments and scores are left out of every
figure, even where a stale assignment or review still exists.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Q, StdDev
from django.db.models.functions import Coalesce, ExtractYear, Floor, TruncDate
from django.utils import timezone

from accounts.models import Organisation
from awards.models import Award
from cases.models import DEFAULT_DOMAINS, Application, Campaign, Category
from reviews.models import Assignment, Conflict, Review

ALL_CAMPAIGNS = "all"
SCORE_BAND = 10  # points per histogram bar of the score distribution
TOP_ORGANISATIONS = 20  # the chart shows the busiest organisations; the table and the .xlsx show them all

Status = Application.Status
SUBMITTED = [Status.SUBMITTED, Status.RECOMMENDED, Status.ACCEPTED, Status.INELIGIBLE]
RECOMMENDED = [Status.RECOMMENDED, Status.ACCEPTED, Status.INELIGIBLE]


@dataclass
class Filters:
    """What the page is asked about. `campaign` None means every campaign (across years)."""

    campaign: Campaign | None = None
    category: str = ""
    domain: str = ""
    district: str = ""

    def label(self) -> str:
        parts = [self.campaign.title if self.campaign else "全部评选活动（历年）"]
        if self.category:
            parts.append(Category(self.category).label)
        if self.domain:
            parts.append(self.domain)
        if self.district:
            parts.append(self.district)
        return " · ".join(parts)


@dataclass
class Figure:
    """One chart and its data table. `kind` tells the page's script how to draw it; `series` are the column
    indexes drawn (the first column is the label of each row); `stacked` draws the series on top of each other."""

    key: str
    title: str
    kind: str  # bar, hbar, pie, funnel, daily, heatmap
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    series: list[int] | None = None
    stacked: bool = False
    note: str = ""

    def as_chart(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "columns": self.columns,
            "rows": [[_plain(v) for v in row] for row in self.rows],
            "series": self.series if self.series is not None else list(range(1, len(self.columns))),
            "stacked": self.stacked,
        }


def _plain(value):
    if isinstance(value, float):
        return round(value, 2)
    if value is None or isinstance(value, int | str):
        return value
    return float(value)


# --- Filters ----------------------------------------------------------------------------------------------------


def campaign_choices() -> list[Campaign]:
    return list(Campaign.objects.only("id", "slug", "title", "submission_opens_at", "submission_closes_at", "domains"))


def district_choices() -> list[str]:
    return list(
        Organisation.objects.exclude(district="").order_by("district").values_list("district", flat=True).distinct()
    )


def domain_choices(campaigns: list[Campaign], campaign: Campaign | None) -> list[str]:
    if campaign is not None:
        return list(campaign.domains)
    seen = list(DEFAULT_DOMAINS)
    for c in campaigns:
        seen += [d for d in c.domains if d not in seen]
    return seen


def _application_q(filters: Filters, prefix: str = "") -> Q:
    """The filters as a Q on Application, or on a model reaching it through `prefix` ("application__")."""
    q = Q()
    if filters.campaign is not None:
        q &= Q(**{f"{prefix}campaign": filters.campaign})
    if filters.category:
        q &= Q(**{f"{prefix}category": filters.category})
    if filters.domain:
        q &= Q(**{f"{prefix}domain": filters.domain})
    if filters.district:
        q &= Q(**{f"{prefix}organisation__district": filters.district})
    return q


def _not_conflicted(application: str, reviewer: str):
    return ~Exists(Conflict.objects.filter(application=OuterRef(application), reviewer=OuterRef(reviewer)))


def counted_reviews(filters: Filters):
    """Submitted reviews of accepted applications by reviewers without a conflict: the calibration table's data
    (reviews.selectors.submitted_reviews) less the conflicted."""
    return Review.objects.filter(
        _application_q(filters, "assignment__application__"),
        status=Review.Status.SUBMITTED,
        assignment__application__status=Status.ACCEPTED,
    ).filter(_not_conflicted("assignment__application", "assignment__reviewer"))


# --- Figures ----------------------------------------------------------------------------------------------------


def _by(filters: Filters, key: str, title: str, field_name: str, column: str, labels=None, kind="bar") -> Figure:
    """Submitted applications counted by one field, the largest group first."""
    rows = (
        Application.objects.filter(_application_q(filters), status__in=SUBMITTED)
        .values(field_name)
        .annotate(n=Count("id"))
        .order_by("-n", field_name)
    )
    figure = Figure(key, title, kind, [column, "申报数"])
    for row in rows:
        value = row[field_name]
        label = labels.get(value, value) if labels else value
        figure.rows.append([label or "（未填）", row["n"]])
    return figure


def funnel(filters: Filters) -> Figure:
    """From draft to award: how many applications reached each step (a later step implies the earlier ones)."""
    # Semi-joins by IN (hashed by PostgreSQL), not a correlated EXISTS per row: across years that took 20 s.
    reviewed = counted_reviews(filters).values("assignment__application")
    # 获奖: an active award that is an award (a result such as 整改 is not; a special prize is).
    awarded = Award.objects.filter(status=Award.Status.ACTIVE).awarded().values("application")
    totals = Application.objects.filter(_application_q(filters)).aggregate(
        created=Count("id"),
        submitted=Count("id", filter=Q(status__in=SUBMITTED)),
        recommended=Count("id", filter=Q(status__in=RECOMMENDED)),
        accepted=Count("id", filter=Q(status=Status.ACCEPTED)),
        reviewed=Count("id", filter=Q(status=Status.ACCEPTED, pk__in=reviewed)),
        awarded=Count("id", filter=Q(pk__in=awarded)),
    )
    steps = [
        ("created", "填报（含草稿）"),
        ("submitted", "已提交"),
        ("recommended", "单位已推荐"),
        ("accepted", "形式审查通过"),
        ("reviewed", "已评审"),
        ("awarded", "获奖"),
    ]
    return Figure(
        "funnel",
        "申报漏斗",
        "funnel",
        ["阶段", "案例数"],
        [[label, totals[key]] for key, label in steps],
        note="按当前状态统计：已提交含其后各步；退回修改、已撤回的案例只计入“填报”。已评审指至少有一份有效评审。",
    )


def daily_submissions(filters: Filters) -> Figure:
    figure = Figure("daily", "每日提交数（至申报截止）", "daily", ["日期", "当日提交", "累计"], series=[1, 2])
    campaign = filters.campaign
    if campaign is None:
        figure.note = "请选择一个评选活动查看每日提交数。"
        return figure
    per_day = dict(
        Application.objects.filter(
            _application_q(filters), status__in=SUBMITTED, submitted_at__lte=campaign.submission_closes_at
        )
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    first = timezone.localtime(campaign.submission_opens_at).date()
    last = timezone.localtime(campaign.submission_closes_at).date()
    if per_day:
        first = min(first, min(per_day))
    total, day = 0, first
    while day <= last:
        total += per_day.get(day, 0)
        figure.rows.append([day.isoformat(), per_day.get(day, 0), total])
        day += dt.timedelta(days=1)
    figure.note = "提交时间为最后一次提交的时间；截止后重新提交的（退回修改后）不计入。"
    return figure


def review_progress(filters: Filters) -> Figure:
    rows = (
        Assignment.objects.filter(_application_q(filters, "application__"))
        .filter(_not_conflicted("application", "reviewer"))
        .values("reviewer_id", "reviewer__name")
        .annotate(
            assigned=Count("id"),
            submitted=Count("id", filter=Q(review__status=Review.Status.SUBMITTED)),
            drafting=Count("id", filter=Q(review__status=Review.Status.DRAFT)),
        )
        .order_by("reviewer__name", "reviewer_id")
    )
    figure = Figure(
        "progress",
        "评审进度（按评审专家）",
        "hbar",
        ["评审专家", "已提交", "评审中", "未开始", "分配总数"],
        series=[1, 2, 3],
        stacked=True,
    )
    for row in rows:
        waiting = row["assigned"] - row["submitted"] - row["drafting"]
        figure.rows.append([row["reviewer__name"], row["submitted"], row["drafting"], waiting, row["assigned"]])
    return figure


def calibration(filters: Filters) -> Figure:
    """Each reviewer's count, mean, spread (population SD), lowest and highest total, and the difference from the
    panel's mean: the reviews calibration table, with min and max, and without conflicted scores."""
    reviews = counted_reviews(filters)
    panel = reviews.aggregate(mean=Avg("total"), sd=StdDev("total"))
    panel_mean = float(panel["mean"] or 0)
    rows = (
        reviews.values("assignment__reviewer_id", "assignment__reviewer__name")
        .annotate(n=Count("id"), mean=Avg("total"), sd=StdDev("total"), low=Min("total"), high=Max("total"))
        .order_by("assignment__reviewer__name", "assignment__reviewer_id")
    )
    figure = Figure(
        "calibration",
        "评分校准（按评审专家）",
        "bar",
        ["评审专家", "评审数", "平均分", "标准差", "最低分", "最高分", "与全体平均之差"],
        series=[2],
        note=f"全体平均 {panel_mean:.2f} 分，标准差 {float(panel['sd'] or 0):.2f}。",
    )
    for row in rows:
        mean = float(row["mean"])
        figure.rows.append(
            [
                row["assignment__reviewer__name"],
                row["n"],
                round(mean, 2),
                round(float(row["sd"] or 0), 2),
                float(row["low"]),
                float(row["high"]),
                round(mean - panel_mean, 2),
            ]
        )
    return figure


def score_distribution(filters: Filters) -> Figure:
    """A histogram of each reviewer's totals in bands of SCORE_BAND points, drawn as a heat map."""
    cells = (
        counted_reviews(filters)
        .annotate(band=Floor(F("total") / SCORE_BAND))
        .values("assignment__reviewer_id", "assignment__reviewer__name", "band")
        .annotate(n=Count("id"))
        .order_by("assignment__reviewer__name", "assignment__reviewer_id", "band")
    )
    counts: dict[tuple, dict[int, int]] = {}
    for cell in cells:
        reviewer = (cell["assignment__reviewer__name"], cell["assignment__reviewer_id"])
        counts.setdefault(reviewer, {})[int(cell["band"])] = cell["n"]
    bands = sorted({band for per in counts.values() for band in per})
    if bands:
        bands = list(range(bands[0], bands[-1] + 1))
    columns = ["评审专家"] + [_band_label(b) for b in bands]
    figure = Figure("scores", "评分分布（按评审专家，每档 10 分）", "heatmap", columns)
    for (name, _pk), per in counts.items():
        figure.rows.append([name] + [per.get(b, 0) for b in bands])
    return figure


def _band_label(band: int) -> str:
    low = band * SCORE_BAND
    return f"{low}–{low + SCORE_BAND - 1}" if low < 100 else f"{low}+"


def _tiers_by(filters: Filters, key: str, title: str, field_name: str, column: str) -> Figure:
    cells = (
        # A graded tier's one record is the application's decision (reviews.AwardDecision); a special prize is
        # its own column; results that are not awards (整改、合格) are not counted.
        Award.objects.filter(_application_q(filters, "application__"), status=Award.Status.ACTIVE)
        .awarded()
        .annotate(tier=Coalesce(F("special_prize__name"), F("application__award_decision__tier")))
        .values(field_name, "tier")
        .annotate(n=Count("id"), best=Min("rank"))
        .order_by(field_name, "tier")
    )
    table: dict[str, dict[str, int]] = {}
    tier_rank: dict[str, int] = {}
    for cell in cells:
        table.setdefault(cell[field_name] or "（未填）", {})[cell["tier"]] = cell["n"]
        tier_rank[cell["tier"]] = min(tier_rank.get(cell["tier"], cell["best"]), cell["best"])
    tiers = sorted(tier_rank, key=lambda t: (tier_rank[t], t))
    figure = Figure(key, title, "bar", [column, *tiers, "合计"], series=list(range(1, len(tiers) + 1)), stacked=True)
    for label, per in sorted(table.items(), key=lambda item: (-sum(item[1].values()), item[0])):
        figure.rows.append([label, *(per.get(t, 0) for t in tiers), sum(per.values())])
    return figure


def year_on_year(filters: Filters) -> Figure:
    """Every campaign side by side (the campaign filter does not apply; the others do)."""
    across = Filters(category=filters.category, domain=filters.domain, district=filters.district)
    rows = (
        Application.objects.filter(_application_q(across))
        .values("campaign_id", "campaign__title", "campaign__submission_opens_at")
        .annotate(
            year=ExtractYear("campaign__submission_closes_at"),
            submitted=Count("id", filter=Q(status__in=SUBMITTED)),
            accepted=Count("id", filter=Q(status=Status.ACCEPTED)),
            awarded=Count(
                "id", filter=Q(pk__in=Award.objects.filter(status=Award.Status.ACTIVE).awarded().values("application"))
            ),
            organisations=Count("organisation", filter=Q(status__in=SUBMITTED), distinct=True),
        )
        .order_by("campaign__submission_opens_at", "campaign_id")
    )
    figure = Figure(
        "yoy",
        "历年对比",
        "bar",
        ["评选活动", "年度", "已提交", "形式审查通过", "获奖", "申报机构数"],
        series=[2, 3, 4, 5],
    )
    for row in rows:
        figure.rows.append(
            [
                row["campaign__title"],
                row["year"],
                row["submitted"],
                row["accepted"],
                row["awarded"],
                row["organisations"],
            ]
        )
    return figure


def statistics_figures(filters: Filters) -> list[Figure]:
    """Every figure of the page, in its order: a fixed number of queries whatever the number of applications."""
    organisations = _by(filters, "organisation", "按机构", "organisation__name", "机构", kind="hbar")
    organisations.note = f"图中显示申报数最多的 {TOP_ORGANISATIONS} 个机构，表格列出全部。"
    return [
        funnel(filters),
        _by(filters, "domain", "按案例领域", "domain", "案例领域", kind="hbar"),
        _by(filters, "category", "按案例类别", "category", "案例类别", labels=dict(Category.choices), kind="pie"),
        _by(filters, "district", "按区镇", "organisation__district", "区镇"),
        _by(
            filters,
            "organisation_kind",
            "按机构类型",
            "organisation__kind",
            "机构类型",
            labels=dict(Organisation.Kind.choices),
            kind="pie",
        ),
        organisations,
        daily_submissions(filters),
        review_progress(filters),
        calibration(filters),
        score_distribution(filters),
        _tiers_by(filters, "tiers_district", "奖项等级 × 区镇", "application__organisation__district", "区镇"),
        _tiers_by(filters, "tiers_domain", "奖项等级 × 案例领域", "application__domain", "案例领域"),
        year_on_year(filters),
    ]
