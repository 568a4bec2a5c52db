"""排名: pure functions that turn reviewers' totals into aggregates, a ranking and award tiers.

No database here: the selectors feed plain numbers in, so the maths is tested on hand-computed examples
and the 10,000-application benchmark measures only the arithmetic and one query.

Tie rule (documented in the ranking page too): applications with the same ranking score are ordered by
  1. the higher mean, 2. the higher median, 3. more submitted reviews, 4. the lower application id
(the earlier filed case). Applications that are still equal after 1–3 share a rank number.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from .models import RankingMethod


@dataclass
class Aggregate:
    application_id: int
    totals: list[float] = field(default_factory=list)
    normalised_totals: list[float] = field(default_factory=list)
    count: int = 0
    mean: float | None = None
    median: float | None = None
    trimmed_mean: float | None = None
    normalised: float | None = None
    spread: float = 0.0
    disagreement: bool = False
    rank: int | None = None
    tier: str = ""

    def score(self, method: str) -> float | None:
        return {
            RankingMethod.MEAN: self.mean,
            RankingMethod.MEDIAN: self.median,
            RankingMethod.TRIMMED: self.trimmed_mean,
            RankingMethod.NORMALISED: self.normalised,
        }[method]


def trimmed_mean(totals: list[float]) -> float:
    """The mean after dropping one highest and one lowest total, from 4 reviews up; the plain mean below that."""
    if len(totals) >= 4:
        ordered = sorted(totals)[1:-1]
        return statistics.fmean(ordered)
    return statistics.fmean(totals)


def reviewer_stats(reviews: list[tuple[int, int, float]]) -> dict[int, tuple[float, float, int]]:
    """reviewer id -> (mean, population standard deviation, count) of the totals they gave."""
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for _app, reviewer, total in reviews:
        by_reviewer[reviewer].append(total)
    return {r: (statistics.fmean(t), statistics.pstdev(t), len(t)) for r, t in by_reviewer.items()}


def normalise(reviews: list[tuple[int, int, float]], max_total: float) -> list[float]:
    """Each total as its reviewer's z-score, rescaled to the panel's mean and spread, clipped to [0, max_total].

    A harsh reviewer's 60 and a lenient one's 90 both become "one spread above what this reviewer usually
    gives". A reviewer with one review or with all totals equal gets z = 0, i.e. the panel mean.
    """
    if not reviews:
        return []
    all_totals = [t for _a, _r, t in reviews]
    panel_mean = statistics.fmean(all_totals)
    panel_sd = statistics.pstdev(all_totals)
    stats = reviewer_stats(reviews)
    out = []
    for _app, reviewer, total in reviews:
        mean, sd, _n = stats[reviewer]
        z = (total - mean) / sd if sd > 0 else 0.0
        out.append(min(max(panel_mean + z * panel_sd, 0.0), max_total))
    return out


def aggregate(
    reviews: list[tuple[int, int, float]],
    *,
    max_total: float,
    threshold: float,
    application_ids: list[int] | None = None,
) -> dict[int, Aggregate]:
    """reviews: (application id, reviewer id, total) of submitted reviews. Returns application id -> Aggregate.

    `application_ids` adds applications without any submitted review (count 0, no scores)."""
    result: dict[int, Aggregate] = {}
    for app_id in application_ids or []:
        result[app_id] = Aggregate(application_id=app_id)
    for (app_id, _reviewer, total), norm in zip(reviews, normalise(reviews, max_total), strict=True):
        agg = result.setdefault(app_id, Aggregate(application_id=app_id))
        agg.totals.append(total)
        agg.normalised_totals.append(norm)
    for agg in result.values():
        if not agg.totals:
            continue
        agg.count = len(agg.totals)
        agg.mean = statistics.fmean(agg.totals)
        agg.median = statistics.median(agg.totals)
        agg.trimmed_mean = trimmed_mean(agg.totals)
        agg.normalised = statistics.fmean(agg.normalised_totals)
        agg.spread = max(agg.totals) - min(agg.totals)
        agg.disagreement = agg.spread > threshold
    return result


def _sort_key(agg: Aggregate, method: str):
    score = agg.score(method)
    return (
        score is None,
        -(score or 0.0),
        -(agg.mean or 0.0),
        -(agg.median or 0.0),
        -agg.count,
        agg.application_id,
    )


def rank(aggregates: list[Aggregate], method: str) -> list[Aggregate]:
    """Order by the campaign's chosen score with the tie rule above; equal keys share a rank number.

    Applications without a submitted review come last, unranked."""
    ordered = sorted(aggregates, key=lambda a: _sort_key(a, method))
    previous = None
    for position, agg in enumerate(ordered, start=1):
        if agg.count == 0:
            agg.rank = None
            continue
        key = _sort_key(agg, method)[:5]
        agg.rank = previous[1] if previous and previous[0] == key else position
        previous = (key, agg.rank)
    return ordered


def _round_half_up(x: float) -> int:
    return int(x + 0.5 + 1e-9)


def basic(totals: list[float]) -> dict:
    """count, mean, median, trimmed mean and spread of one application's totals (None scores without any)."""
    if not totals:
        return {"count": 0, "mean": None, "median": None, "trimmed_mean": None, "spread": 0.0}
    return {
        "count": len(totals),
        "mean": statistics.fmean(totals),
        "median": statistics.median(totals),
        "trimmed_mean": trimmed_mean(totals),
        "spread": max(totals) - min(totals),
    }


