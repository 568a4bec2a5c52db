"""The evaluation stages (evaluations app: 签订协议, 中期评估, 末期评估 …) on the workspace's timeline and in a copy.

Each stage is one phase after 颁奖 with two milestones, its opening and closing time, read from and written to
its own row; the timeline editor checks their order with the campaign's own dates."""

from evaluations.models import Stage
from evaluations.services import stages_copy

from .timeline import EXTRA_PHASES, Milestone, Phase


def _names(stage: Stage) -> tuple[str, str]:
    return f"stage_{stage.pk}_opens_at", f"stage_{stage.pk}_closes_at"


def _stage_phase(stage: Stage) -> Phase:
    opens, closes = _names(stage)

    def load(campaign):
        return {opens: stage.opens_at, closes: stage.closes_at}

    def store(*, campaign, values):
        # Both are required below, so a saved timeline always has them; the row is updated in the caller's
        # transaction (workspace.services), nothing else of the stage changes.
        Stage.objects.filter(pk=stage.pk, campaign=campaign).update(opens_at=values[opens], closes_at=values[closes])

    return Phase(
        key=f"stage_{stage.pk}",
        label=stage.name,
        milestones=(
            Milestone(opens, f"{stage.name}开始时间", required=True, days_after=1),
            Milestone(closes, f"{stage.name}截止时间", required=True, days_after=30),
        ),
        load=load,
        store=store,
    )


def stage_phases(campaign) -> list[Phase]:
    if campaign.pk is None:
        return []
    return [_stage_phase(stage) for stage in Stage.objects.filter(campaign=campaign).order_by("opens_at", "pk")]


if stage_phases not in EXTRA_PHASES:
    EXTRA_PHASES.append(stage_phases)


def evaluation_stages_copy(*, source, target, shift) -> None:
    """评估阶段: each stage with its window moved, its criteria and evaluators (never its records or results)."""
    stages_copy(source=source, target=target, shift=shift)
