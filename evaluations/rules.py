"""Who may do what with the evaluation stages: staff run them; the record's organisation admin (机构负责人)
submits; the stage's evaluators (评估方) score. Anyone else is answered 404 for a record."""

import rules

from accounts.models import Membership
from accounts.rules import add_staff_model_perms, is_reviewer, is_staff_member

from .models import StageEvaluator


def _record(obj):
    """A record, or the record an attachment belongs to."""
    return getattr(obj, "record", obj)


@rules.predicate
def is_record_organisation_admin(user, record):
    record = _record(record)
    if record is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, organisation_id=record.application.organisation_id, role=Membership.Role.ADMIN
    ).exists()


@rules.predicate
def is_stage_evaluator(user, record):
    record = _record(record)
    if record is None or not user.is_authenticated:
        return False
    return StageEvaluator.objects.filter(stage_id=record.stage_id, user=user).exists()


rules.add_perm("evaluations.manage", is_staff_member)
rules.add_perm("evaluations.evaluate", is_reviewer)
rules.add_perm("evaluations.submit_record", is_record_organisation_admin)
rules.add_perm("evaluations.score_record", is_reviewer & is_stage_evaluator)
# The report's files: the same people as the record (the list, the page and the download share one check).
rules.add_perm(
    "evaluations.view_file", is_staff_member | is_record_organisation_admin | (is_reviewer & is_stage_evaluator)
)
add_staff_model_perms(
    "evaluations",
    "stage",
    "stagecriterion",
    "stageevaluator",
    "stagerecord",
    "stageattachment",
    "stagereview",
    "stagescore",
    actions=("view",),
)
