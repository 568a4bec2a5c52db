from tests.permission_table import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, row, staff_only


def build(world):
    """A campaign after publicity with org A's case awarded: an open mid-term stage where `reviewer` evaluates and
    org A's admin submitted a report with a PDF; an open contract stage with a signed scan; `reviewer_unassigned`
    and `reviewer_conflicted` evaluate nothing here (the second is an evaluator of another stage only)."""
    from django.core.files.base import ContentFile

    from awards.tests.factories import AwardFactory
    from evaluations.models import Stage, StageAttachment
    from evaluations.tests.factories import (
        ApplicationFactory,
        StageCriterionFactory,
        StageEvaluatorFactory,
        StageFactory,
        StageRecordFactory,
    )

    cast = world.cast
    world.eval_stage = StageFactory()
    campaign = world.eval_stage.campaign
    app_a = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    AwardFactory(campaign=campaign, application=app_a, confirmed_by=cast.staff)
    world.eval_record = StageRecordFactory(
        stage=world.eval_stage, application=app_a, status="submitted", report="已完成个案 5 个。"
    )
    world.eval_criterion = StageCriterionFactory(stage=world.eval_stage, name="服务指标完成情况")
    StageEvaluatorFactory(stage=world.eval_stage, user=cast.reviewer)
    world.eval_evaluator_removable = StageEvaluatorFactory(stage=world.eval_stage)
    attachment = StageAttachment(
        record=world.eval_record, original_name="进展报告.pdf", content_type="application/pdf", size=20
    )
    attachment.file.save("r.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    world.eval_attachment = attachment

    contract_stage = StageFactory(campaign=campaign, kind=Stage.Kind.CONTRACT, name="签订协议")
    StageEvaluatorFactory(stage=contract_stage, user=cast.reviewer)
    world.eval_contract = StageRecordFactory(stage=contract_stage, application=app_a, status="submitted")
    world.eval_contract.contract_scan.save("c.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    world.eval_contract.contract_scan_type = "application/pdf"
    world.eval_contract.save()
    other_stage = StageFactory(campaign=campaign, name="末期评估", kind=Stage.Kind.FINAL)
    StageEvaluatorFactory(stage=other_stage, user=cast.reviewer_conflicted)


def _stage(w):
    return {"pk": w.eval_stage.pk}


def _record(w):
    return {"pk": w.eval_record.pk}


def _post_staff(kwargs, data=None, **kw):
    return staff_only(ok=REDIRECT, method="post", kwargs=kwargs, data=data, **kw)


# Object pages: the record answers 404 to anyone who is not its organisation's admin / its stage's evaluator.
HIDDEN = dict(applicant_a=NOT_FOUND, applicant_b=NOT_FOUND)

ROWS = {
    # Organisation admin
    "evaluations:record": row(
        anonymous=LOGIN, **HIDDEN, org_admin=OK, reviewer=NOT_FOUND, staff=NOT_FOUND, kwargs=_record
    ),
    "evaluations:attachment": row(
        anonymous=LOGIN, **HIDDEN, org_admin=OK, reviewer=OK, staff=OK, kwargs=lambda w: {"pk": w.eval_attachment.pk}
    ),
    "evaluations:contract": row(
        anonymous=LOGIN, **HIDDEN, org_admin=OK, reviewer=OK, staff=OK, kwargs=lambda w: {"pk": w.eval_contract.pk}
    ),
    # The admin deletes it; by the staff's turn it is gone (404 either way).
    "evaluations:attachment_delete": row(
        anonymous=LOGIN,
        **HIDDEN,
        org_admin=REDIRECT,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        method="post",
        kwargs=lambda w: {"pk": w.eval_attachment.pk},
    ),
    # Evaluator
    "evaluations:queue": row(
        anonymous=LOGIN,
        applicant_a=FORBIDDEN,
        applicant_b=FORBIDDEN,
        org_admin=FORBIDDEN,
        reviewer=OK,
        staff=FORBIDDEN,
    ),
    "evaluations:score": row(
        anonymous=LOGIN, **HIDDEN, org_admin=NOT_FOUND, reviewer=OK, staff=NOT_FOUND, kwargs=_record
    ),
    # Staff
    "evaluations:manage": staff_only(),
    "evaluations:stage_list": staff_only(kwargs=lambda w: {"slug": w.eval_stage.campaign.slug}),
    "evaluations:stage_detail": staff_only(kwargs=_stage),
    "evaluations:criterion_add": _post_staff(_stage, lambda w: {"name": "项目管理", "max_points": "20"}),
    # Staff delete it first: the superuser, next, finds nothing.
    "evaluations:criterion_delete": _post_staff(lambda w: {"pk": w.eval_criterion.pk}, superuser=NOT_FOUND),
    "evaluations:evaluator_add": _post_staff(_stage, lambda w: {"user": w.cast.reviewer_unassigned.pk}),
    "evaluations:evaluator_remove": _post_staff(lambda w: {"pk": w.eval_evaluator_removable.pk}, superuser=NOT_FOUND),
    "evaluations:records_create": _post_staff(_stage),
    "evaluations:record_manage": staff_only(kwargs=_record),
}
