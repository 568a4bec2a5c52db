"""时间安排: a campaign's phases in order, each with its milestones (dates), their defaults and their order rules.

Every milestone must come after the one before it that is set; a message names the earlier one beside the later
field. A stage another app adds to a campaign (contract, mid-term and end-term evaluations …) joins the timeline
through EXTRA_PHASES: a function of the campaign returning Phase objects with their own load and store.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass(frozen=True)
class Milestone:
    name: str  # the form field; the Campaign attribute for the built-in phases
    label: str  # how messages name it: "申报截止时间"
    required: bool = False
    date_only: bool = False
    days_after: int = 1  # the default: this many days after the previous milestone …
    at: dt.time = dt.time(9, 0)  # … at this time of day (Asia/Shanghai)
    # A moment something happens (发文, 颁奖) rather than the end of a period: before it the campaign waits for it.
    is_event: bool = False


@dataclass(frozen=True)
class Phase:
    key: str
    label: str
    milestones: tuple[Milestone, ...]
    # Built-in phases read and set Campaign attributes. An added stage reads its own rows (load(campaign) -> {name:
    # value}) and writes them (store(campaign=, values=)) after the campaign is saved, in the same transaction.
    load: Callable | None = None
    store: Callable | None = None
    after: str = ""  # an added stage goes after the phase with this key (at the end when empty)


PHASES: tuple[Phase, ...] = (
    Phase(
        "announce",
        "发文启动",
        (Milestone("announced_on", "发文启动日期", date_only=True, days_after=0, is_event=True),),
    ),
    Phase(
        "submission",
        "组织申报",
        (
            Milestone("submission_opens_at", "申报开始时间", required=True, days_after=0),
            Milestone("submission_closes_at", "申报截止时间", required=True, days_after=30, at=dt.time(17, 0)),
        ),
    ),
    Phase(
        "recommendation",
        "单位推荐",
        (Milestone("recommendation_closes_at", "单位推荐截止时间", days_after=5, at=dt.time(17, 0)),),
    ),
    Phase(
        "formal_check",
        "形式审查",
        (Milestone("formal_check_closes_at", "形式审查截止时间", days_after=5, at=dt.time(17, 0)),),
    ),
    Phase(
        "review",
        "专家评审",
        (
            Milestone("review_opens_at", "专家评审开始时间", required=True, days_after=1),
            Milestone("review_closes_at", "专家评审截止时间", required=True, days_after=14, at=dt.time(17, 0)),
        ),
    ),
    Phase(
        "publicity",
        "结果公示",
        (
            Milestone("publicity_starts_at", "公示开始时间", required=True, days_after=3),
            Milestone("publicity_ends_at", "公示结束时间", required=True, days_after=7, at=dt.time(17, 0)),
        ),
    ),
    Phase("ceremony", "颁奖", (Milestone("ceremony_at", "颁奖时间", days_after=7, at=dt.time(14, 0), is_event=True),)),
)

# The hook for stages other apps add: each entry is called with the campaign and returns its Phase objects.
EXTRA_PHASES: list[Callable[..., Iterable[Phase]]] = []


def timeline_phases(*, campaign) -> list[Phase]:
    phases = list(PHASES)
    for provider in EXTRA_PHASES:
        for phase in provider(campaign):
            keys = [p.key for p in phases]
            phases.insert(keys.index(phase.after) + 1 if phase.after in keys else len(phases), phase)
    return phases


def milestones(phases: Iterable[Phase]) -> list[Milestone]:
    return [m for phase in phases for m in phase.milestones]


def timeline_values(*, campaign, phases: Iterable[Phase]) -> dict:
    """The saved value of every milestone (None when unset)."""
    values = {}
    for phase in phases:
        if phase.load is not None:
            loaded = phase.load(campaign)
            values.update({m.name: loaded.get(m.name) for m in phase.milestones})
        else:
            values.update({m.name: getattr(campaign, m.name, None) for m in phase.milestones})
    return values


def _local_date(value) -> dt.date:
    return value if not isinstance(value, dt.datetime) else timezone.localtime(value).date()


def _default_from(previous, milestone: Milestone):
    day = _local_date(previous) + dt.timedelta(days=milestone.days_after)
    if milestone.date_only:
        return day
    return timezone.make_aware(dt.datetime.combine(day, milestone.at))


def _before(value, later) -> bool:
    if isinstance(value, dt.datetime) and isinstance(later, dt.datetime):
        return value < later
    return _local_date(value) <= _local_date(later)


def timeline_defaults(*, steps: list[Milestone], values: dict) -> dict:
    """A suggested value for every unset milestone, from the milestone before it (set or suggested): review opens
    the day after recommendation closes, and so on; an optional one whose suggestion would not come before the next
    set date gets none. Unset milestones before the first set one take its date."""
    defaults = {}
    previous = None
    for index, milestone in enumerate(steps):
        value = values.get(milestone.name)
        if value is None and previous is not None:
            suggestion = _default_from(previous, milestone)
            later = next((values[m.name] for m in steps[index + 1 :] if values.get(m.name) is not None), None)
            # An optional phase squeezed between two set dates gets no suggestion that would break their order.
            if milestone.required or later is None or _before(suggestion, later):
                value = defaults[milestone.name] = suggestion
        if value is not None:
            previous = value
    first_set = next((values[m.name] for m in steps if values.get(m.name) is not None), None)
    for milestone in steps:
        if values.get(milestone.name) is not None or first_set is None:
            break
        day = _local_date(first_set)
        defaults[milestone.name] = (
            day if milestone.date_only else timezone.make_aware(dt.datetime.combine(day, milestone.at))
        )
    return defaults


def _moment(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time(0, 0)))


def timeline_phase_label(*, phases: Iterable[Phase], values: dict, now) -> str:
    """Where the campaign stands on its own timeline, for staff: the phase whose next set date is still ahead
    ("单位推荐" until its deadline, "形式审查" until its own), or "待<phase>" between a finished phase and one that
    has not begun (the gap before 结果公示 is not "申报已截止"). "尚未开始" before the first date, "已结束" after
    the last."""
    steps = [
        (phase, index, milestone, _moment(values[milestone.name]))
        for phase in phases
        for index, milestone in enumerate(phase.milestones)
        if values.get(milestone.name) is not None
    ]
    if not steps or now < steps[0][3]:
        return "尚未开始"

    def starts(phase, index):
        return index == 0 and len(phase.milestones) > 1

    # A phase has begun at its start minute and not ended at its end minute (as Campaign.phase counts them).
    upcoming = next((s for s in steps if s[3] > now or (s[3] == now and not starts(s[0], s[1]))), None)
    if upcoming is None:
        return "已结束"
    phase, index, milestone, _ = upcoming
    if milestone.is_event or starts(phase, index):
        return f"待{phase.label}"
    return phase.label


def moment_format(value) -> str:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def timeline_errors(*, steps: list[Milestone], values: dict) -> dict[str, str]:
    """Field name -> message, for every milestone that is required and empty or not after the set milestone before
    it. The message names the earlier milestone and its value, so it can stand beside the later field."""
    errors = {}
    previous: tuple[Milestone, object] | None = None
    for milestone in steps:
        value = values.get(milestone.name)
        if value is None:
            if milestone.required:
                errors[milestone.name] = f"请填写{milestone.label}。"
            continue
        if previous is not None:
            before, before_value = previous
            if milestone.date_only or before.date_only:
                if _local_date(value) < _local_date(before_value):
                    errors[milestone.name] = (
                        f"{milestone.label}不得早于{before.label}（{moment_format(before_value)}）。"
                    )
            elif value <= before_value:
                errors[milestone.name] = f"{milestone.label}须晚于{before.label}（{moment_format(before_value)}）。"
        previous = (milestone, value)
    return errors


@dataclass
class Bar:
    """One phase drawn on the timeline: offsets in percent of the whole span."""

    phase: Phase
    start: object
    end: object
    left: float = 0
    width: float = 0
    is_suggested: bool = False
    rows: list = field(default_factory=list)


def timeline_bars(*, phases: list[Phase], values: dict, defaults: dict, now) -> tuple[list[Bar], float | None]:
    """The bars of the horizontal timeline and where today falls on it (percent, None when outside)."""

    def moment(value, end=False):
        if isinstance(value, dt.datetime):
            return value
        return timezone.make_aware(dt.datetime.combine(value, dt.time(23, 59) if end else dt.time(0, 0)))

    bars = []
    for phase in phases:
        points = [(values.get(m.name) or defaults.get(m.name)) for m in phase.milestones]
        points = [p for p in points if p is not None]
        if not points:
            continue
        suggested = any(values.get(m.name) is None for m in phase.milestones)
        bars.append(Bar(phase=phase, start=moment(points[0]), end=moment(points[-1], end=True), is_suggested=suggested))
    if not bars:
        return [], None
    first = min(b.start for b in bars)
    last = max(b.end for b in bars)
    span = max((last - first).total_seconds(), 1)
    for bar in bars:
        bar.left = round((bar.start - first).total_seconds() / span * 100, 2)
        bar.width = max(round((bar.end - bar.start).total_seconds() / span * 100, 2), 1.5)
        bar.left = min(bar.left, 100 - bar.width)
    today = round((now - first).total_seconds() / span * 100, 2) if first <= now <= last else None
    return bars, today
