"""The stage services: windows on both sides of each boundary, records for the winners, scores, the result."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AuditEvent
from awards.tests.factories import AwardFactory
from cases.models import Application
from evaluations import selectors, services
from evaluations.models import Stage, StageRecord, StageReview
from evaluations.tests.factories import (
    ApplicationFactory,
    StageCriterionFactory,
    StageEvaluatorFactory,
    StageFactory,
    StageRecordFactory,
    jpeg_upload,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_storage):
    return media_storage


def _org_record(cast, stage=None, **kwargs):
    stage = stage or StageFactory(**kwargs)
    application = AwardFactory(
        campaign=stage.campaign,
        application=ApplicationFactory(campaign=stage.campaign, applicant=cast.applicant_a, organisation=cast.org_a),
    ).application
    return StageRecordFactory(stage=stage, application=application)


# --- the window ----------------------------------------------------------------------------------


def test_the_window_is_open_from_its_first_to_its_last_moment():
    stage = StageFactory.build(opens_at=timezone.now(), closes_at=timezone.now() + dt.timedelta(days=1))
    second = dt.timedelta(seconds=1)
    assert not stage.is_open(stage.opens_at - second)
    assert stage.is_open(stage.opens_at) and stage.is_open(stage.closes_at)
    assert not stage.is_open(stage.closes_at + second)
    assert "尚未开始" in stage.window_refusal(stage.opens_at - second)
    assert stage.window_refusal(stage.opens_at) == "" and stage.window_refusal(stage.closes_at) == ""
    assert "截止" in stage.window_refusal(stage.closes_at + second)


def test_the_open_stages_queryset_agrees_with_is_open():
    now = timezone.now()
    inside = StageFactory(opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=1))
    StageFactory(opens_at=now + dt.timedelta(seconds=1), closes_at=now + dt.timedelta(days=1))
    StageFactory(opens_at=now - dt.timedelta(days=2), closes_at=now - dt.timedelta(seconds=1))
    assert list(Stage.objects.open_at(now)) == [inside]


def test_a_report_after_the_deadline_is_refused_with_the_deadline_named(cast):
    record = _org_record(cast)
    after = record.stage.closes_at + dt.timedelta(seconds=1)
    with pytest.raises(ValidationError) as refused:
        services.stage_report_submit(record=record, by=cast.org_admin, report="进展", attachments=[], now=after)
    assert "已于" in refused.value.messages[0] and "截止" in refused.value.messages[0]
    record.refresh_from_db()
    assert record.status == StageRecord.Status.PENDING and record.report == ""


def test_a_report_before_the_window_is_refused(cast):
    record = _org_record(cast)
    before = record.stage.opens_at - dt.timedelta(seconds=1)
    with pytest.raises(ValidationError, match="尚未开始"):
        services.stage_report_submit(record=record, by=cast.org_admin, report="进展", attachments=[], now=before)


def test_a_report_on_the_last_moment_is_taken_with_its_files(cast, django_capture_on_commit_callbacks):
    record = _org_record(cast)
    StageEvaluatorFactory(stage=record.stage, user=cast.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.stage_report_submit(
            record=record,
            by=cast.org_admin,
            report="已完成个案 5 个、小组 2 个、社区活动 6 场。",
            attachments=[pdf_upload(), jpeg_upload("服务照片.jpg")],
            now=record.stage.closes_at,
        )
    record.refresh_from_db()
    assert record.status == StageRecord.Status.SUBMITTED and record.submitted_by == cast.org_admin
    files = list(record.attachments.order_by("id"))
    assert [f.content_type for f in files] == ["application/pdf", "image/jpeg"]
    assert files[0].original_name == "进展报告.pdf" and "进展报告" not in files[0].file.name
    assert [m.to for m in mail.outbox] == [[cast.reviewer.email]]
    assert AuditEvent.objects.filter(object_type="evaluations.stagerecord", object_id=str(record.pk)).exists()


def test_a_file_that_is_not_a_document_or_image_is_refused_and_nothing_is_saved(cast):
    record = _org_record(cast)
    bad = SimpleUploadedFile("报告.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.stage_report_submit(record=record, by=cast.org_admin, report="进展", attachments=[bad])
    assert "报告.pdf" in refused.value.message_dict["attachments"][0]
    record.refresh_from_db()
    assert record.status == StageRecord.Status.PENDING and not record.attachments.exists()


def test_the_contract_is_recorded_with_its_scan_in_the_contract_stage(cast):
    record = _org_record(cast, kind=Stage.Kind.CONTRACT, name="签订协议")
    services.stage_contract_submit(record=record, by=cast.org_admin, signed_on=timezone.localdate(), scan=jpeg_upload())
    record.refresh_from_db()
    assert record.contract_signed_on == timezone.localdate() and record.contract_scan_type == "image/jpeg"
    assert record.contract_scan.name.startswith(f"evaluations/{record.stage_id}/{record.pk}/contract/")


def test_a_contract_signed_in_the_future_is_refused(cast):
    record = _org_record(cast, kind=Stage.Kind.CONTRACT, name="签订协议")
    with pytest.raises(ValidationError) as refused:
        services.stage_contract_submit(
            record=record, by=cast.org_admin, signed_on=timezone.localdate() + dt.timedelta(days=3), scan=pdf_upload()
        )
    assert "signed_on" in refused.value.message_dict


# --- records for the winners ---------------------------------------------------------------------------


def test_an_open_stage_gets_a_record_per_active_award_once(cast, django_capture_on_commit_callbacks):
    stage = StageFactory.build()
    campaign = stage.campaign
    won = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    AwardFactory(campaign=campaign, application=won)
    withdrawn = AwardFactory(campaign=campaign)
    withdrawn.status = withdrawn.Status.WITHDRAWN
    withdrawn.save()
    ApplicationFactory(campaign=campaign)  # accepted, no award
    with django_capture_on_commit_callbacks(execute=True):
        stage = services.stage_create(
            campaign=campaign,
            by=cast.staff,
            kind=Stage.Kind.MIDTERM,
            name="中期评估",
            opens_at=stage.opens_at,
            closes_at=stage.closes_at,
        )
    assert list(stage.records.values_list("application", flat=True)) == [won.pk]
    assert services.stage_records_create(stage=stage) == 0
    assert mail.outbox and mail.outbox[0].to == [cast.org_admin.email] and "中期评估" in mail.outbox[0].subject


def test_a_campaign_without_awards_follows_its_accepted_applications():
    stage = StageFactory()
    accepted = ApplicationFactory(campaign=stage.campaign)
    ApplicationFactory(campaign=stage.campaign, status=Application.Status.SUBMITTED)
    assert list(selectors.stage_winners(campaign=stage.campaign)) == [accepted]


def test_a_future_stage_waits_for_the_periodic_job():
    now = timezone.now()
    stage = StageFactory(opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5))
    AwardFactory(campaign=stage.campaign)
    assert services.stages_open_due(now=now) == 0 and not stage.records.exists()
    assert services.stages_open_due(now=stage.opens_at) == 1 and stage.records.count() == 1
    assert services.stages_open_due(now=stage.opens_at) == 0


# --- scores --------------------------------------------------------------------------------------------


def _scored_setup(cast):
    record = _org_record(cast)
    a = StageCriterionFactory(stage=record.stage, name="服务指标完成情况", max_points=Decimal("60"))
    b = StageCriterionFactory(stage=record.stage, name="项目管理", max_points=Decimal("40"))
    StageEvaluatorFactory(stage=record.stage, user=cast.reviewer)
    services.stage_report_submit(record=record, by=cast.org_admin, report="进展", attachments=[])
    record.refresh_from_db()
    return record, a, b


def test_an_evaluator_saves_a_draft_then_submits_and_cannot_change_it(cast):
    record, a, b = _scored_setup(cast)
    draft = services.stage_review_save(
        record=record, evaluator=cast.reviewer, points={a.pk: Decimal("50")}, opinion="", submit=False
    )
    assert draft.status == StageReview.Status.DRAFT and draft.total == Decimal("50")
    with pytest.raises(ValidationError) as refused:
        services.stage_review_save(
            record=record, evaluator=cast.reviewer, points={a.pk: Decimal("50")}, opinion="", submit=True
        )
    assert set(refused.value.message_dict) == {f"c{b.pk}", "opinion"}
    done = services.stage_review_save(
        record=record,
        evaluator=cast.reviewer,
        points={a.pk: Decimal("50"), b.pk: Decimal("30.5")},
        opinion="服务指标基本完成。",
        submit=True,
    )
    assert done.status == StageReview.Status.SUBMITTED and done.total == Decimal("80.5")
    with pytest.raises(ValidationError, match="已提交"):
        services.stage_review_save(record=record, evaluator=cast.reviewer, points={}, opinion="", submit=False)


def test_points_above_the_maximum_are_refused_beside_the_criterion(cast):
    record, a, _ = _scored_setup(cast)
    with pytest.raises(ValidationError) as refused:
        services.stage_review_save(
            record=record, evaluator=cast.reviewer, points={a.pk: Decimal("61")}, opinion="", submit=False
        )
    assert "0 到 60" in refused.value.message_dict[f"c{a.pk}"][0]


def test_someone_not_evaluating_the_stage_cannot_score(cast):
    record, a, _ = _scored_setup(cast)
    with pytest.raises(ValidationError, match="不是本阶段的评估专家"):
        services.stage_review_save(
            record=record, evaluator=cast.reviewer_unassigned, points={a.pk: 1}, opinion="", submit=False
        )


def test_a_record_without_materials_cannot_be_scored(cast):
    record = _org_record(cast)
    StageEvaluatorFactory(stage=record.stage, user=cast.reviewer)
    with pytest.raises(ValidationError, match="尚未提交材料"):
        services.stage_review_save(record=record, evaluator=cast.reviewer, points={}, opinion="", submit=False)


def test_the_mean_counts_submitted_sheets_only(cast):
    record, a, b = _scored_setup(cast)
    other = StageEvaluatorFactory(stage=record.stage).user
    services.stage_review_save(
        record=record, evaluator=cast.reviewer, points={a.pk: 60, b.pk: 30}, opinion="好", submit=True
    )
    services.stage_review_save(record=record, evaluator=other, points={a.pk: 10, b.pk: 10}, opinion="", submit=False)
    assert selectors.stage_record_mean(record=record) == Decimal("90.0")
    services.stage_review_save(record=record, evaluator=other, points={a.pk: 40, b.pk: 30}, opinion="可", submit=True)
    assert selectors.stage_record_mean(record=record) == Decimal("80.0")


def test_criteria_are_frozen_once_a_sheet_is_submitted(cast):
    record, a, b = _scored_setup(cast)
    services.stage_review_save(
        record=record, evaluator=cast.reviewer, points={a.pk: 1, b.pk: 1}, opinion="可", submit=True
    )
    with pytest.raises(ValidationError, match="不能再修改"):
        services.stage_criterion_add(stage=record.stage, by=cast.staff, name="新指标", max_points=Decimal("10"))


# --- the result ----------------------------------------------------------------------------------------


def test_staff_decide_passed_and_the_organisation_and_applicant_are_told(cast, django_capture_on_commit_callbacks):
    record, _, _ = _scored_setup(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.stage_result_decide(record=record, by=cast.staff, result="passed", note="")
    record.refresh_from_db()
    assert record.status == StageRecord.Status.DECIDED and record.get_result_display() == "合格"
    assert record.decided_by == cast.staff and record.decided_at is not None
    assert sorted(mail.outbox[-1].to) == sorted([cast.org_admin.email, cast.applicant_a.email])
    assert "合格" in mail.outbox[-1].body
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DECISION, object_id=str(record.pk)).exists()


@pytest.mark.parametrize("result", ["rectify", "failed"])
def test_rectify_and_failed_need_a_note(cast, result):
    record, _, _ = _scored_setup(cast)
    with pytest.raises(ValidationError) as refused:
        services.stage_result_decide(record=record, by=cast.staff, result=result, note="  ")
    assert "note" in refused.value.message_dict
    record.refresh_from_db()
    assert record.result == "" and record.status == StageRecord.Status.SUBMITTED


def test_a_result_before_the_organisation_submitted_is_refused(cast):
    record = _org_record(cast)
    with pytest.raises(ValidationError, match="尚未提交材料"):
        services.stage_result_decide(record=record, by=cast.staff, result="passed", note="")


def test_an_unknown_result_is_refused(cast):
    record, _, _ = _scored_setup(cast)
    with pytest.raises(ValidationError):
        services.stage_result_decide(record=record, by=cast.staff, result="excellent", note="")


def test_after_the_result_the_organisation_cannot_change_its_materials(cast):
    record, _, _ = _scored_setup(cast)
    services.stage_result_decide(record=record, by=cast.staff, result="rectify", note="补充经费使用说明。")
    with pytest.raises(ValidationError, match="已评定"):
        services.stage_report_submit(record=record, by=cast.org_admin, report="新的", attachments=[])


# --- hooks ---------------------------------------------------------------------------------------------


def test_stages_copy_moves_the_windows_and_keeps_criteria_and_evaluators(cast):
    record, a, b = _scored_setup(cast)
    source = record.stage.campaign
    target = StageFactory.build().campaign
    shift = dt.timedelta(days=365)
    copied = services.stages_copy(source=source, target=target, shift=shift)
    assert len(copied) == 1
    new = copied[0]
    assert new.campaign == target and new.opens_at == record.stage.opens_at + shift
    assert [(c.name, c.max_points) for c in new.criteria.all()] == [(a.name, a.max_points), (b.name, b.max_points)]
    assert [e.user for e in new.evaluators.all()] == [cast.reviewer]
    assert not new.records.exists()


def test_the_timeline_lists_the_stages_in_order():
    stage = StageFactory(name="末期评估", kind=Stage.Kind.FINAL, position=2)
    first = StageFactory(
        campaign=stage.campaign, name="签订协议", kind=Stage.Kind.CONTRACT, position=1, closes_at=stage.closes_at
    )
    assert selectors.stage_timeline(campaign=stage.campaign) == [
        ("签订协议", first.opens_at, first.closes_at),
        ("末期评估", stage.opens_at, stage.closes_at),
    ]
