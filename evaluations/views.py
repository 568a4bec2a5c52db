"""Staff run the stages; the organisation admin submits; evaluators score. Views parse input, call one service
or selector, and render; every file goes through a permission check (no /media/ route)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import permission_required
from cases.models import Campaign

from . import selectors, services
from .forms import ContractForm, CriterionForm, DecideForm, EvaluatorForm, ReportForm, ScoreForm, StageForm
from .forms import add_service_errors as _errors
from .models import Stage, StageAttachment, StageCriterion, StageEvaluator, StageRecord, StageReview

PAGE_SIZE = 50


def _staff(get_object=None):
    """Staff pages: 403 for anyone else (checked first), then the object (404 when missing)."""

    def decorator(view):
        inner = permission_required("evaluations.manage", get_object=get_object)(view) if get_object else view
        return permission_required("evaluations.manage")(inner)

    return decorator


def _campaign(request, slug, **_):
    return get_object_or_404(Campaign, slug=slug)


def _stage(request, pk, **_):
    return get_object_or_404(Stage.objects.select_related("campaign"), pk=pk)


def _record(request, pk, **_):
    try:
        return selectors.stage_record_for_page(pk=pk)
    except StageRecord.DoesNotExist:
        raise Http404("未找到该评估记录。") from None


def _page(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page_obj": page, "is_paginated": page.has_other_pages()}


# ------------------------------------------------------------------------------------ staff


@_staff()
def manage_view(request):
    """项目评估: the campaigns and how many stages each has."""
    return render(request, "evaluations/manage.html", {"campaigns": selectors.campaigns_for_stage_management()})


@_staff(_campaign)
def stage_list_view(request, slug, obj):
    """A campaign's stages, with the form that adds one."""
    form = StageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.stage_create(campaign=obj, by=request.user, request=request, **form.cleaned_data)
            messages.success(request, f"已新增评估阶段“{stage.name}”。")
            return redirect("evaluations:stage_detail", pk=stage.pk)
        except ValidationError as exc:
            _errors(form, exc)
    return render(
        request,
        "evaluations/stage_list.html",
        {"campaign": obj, "stages": selectors.stages_for_campaign(campaign=obj), "form": form},
    )


@_staff(_stage)
def stage_detail_view(request, pk, obj):
    """One stage: its records with the mean score and result, criteria, evaluators and the edit form."""
    stage = obj
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_update(stage=stage, by=request.user, request=request, **form.cleaned_data)
            messages.success(request, "评估阶段已保存。")
            return redirect("evaluations:stage_detail", pk=stage.pk)
        except ValidationError as exc:
            _errors(form, exc)
    context = {
        "stage": stage,
        "campaign": stage.campaign,
        "form": form,
        "criteria": list(stage.criteria.all()),
        "evaluators": list(selectors.stage_evaluators(stage=stage)),
        "criterion_form": CriterionForm(),
        "evaluator_form": EvaluatorForm(),
        "is_open": stage.is_open(timezone.now()),
        **_page(request, selectors.stage_records_for_staff(stage=stage)),
    }
    return render(request, "evaluations/stage_detail.html", context)


def _post_back(request, stage, action, success):
    try:
        action()
        messages.success(request, success)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("evaluations:stage_detail", pk=stage.pk)


@require_POST
@_staff(_stage)
def criterion_add_view(request, pk, obj):
    form = CriterionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}：{error}" if field in form.fields else error)
        return redirect("evaluations:stage_detail", pk=obj.pk)
    return _post_back(
        request,
        obj,
        lambda: services.stage_criterion_add(stage=obj, by=request.user, request=request, **form.cleaned_data),
        "已新增评估指标。",
    )


@require_POST
@_staff(lambda request, pk: get_object_or_404(StageCriterion.objects.select_related("stage"), pk=pk))
def criterion_delete_view(request, pk, obj):
    return _post_back(
        request,
        obj.stage,
        lambda: services.stage_criterion_delete(criterion=obj, by=request.user, request=request),
        "已删除评估指标。",
    )


@require_POST
@_staff(_stage)
def evaluator_add_view(request, pk, obj):
    form = EvaluatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请从评审专家库中选择评估专家。")
        return redirect("evaluations:stage_detail", pk=obj.pk)
    return _post_back(
        request,
        obj,
        lambda: services.stage_evaluator_add(stage=obj, by=request.user, request=request, **form.cleaned_data),
        "已指定评估专家，并已发邮件通知。",
    )


@require_POST
@_staff(lambda request, pk: get_object_or_404(StageEvaluator.objects.select_related("stage", "user"), pk=pk))
def evaluator_remove_view(request, pk, obj):
    return _post_back(
        request,
        obj.stage,
        lambda: services.stage_evaluator_remove(evaluator=obj, by=request.user, request=request),
        "已移除评估专家。",
    )


@require_POST
@_staff(_stage)
def records_create_view(request, pk, obj):
    """建立评估记录 by hand: for winners confirmed after the stage opened (the periodic job does the rest)."""
    count = services.stage_records_create(stage=obj)
    messages.success(request, f"已为 {count} 个项目建立评估记录。" if count else "所有获奖项目都已有评估记录。")
    return redirect("evaluations:stage_detail", pk=obj.pk)