def z_scores(totals: list[float]) -> list[float]:
    """Each of one reviewer's totals as a z-score among them (0 when they gave one total or all equal)."""
    if not totals:
        return []
    mean, sd = statistics.fmean(totals), statistics.pstdev(totals)
    return [(t - mean) / sd if sd > 0 else 0.0 for t in totals]


def _tier_fields(tier) -> tuple[str, str, float]:
    """(name, by, value) of a tier row (reviews.TierRule) or of the same as a dict (the pure tests)."""
    if isinstance(tier, dict):
        return tier["name"], tier.get("by"), float(tier.get("value", 0))
    return tier.name, tier.by, float(tier.value)


def tier_bounds(n: int, tiers: list, at_least) -> list[tuple[str, int, int]]:
    """(name, start, end) of each tier over the positions 1..n of the ranked applications with a score: a tier
    holds the positions start+1..end. `at_least(value)` is how many of them score at least `value` (the
    ranking is ordered by score, so they are a prefix).

    A tier is a reviews.TierRule row (or a dict with its name, by and value); by is:
      count      the next `value` applications;
      fraction   up to the cumulative share of all ranked applications, rounded half up
                 (thirds of 10 → 3/4/3, of 11 → 4/3/4, of 12 → 4/4/4);
      threshold  every following application whose ranking score is at least `value`.
    Applications left when the list ends get no tier.
    """
    bounds = []
    index = 0
    cumulative_fraction = 0.0
    for tier in tiers:
        name, by, value = _tier_fields(tier)
        if by == "count":
            end = min(n, index + int(value))
        elif by == "fraction":
            cumulative_fraction += value
            end = min(n, max(index, _round_half_up(cumulative_fraction * n)))
        elif by == "threshold":
            end = min(n, max(index, at_least(value)))
        else:
            raise ValueError(f"未知的奖项等级划分方式：{by}")
        bounds.append((name, index, end))
        index = end
    return bounds


def tier_at(position: int | None, bounds: list[tuple[str, int, int]]) -> str:
    if position is None:
        return ""
    return next((name for name, start, end in bounds if start < position <= end), "")


def tiers_assign(ranked: list[Aggregate], tiers: list, method: str) -> None:
    """Walk the ranking in order and give each application the first tier that still has room (tier_bounds)."""
    scored = [a for a in ranked if a.count > 0]

    def at_least(value: float) -> int:
        return sum(1 for a in scored if (a.score(method) or 0.0) >= value)

    bounds = tier_bounds(len(scored), tiers, at_least)
    for position, agg in enumerate(scored, start=1):
        agg.tier = tier_at(position, bounds)


