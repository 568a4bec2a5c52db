"""Every write of the evaluation stages, with its side effects: audit events and e-mails (queued on commit).

Staff add stages, criteria and evaluators; when a stage opens the campaign's winners get a record each; the
organisation admin submits the contract or the progress report inside the window; evaluators score; staff decide
合格 / 整改 / 不合格 and the organisation is told."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, Membership, User
from cases.models import Campaign
from cases.uploads import clean_attachment, clean_photo
from notifications.email import email_send

from .models import Stage, StageAttachment, StageCriterion, StageEvaluator, StageRecord, StageReview, StageScore

UPLOAD_MAX_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10
STAGE_FIELDS = ("kind", "name", "position", "opens_at", "closes_at", "instructions")


# --------------------------------------------------------------------------- stages (staff)


def stage_create(*, campaign: Campaign, by: User, request=None, now=None, **fields) -> Stage:
    """Add a stage to a campaign; a stage that is already open gets its records at once. Audited."""
    with transaction.atomic():
        stage = Stage(campaign=campaign, **{k: fields[k] for k in STAGE_FIELDS if k in fields})
        stage.full_clean()
        stage.save()
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=stage, detail=f"新增评估阶段：{stage.name}"
        )
        if stage.is_open(now or timezone.now()):
            stage_records_create(stage=stage)
    return stage


def stage_update(*, stage: Stage, by: User, request=None, now=None, **fields) -> Stage:
    """Change a stage's name, kind, order, window or instructions. Audited."""
    with transaction.atomic():
        for key in STAGE_FIELDS:
            if key in fields:
                setattr(stage, key, fields[key])
        stage.full_clean()
        stage.save()
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=stage, detail=f"修改评估阶段：{stage.name}"
        )
        if stage.records_created_at is None and stage.is_open(now or timezone.now()):
            stage_records_create(stage=stage)
    return stage


def stage_criterion_add(*, stage: Stage, by: User, name: str, max_points: Decimal, request=None) -> StageCriterion:
    """Add a criterion at the end of the stage's list; refused once a sheet is submitted (the totals would
    no longer compare)."""
    _criteria_editable(stage)
    with transaction.atomic():
        last = stage.criteria.order_by("-position").values_list("position", flat=True).first() or 0
        criterion = StageCriterion(stage=stage, name=name.strip(), max_points=max_points, position=last + 1)
        criterion.full_clean()
        criterion.save()
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=criterion, detail=f"新增评估指标：{criterion}"
        )
    return criterion


def stage_criterion_delete(*, criterion: StageCriterion, by: User, request=None) -> None:
    _criteria_editable(criterion.stage)
    with transaction.atomic():
        StageScore.objects.filter(criterion=criterion).delete()  # draft points only: submitted sheets refuse
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=criterion, detail=f"删除评估指标：{criterion}"
        )
        criterion.delete()


def _criteria_editable(stage: Stage) -> None:
    if StageReview.objects.filter(record__stage=stage, status=StageReview.Status.SUBMITTED).exists():
        raise ValidationError("已有评估专家提交评分，评估指标不能再修改。")


def stage_evaluator_add(*, stage: Stage, by: User, user: User, organisation: str = "", request=None) -> StageEvaluator:
    """Make a reviewer an evaluator (评估方) of the stage; the organisation defaults to their profile's 工作单位.
    The evaluator is told by e-mail."""
    if not user.is_reviewer or not user.is_active:
        raise ValidationError("只能从评审专家库中选择评估专家。")
    if StageEvaluator.objects.filter(stage=stage, user=user).exists():
        raise ValidationError(f"{user.name} 已是本阶段的评估专家。")
    if not organisation.strip():
        profile = getattr(user, "reviewer_profile", None)
        organisation = profile.organisation if profile is not None else ""
    with transaction.atomic():
        evaluator = StageEvaluator.objects.create(stage=stage, user=user, organisation=organisation.strip())
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=evaluator, detail=f"指定评估专家：{evaluator}"
        )
        email_send(
            to=[user.email],
            subject=f"评估任务：{stage.campaign.title}·{stage.name}",
            template="evaluations/email/evaluator_added.txt",
            context={"stage": stage, "evaluator": evaluator},
        )
    return evaluator