@_staff(_record)
def record_manage_view(request, pk, obj):
    """The record for staff: what the organisation submitted, every sheet, the mean, and the decision form."""
    record = obj
    form = DecideForm(request.POST or None, initial={"result": record.result, "note": record.result_note})
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_result_decide(
                record=record,
                by=request.user,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
                request=request,
            )
            messages.success(request, "评估结果已保存，机构和申报人会收到邮件通知。")
            return redirect("evaluations:stage_detail", pk=record.stage_id)
        except ValidationError as exc:
            _errors(form, exc)
    return render(
        request,
        "evaluations/record_manage.html",
        {
            "record": record,
            "stage": record.stage,
            "reviews": selectors.stage_record_reviews(record=record),
            "mean": selectors.stage_record_mean(record=record),
            "form": form,
        },
    )


# ------------------------------------------------------------------------------------ organisation admin


@permission_required("evaluations.submit_record", get_object=_record)
def record_view(request, pk, obj):
    """The organisation admin's page of one record: the window, the upload form while it is open, the result."""
    record, now = obj, timezone.now()
    refusal = record.stage.window_refusal(now)
    form_class = ContractForm if record.stage.is_contract else ReportForm
    initial = {"signed_on": record.contract_signed_on} if record.stage.is_contract else {"report": record.report}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if refusal or record.status == StageRecord.Status.DECIDED:
            messages.error(request, refusal or "本阶段已评定结果，材料不能再修改。")
        elif form.is_valid():
            try:
                if record.stage.is_contract:
                    services.stage_contract_submit(
                        record=record,
                        by=request.user,
                        signed_on=form.cleaned_data["signed_on"],
                        scan=form.cleaned_data.get("scan"),
                        request=request,
                    )
                else:
                    services.stage_report_submit(
                        record=record,
                        by=request.user,
                        report=form.cleaned_data["report"],
                        attachments=form.cleaned_data["attachments"],
                        request=request,
                    )
                messages.success(request, "材料已提交。截止前仍可修改。")
                return redirect("evaluations:record", pk=record.pk)
            except ValidationError as exc:
                _errors(form, exc)
    return render(
        request,
        "evaluations/record.html",
        {
            "record": record,
            "stage": record.stage,
            "form": form,
            "refusal": refusal,
            "can_submit": not refusal and record.status != StageRecord.Status.DECIDED,
        },
    )


@require_POST
@permission_required(
    "evaluations.submit_record",
    get_object=lambda request, pk: get_object_or_404(
        StageAttachment.objects.select_related("record__stage", "record__application"), pk=pk
    ),
)
def attachment_delete_view(request, pk, obj):
    try:
        services.stage_attachment_delete(attachment=obj, by=request.user, request=request)
        messages.success(request, "附件已删除。")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("evaluations:record", pk=obj.record_id)


@permission_required(
    "evaluations.view_file",
    get_object=lambda request, pk: get_object_or_404(
        StageAttachment.objects.select_related("record__application"), pk=pk
    ),
)
def attachment_view(request, pk, obj):
    return FileResponse(
        obj.file.open("rb"), as_attachment=True, filename=obj.original_name, content_type=obj.content_type
    )


@permission_required(
    "evaluations.view_file",
    get_object=lambda request, pk: get_object_or_404(StageRecord.objects.select_related("application", "stage"), pk=pk),
)
def contract_view(request, pk, obj):
    if not obj.contract_scan:
        raise Http404("尚未上传协议扫描件。")
    extension = obj.contract_scan.name.rsplit(".", 1)[-1]
    return FileResponse(
        obj.contract_scan.open("rb"),
        as_attachment=True,
        filename=f"{obj.application.title}_{obj.stage.name}_协议扫描件.{extension}",
        content_type=obj.contract_scan_type or "application/octet-stream",
    )


# ------------------------------------------------------------------------------------ evaluator


@permission_required("evaluations.evaluate")
def queue_view(request):
    """我的评估: the records of the stages the reviewer evaluates."""
    return render(
        request, "evaluations/queue.html", _page(request, selectors.stage_records_for_evaluator(user=request.user))
    )


@permission_required("evaluations.score_record", get_object=_record)
def score_view(request, pk, obj):
    """The evaluator's sheet: the report and files beside the criteria; save a draft or submit."""
    record = obj
    review = StageReview.objects.filter(record=record, evaluator=request.user).prefetch_related("scores").first()
    initial_points = {s.criterion_id: s.points for s in review.scores.all()} if review else {}
    criteria = list(record.stage.criteria.all())
    form = ScoreForm(
        request.POST or None,
        criteria=criteria,
        initial_points=initial_points,
        initial={"opinion": review.opinion if review else ""},
    )
    submitted = review is not None and review.status == StageReview.Status.SUBMITTED
    if request.method == "POST" and submitted:
        messages.error(request, "评分已提交，不能再修改。")
    elif request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.stage_review_save(
                record=record,
                evaluator=request.user,
                points=form.points(),
                opinion=form.cleaned_data["opinion"],
                submit=submit,
                request=request,
            )
            messages.success(request, "评分已提交。" if submit else "草稿已保存。")
            return redirect("evaluations:queue") if submit else redirect("evaluations:score", pk=record.pk)
        except ValidationError as exc:
            _errors(form, exc)
    return render(
        request,
        "evaluations/score.html",
        {"record": record, "stage": record.stage, "form": form, "review": review, "submitted": submitted},
    )