def calibration(reviews: list[tuple[int, int, float]]) -> tuple[dict[int, tuple[float, float, int]], float, float]:
    """Each reviewer's (mean, spread, count) against the panel's mean and spread (population SD)."""
    if not reviews:
        return {}, 0.0, 0.0
    totals = [t for _a, _r, t in reviews]
    return reviewer_stats(reviews), statistics.fmean(totals), statistics.pstdev(totals)


# --- 区县汇总排名: a result rolled up over a grouping (the 淮安 county ranking) -----------------------------

THIRDS = ("优秀", "合格", "整改")


def thirds(n: int) -> tuple[int, int, int]:
    """How many of `n` ranked groups are 优秀 / 合格 / 整改 (前三分之一 / 中间三分之一 / 后三分之一).

    When n is not divisible by 3, the first third ends at n/3 and the second at 2n/3, each rounded half up
    — the same cumulative rounding as a tier by fraction (tier_bounds), so staff see the same split either
    way: 9 → 3/3/3, 10 → 3/4/3, 11 → 4/3/4, 8 → 3/2/3, 7 → 2/3/2, 2 → 1/0/1, 1 → 0/1/0 (a single group is
    合格). Groups with equal totals at a boundary are split by their place in the ranking, not both moved."""
    if n < 0:
        raise ValueError("n 不能为负数。")
    first = (2 * n + 3) // 6  # floor(n/3 + 1/2)
    second = (4 * n + 3) // 6  # floor(2n/3 + 1/2)
    return first, second - first, n - second


@dataclass
class AppPartScores:
    """One application's stored aggregates as the roll-up reads them."""

    group: str
    count: int  # submitted reviews
    mean: float | None
    part_means: dict[str, float]  # part id (text) -> mean of the part's subtotal over its reviews


@dataclass
class GroupScore:
    group: str
    applications: int = 0  # applications in the group
    scored: int = 0  # of which with a submitted review
    parts: dict[str, float] = field(default_factory=dict)  # part id (text) -> the group's figure for the part
    station: float | None = None  # the mean over its applications of what is not scored once per group
    total: float | None = None
    rank: int | None = None
    result: str = ""


def rollup(rows: list[AppPartScores], *, once_parts: list[str], parts: list[str]) -> list[GroupScore]:
    """Roll applications' scores up to their groups and rank the groups, split in thirds (THIRDS).

    A group's total = the mean over its scored applications of (mean − the parts scored once per group)
                    + for each part scored once per group, its mean over all the group's reviews of that part
                      (a review-weighted mean: each reviewer's view of the county counts once).
    Other parts are shown as the mean over the group's applications of their part means. Without parts the
    total is the mean of the applications' means. Groups are ordered by total (higher first), then by more
    scored applications, then by name; equal totals and counts share a rank number."""
    groups: dict[str, GroupScore] = {}
    members: dict[str, list[AppPartScores]] = defaultdict(list)
    for row in rows:
        group = groups.setdefault(row.group, GroupScore(group=row.group))
        group.applications += 1
        if row.count > 0 and row.mean is not None:
            members[row.group].append(row)
    for name, group in groups.items():
        scored = members[name]
        group.scored = len(scored)
        if not scored:
            continue
        group.station = statistics.fmean(r.mean - sum(r.part_means.get(p, 0.0) for p in once_parts) for r in scored)
        reviews = sum(r.count for r in scored)
        for part in parts:
            if part in once_parts:
                group.parts[part] = sum(r.part_means.get(part, 0.0) * r.count for r in scored) / reviews
            else:
                group.parts[part] = statistics.fmean(r.part_means.get(part, 0.0) for r in scored)
        group.total = group.station + sum(group.parts[p] for p in once_parts)
    ranked = sorted(
        groups.values(),
        key=lambda g: (g.total is None, -(g.total or 0.0), -g.scored, g.group),
    )
    scored_groups = [g for g in ranked if g.total is not None]
    sizes = thirds(len(scored_groups))
    previous = None
    for position, group in enumerate(scored_groups, start=1):
        key = (round(group.total, 6), group.scored)
        group.rank = previous[1] if previous and previous[0] == key else position
        previous = (key, group.rank)
        group.result = (
            THIRDS[0] if position <= sizes[0] else THIRDS[1] if position <= sizes[0] + sizes[1] else THIRDS[2]
        )
    return ranked