def stage_evaluator_remove(*, evaluator: StageEvaluator, by: User, request=None) -> None:
    """Take an evaluator off the stage; refused once they submitted a sheet (it counts in the mean)."""
    if StageReview.objects.filter(
        record__stage=evaluator.stage_id, evaluator=evaluator.user_id, status=StageReview.Status.SUBMITTED
    ).exists():
        raise ValidationError(f"{evaluator.user.name} 已提交评分，不能移除。")
    with transaction.atomic():
        StageReview.objects.filter(record__stage=evaluator.stage_id, evaluator=evaluator.user_id).delete()
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=evaluator, detail=f"移除评估专家：{evaluator}"
        )
        evaluator.delete()


def stage_records_create(*, stage: Stage) -> int:
    """Give each winner of the campaign (selectors.stage_winners) a record in the stage, once; safe to run twice.
    The organisation admins are told what to submit and by when. Returns how many records were made."""
    from .selectors import stage_winners

    with transaction.atomic():
        stage = Stage.objects.select_for_update().get(pk=stage.pk)
        have = set(StageRecord.objects.filter(stage=stage).values_list("application_id", flat=True))
        winners = list(stage_winners(campaign=stage.campaign).exclude(pk__in=have).select_related("organisation"))
        StageRecord.objects.bulk_create([StageRecord(stage=stage, application=a) for a in winners])
        if stage.records_created_at is None:
            stage.records_created_at = timezone.now()
            stage.save(update_fields=["records_created_at"])
        admins = _organisation_admin_emails({a.organisation_id for a in winners})
        for application in winners:
            to = admins.get(application.organisation_id, [])
            if to:
                email_send(
                    to=to,
                    subject=f"请提交{stage.name}材料：{application.title}",
                    template="evaluations/email/stage_opened.txt",
                    context={"stage": stage, "application": application},
                )
    return len(winners)


def stages_open_due(*, now=None) -> int:
    """Create the records of every stage that has opened and has none yet (the periodic job). Returns the
    number of stages handled."""
    now = now or timezone.now()
    due = list(Stage.objects.filter(records_created_at__isnull=True, opens_at__lte=now, closes_at__gte=now))
    for stage in due:
        stage_records_create(stage=stage)
    return len(due)


def _organisation_admin_emails(org_ids) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for org_id, email in Membership.objects.filter(
        organisation_id__in=org_ids, role=Membership.Role.ADMIN, user__is_active=True
    ).values_list("organisation_id", "user__email"):
        found.setdefault(org_id, []).append(email)
    return found


# --------------------------------------------------------------------------- the organisation's submission


def stage_upload_clean(upload) -> tuple[object, str]:
    """(content under a random name, content type) for a PDF, DOC, DOCX, JPEG or PNG judged by its content,
    with the case submission's own checks (cases.uploads); an image is re-encoded without its metadata."""
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG"):
        content = clean_photo(upload, min_bytes=1, max_bytes=UPLOAD_MAX_BYTES)
        extension = content.name.rsplit(".", 1)[-1]
        if extension not in ("jpg", "png"):
            raise ValidationError("图片只能是 JPEG 或 PNG。")
        return content, "image/jpeg" if extension == "jpg" else "image/png"
    try:
        return clean_attachment(upload, max_bytes=UPLOAD_MAX_BYTES)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "bad_type":
            raise ValidationError(
                "文件只能是 PDF、DOC、DOCX、JPEG 或 PNG（按文件内容判断，与扩展名无关）。", code="bad_type"
            ) from None
        raise


def _window_check(record: StageRecord, now) -> None:
    refusal = record.stage.window_refusal(now)
    if refusal:
        raise ValidationError(refusal, code="window")
    if record.status == StageRecord.Status.DECIDED:
        raise ValidationError("本阶段已评定结果，材料不能再修改。", code="decided")


def stage_contract_submit(
    *, record: StageRecord, by: User, signed_on: dt.date, scan, request=None, now=None
) -> StageRecord:
    """签订协议: the organisation admin records the signing date and uploads the signed contract's scan, inside
    the stage's window. The evaluators and staff see it at once. Audited."""
    now = now or timezone.now()
    if not record.stage.is_contract:
        raise ValidationError("本阶段不是签订协议阶段。")
    _window_check(record, now)
    if signed_on is None:
        raise ValidationError({"signed_on": "请填写协议签订日期。"})
    if signed_on > timezone.localdate(now):
        raise ValidationError({"signed_on": "协议签订日期不能晚于今天。"})
    if scan is None and not record.contract_scan:
        raise ValidationError({"scan": "请上传签订后的协议扫描件。"})
    content, content_type = stage_upload_clean(scan) if scan is not None else (None, "")
    with transaction.atomic():
        record = StageRecord.objects.select_for_update().select_related("stage").get(pk=record.pk)
        _window_check(record, now)
        record.contract_signed_on = signed_on
        if content is not None:
            record.contract_scan.save(content.name, content, save=False)
            record.contract_scan_type = content_type
        record.status = StageRecord.Status.SUBMITTED
        record.submitted_by, record.submitted_at = by, now
        record.save()
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=record, detail=f"提交协议：签订于 {signed_on}"
        )
    return record


def stage_report_submit(
    *, record: StageRecord, by: User, report: str, attachments: list, request=None, now=None
) -> StageRecord:
    """中期 / 末期评估: the organisation admin submits (or, inside the window, replaces) the progress report and
    adds attachments. The stage's evaluators are told by e-mail the first time. Audited."""
    now = now or timezone.now()
    if record.stage.is_contract:
        raise ValidationError("签订协议阶段请上传协议扫描件。")
    _window_check(record, now)
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": "请填写项目进展报告。"})
    if record.attachments.count() + len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": f"附件最多 {MAX_ATTACHMENTS} 个。"})
    cleaned, errors = [], []
    for upload in attachments:
        try:
            content, content_type = stage_upload_clean(upload)
            cleaned.append((content, upload.name[:200], content_type))
        except ValidationError as exc:
            errors.extend(f"{upload.name}：{m}" for m in exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    with transaction.atomic():
        record = StageRecord.objects.select_for_update().select_related("stage", "application").get(pk=record.pk)
        _window_check(record, now)
        first = record.submitted_at is None
        record.report = report
        record.status = StageRecord.Status.SUBMITTED
        record.submitted_by, record.submitted_at = by, now
        record.save()
        for content, name, content_type in cleaned:
            attachment = StageAttachment(
                record=record, original_name=name, content_type=content_type, size=content.size
            )
            attachment.file.save(content.name, content, save=False)
            attachment.save()
        audit_record(
            kind=AuditEvent.Kind.OTHER,
            request=request,
            user=by,
            obj=record,
            detail=f"提交{record.stage.name}材料（附件 {len(cleaned)} 个）",
        )
        if first:
            to = list(StageEvaluator.objects.filter(stage=record.stage_id).values_list("user__email", flat=True))
            if to:
                email_send(
                    to=to,
                    subject=f"待评估：{record.application.title}（{record.stage.name}）",
                    template="evaluations/email/report_submitted.txt",
                    context={"record": record},
                )
    return record


def stage_attachment_delete(*, attachment: StageAttachment, by: User, request=None, now=None) -> None:
    record = attachment.record
    _window_check(record, now or timezone.now())
    with transaction.atomic():
        audit_record(kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=record, detail=f"删除附件：{attachment}")
        attachment.file.delete(save=False)
        attachment.delete()


# --------------------------------------------------------------------------- the evaluators' scores


def _points(raw, criterion: StageCriterion) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({f"c{criterion.pk}": f"“{criterion.name}”的得分必须是数字。"}) from None
    if value < 0 or value > criterion.max_points:
        raise ValidationError({f"c{criterion.pk}": f"“{criterion.name}”的得分应在 0 到 {criterion.max_points} 之间。"})
    return value


def stage_review_save(
    *, record: StageRecord, evaluator: User, points: dict, opinion: str, submit: bool, request=None
) -> StageReview:
    """Save the evaluator's sheet as a draft, or submit it (every criterion scored and an opinion written).
    A submitted sheet is final; the record must have the organisation's materials. Submitting is audited."""
    if not StageEvaluator.objects.filter(stage=record.stage_id, user=evaluator).exists():
        raise ValidationError("您不是本阶段的评估专家。")
    if record.status == StageRecord.Status.PENDING:
        raise ValidationError("机构尚未提交材料，暂不能评分。")
    if record.status == StageRecord.Status.DECIDED:
        raise ValidationError("本记录已评定结果，不能再评分。")
    criteria = list(record.stage.criteria.all())
    values, errors = {}, {}
    for criterion in criteria:
        try:
            values[criterion.pk] = _points(points.get(criterion.pk), criterion)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if submit:
        for criterion in criteria:
            if values.get(criterion.pk) is None and f"c{criterion.pk}" not in errors:
                errors[f"c{criterion.pk}"] = [f"请为“{criterion.name}”打分。"]
        if not (opinion or "").strip():
            errors["opinion"] = ["请填写评估意见。"]
        if not criteria:
            errors["__all__"] = ["本阶段尚未设置评估指标，请联系民政局。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review, _ = StageReview.objects.select_for_update().get_or_create(record=record, evaluator=evaluator)
        if review.status == StageReview.Status.SUBMITTED:
            raise ValidationError("评分已提交，不能再修改。")
        StageScore.objects.filter(review=review).delete()
        StageScore.objects.bulk_create(
            [StageScore(review=review, criterion_id=pk, points=v) for pk, v in values.items() if v is not None]
        )
        review.opinion = (opinion or "").strip()
        review.total = sum((v for v in values.values() if v is not None), Decimal("0"))
        if submit:
            review.status = StageReview.Status.SUBMITTED
            review.submitted_at = timezone.now()
        review.save()
        if submit:
            audit_record(
                kind=AuditEvent.Kind.REVIEW_SUBMIT,
                request=request,
                user=evaluator,
                obj=record,
                detail=f"提交{record.stage.name}评分：{review.total}",
            )
    return review


# --------------------------------------------------------------------------- the result


NOTE_REQUIRED = (StageRecord.Result.RECTIFY, StageRecord.Result.FAILED)


def stage_result_decide(*, record: StageRecord, by: User, result: str, note: str, request=None) -> StageRecord:
    """Staff decide the record's result (合格 / 整改 / 不合格) with a note — required for 整改 and 不合格, which
    must say what to put right or why. Only after the organisation submitted; a decided result may be changed
    (audited again). The organisation admins and the applicant are told by e-mail."""
    valid = {StageRecord.Result.PASSED, StageRecord.Result.RECTIFY, StageRecord.Result.FAILED}
    if result not in valid:
        raise ValidationError({"result": "请选择评估结果：合格、整改或不合格。"})
    note = (note or "").strip()
    if result in NOTE_REQUIRED and not note:
        raise ValidationError({"note": "评定为整改或不合格时，请写明评定意见（需整改的内容或不合格的理由）。"})
    with transaction.atomic():
        record = (
            StageRecord.objects.select_for_update()
            .select_related("stage", "stage__campaign", "application", "application__applicant")
            .get(pk=record.pk)
        )
        if record.status == StageRecord.Status.PENDING:
            raise ValidationError("机构尚未提交材料，不能评定结果。")
        record.result, record.result_note = result, note
        record.status = StageRecord.Status.DECIDED
        record.decided_by, record.decided_at = by, timezone.now()
        record.save()
        audit_record(
            kind=AuditEvent.Kind.DECISION,
            request=request,
            user=by,
            obj=record,
            detail=f"{record.stage.name}评定：{record.get_result_display()}",
        )
        to = _organisation_admin_emails({record.application.organisation_id}).get(
            record.application.organisation_id, []
        )
        to = sorted(set(to) | {record.application.applicant.email})
        email_send(
            to=to,
            subject=f"{record.stage.name}结果：{record.application.title}",
            template="evaluations/email/result.txt",
            context={"record": record},
        )
    return record


# --------------------------------------------------------------------------- hooks for the campaign copier


def stages_copy(*, source: Campaign, target: Campaign, shift: dt.timedelta) -> list[Stage]:
    """Copy the source campaign's stages to the target, windows moved by `shift`, with their criteria and
    evaluators (who stay reviewers of the pool); records, scores and results are the source's own and stay."""
    copied = []
    with transaction.atomic():
        for stage in Stage.objects.filter(campaign=source).prefetch_related("criteria", "evaluators"):
            new = Stage.objects.create(
                campaign=target,
                kind=stage.kind,
                name=stage.name,
                position=stage.position,
                opens_at=stage.opens_at + shift,
                closes_at=stage.closes_at + shift,
                instructions=stage.instructions,
            )
            StageCriterion.objects.bulk_create(
                [
                    StageCriterion(stage=new, name=c.name, max_points=c.max_points, position=c.position)
                    for c in stage.criteria.all()
                ]
            )
            StageEvaluator.objects.bulk_create(
                [
                    StageEvaluator(stage=new, user_id=e.user_id, organisation=e.organisation)
                    for e in stage.evaluators.all()
                ]
            )
            copied.append(new)
    return copied
