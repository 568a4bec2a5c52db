"""Public publicity/results/verification pages, the applicant's results, and the staff console.

Views parse input, call one service or selector, and render; every file goes through a permission check
(no /media/ route exists)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from accounts.client import client_ip
from accounts.models import User
from accounts.permissions import permission_required
from cases.formdef import field_heading
from cases.models import Application, Campaign
from kunshan_portal.public_cache import cached_for_visitors, campaign_scopes, site_scopes
from kunshan_portal.selectors import site_settings
from notifications.jobs import job_download_response, job_state, job_status_response

from . import documents, selectors, services
from .forms import (
    AssignForm,
    AwardForm,
    CertificateTemplateForm,
    DecideForm,
    NoteForm,
    ObjectionForm,
    PublicityForm,
    ReasonForm,
    SpecialPrizeAwardForm,
    SpecialPrizeFormSet,
)
from .models import Award, Certificate, CertificateExport, Objection, ObjectionEvidence

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _campaign(request, slug, **_):
    return get_object_or_404(Campaign.objects.select_related("publicity"), slug=slug)


def _staff(get_object):
    """Staff pages: 403 for anyone else (checked first), then the object (404 when missing)."""

    def decorator(view):
        return permission_required("awards.manage")(permission_required("awards.manage", get_object=get_object)(view))

    return decorator


def _staff_campaign(request, slug):
    return get_object_or_404(Campaign, slug=slug)


def _contact_line(campaign) -> str:
    # The portal-wide contact already carries its own label (联系电话：…).
    return f"联系方式：{campaign.contact}" if campaign.contact else site_settings().contact


def _header(campaign, publicity, now):
    return {
        "campaign": campaign,
        "publicity": publicity,
        "is_open": selectors.publicity_is_open(campaign, publicity, now),
        "closed_at": selectors.publicity_closed_at(campaign, publicity, now),
        "started": selectors.publicity_has_started(campaign, publicity, now),
        "organiser": site_settings().issuing_body,
        "contact_line": _contact_line(campaign),
    }


# -------------------------------------------------------------------------------------- public


@cached_for_visitors(campaign_scopes)  # no form on it (the objection form has its own page): every visitor the same
@require_safe
@permission_required("awards.read_publicity", get_object=_campaign, login_required=False)
def publicity_view(request, slug, obj):
    """公示: the header and the allowlisted list; during the window, a link to the objection form per case."""
    campaign, now = obj, timezone.now()
    publicity = selectors.publicity_get(campaign)
    context = _header(campaign, publicity, now)
    awards = _list_page(request, selectors.public_awards(campaign)) if context["started"] else _list_page(request, [])
    context.update(**_list_context(awards, campaign))
    return render(request, "awards/publicity.html", context)


@cache_control(private=True, no_store=True)  # the form carries this visitor's CSRF token
@permission_required("awards.read_publicity", get_object=_campaign, login_required=False)
def objection_view(request, slug, obj):
    """提出异议: during the window, the form (real name, phone, e-mail, the case, reason, evidence); POST lodges
    it and leads to the receipt. `?award=<id>` (the link beside a case on the publicity page) preselects it."""
    campaign, now = obj, timezone.now()
    publicity = selectors.publicity_get(campaign)
    context = _header(campaign, publicity, now)
    form = None
    if context["is_open"]:
        awards = selectors.public_awards(campaign)
        initial = {"award": request.GET.get("award")} if request.GET.get("award", "").isdigit() else {}
        form = ObjectionForm(
            request.POST or None, request.FILES or None, awards=awards, initial=initial, noun=campaign.item_noun
        )
        if request.method == "POST":
            try:
                services.objection_rate_check_ip(ip=client_ip(request))
                services.objection_rate_check_uploads(
                    ip=client_ip(request), files=len(request.FILES.getlist("evidence"))
                )
                if form.is_valid():
                    d = form.cleaned_data
                    objection = services.objection_lodge(
                        campaign=campaign,
                        award=d["award"],
                        name=d["name"],
                        phone=d["phone"],
                        email=d["email"],
                        organisation=d["organisation"],
                        reason=d["reason"],
                        evidence=d["evidence"],
                        request=request,
                    )
                    return redirect("awards:objection_receipt", tracking=objection.tracking_number)
            except ValidationError as exc:
                form.add_error(None, exc)
    elif request.method == "POST":
        messages.error(request, "公示期已结束或尚未开始，不能提交异议。")
    context["form"] = form
    return render(request, "awards/objection_form.html", context, status=429 if _rate_limited(form) else 200)


LIST_PAGE_SIZE = 100


def _list_page(request, awards):
    """One page of the public list: the whole list is the Word/PDF download."""
    return Paginator(awards, LIST_PAGE_SIZE).get_page(request.GET.get("page"))


def _list_context(page, campaign) -> dict:
    """The list's page with, for a campaign with its own form, each row's public form fields (award.cells)."""
    columns = selectors.public_columns(campaign)
    awards = list(page.object_list)
    for award in awards:
        award.cells = selectors.public_cells(award, columns)
    return {
        "awards": awards,
        "sections": selectors.list_sections(awards),
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "list_offset": page.start_index() - 1 if awards else 0,
        "answer_columns": [field_heading(field) for field in columns],
    }


def _rate_limited(form) -> bool:
    return bool(form is not None and form.is_bound and any(e.code == "rate" for e in form.non_field_errors().as_data()))


@cache_control(private=True, no_store=True)  # the objector's name and the reply: never kept by a cache
@permission_required(login_required=False)
def objection_receipt_view(request, tracking):
    """受理回执: shown to whoever holds the (unguessable) tracking number."""
    objection = get_object_or_404(
        Objection.objects.select_related("campaign").only(
            "tracking_number", "status", "created_at", "campaign__title", "campaign__slug", "reply", "decided_at"
        ),
        tracking_number=tracking,
    )
    return render(request, "awards/receipt.html", {"objection": objection})


def _list_document(campaign, *, results: bool) -> tuple[bytes, str]:
    publicity = selectors.publicity_get(campaign)
    awards = list(selectors.public_awards(campaign))
    tz = timezone.get_default_timezone()
    if results:
        title = f"{campaign.title}获奖名单"
        lines = [f"{site_settings().issuing_body} 发布于 {publicity.results_published_at.astimezone(tz):%Y年%m月%d日}"]
    else:
        title = f"{campaign.title}结果公示"
        lines = [
            f"公示期：{campaign.publicity_starts_at.astimezone(tz):%Y年%m月%d日 %H:%M} 至 "
            f"{campaign.publicity_ends_at.astimezone(tz):%Y年%m月%d日 %H:%M}",
            _contact_line(campaign),
            "如有异议，请在公示期内通过门户公示页面实名提交，并附联系电话和证据材料。",
        ]
    site = site_settings()
    columns, layout = None, {}
    if campaign.uses_defined_form:  # its noun and its form's public fields, never a personal one
        columns = selectors.public_columns(campaign)
        headers, widths = documents.list_headers_and_widths(
            noun=campaign.item_noun, answer_headings=[field_heading(field) for field in columns]
        )
        layout = {"headers": headers, "widths": widths}
    data = documents.publicity_list_docx(
        title=title,
        lines=lines,
        rows=selectors.public_rows(awards, columns),
        issuer=site.issuing_body,
        portal=site.name,
        campaign=campaign.title,
        **layout,
    )
    return data, title


def _list_file(campaign, fmt, *, results):
    if fmt not in ("docx", "pdf"):
        raise Http404("不支持的格式。")
    data, title = _list_document(campaign, results=results)
    if fmt == "pdf":
        try:
            site = site_settings()
            metadata = documents.PdfMetadata(
                title=title, author=site.issuing_body, subject=campaign.title, portal=site.name
            )
            data = documents.docx_bytes_to_pdf(data, metadata=metadata)
        except documents.PdfConversionError as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        return HttpResponse(
            data,
            content_type="application/pdf",
            headers={"Content-Disposition": content_disposition_header(True, f"{title}.pdf")},
        )
    disposition = content_disposition_header(True, f"{title}.docx")
    return HttpResponse(data, content_type=DOCX, headers={"Content-Disposition": disposition})


@permission_required("awards.read_publicity", get_object=_campaign, login_required=False)
def publicity_file_view(request, slug, fmt, obj):
    publicity = selectors.publicity_get(obj)
    if not selectors.publicity_has_started(obj, publicity, timezone.now()):
        raise Http404("公示尚未开始。")
    return _list_file(obj, fmt, results=False)


@cached_for_visitors(campaign_scopes)
@permission_required("awards.read_results", get_object=_campaign, login_required=False)
def results_view(request, slug, obj):
    """获奖名单: the final list, public for good once published."""
    publicity = selectors.publicity_get(obj)
    if not publicity.results_published_at:
        raise Http404("获奖名单尚未发布。")
    return render(
        request,
        "awards/results.html",
        {
            "campaign": obj,
            "publicity": publicity,
            **_list_context(_list_page(request, selectors.public_awards(obj)), obj),
        },
    )


@permission_required("awards.read_results", get_object=_campaign, login_required=False)
def results_file_view(request, slug, fmt, obj):
    if not selectors.publicity_get(obj).results_published_at:
        raise Http404("获奖名单尚未发布。")
    return _list_file(obj, fmt, results=True)


@cached_for_visitors(site_scopes)
@permission_required(login_required=False)
def verify_view(request, code):
    """证书验证: the QR code's page. A forged or mistyped code answers a clear "not found" (404)."""
    certificate = selectors.certificate_for_verification(code)
    if certificate is None:
        return render(request, "awards/verify.html", {"certificate": None, "code": code}, status=404)
    return render(
        request,
        "awards/verify.html",
        {
            "certificate": certificate,
            "issuer": selectors.certificate_issuer(selectors.certificate_template_of(certificate.campaign)),
        },
    )


@permission_required("awards.view_my_results")
def my_results_view(request):
    """我的获奖结果: the applicant's published results and certificates."""
    return render(request, "awards/my_results.html", {"awards": list(selectors.my_awards(request.user))})


def _certificate(request, pk, fmt):
    if fmt not in ("docx", "pdf"):
        raise Http404("不支持的格式。")
    return get_object_or_404(Certificate.objects.select_related("award__application", "campaign__publicity"), pk=pk)


@permission_required("awards.download_certificate", get_object=_certificate)
def certificate_download_view(request, pk, fmt, obj):
    """The holder's (or staff's) certificate file, generated on the spot when missing (same number)."""
    if obj.award.status != Award.Status.ACTIVE:
        raise Http404("该证书已撤销。")
    field = obj.docx if fmt == "docx" else obj.pdf
    if not field or not default_storage.exists(field):
        services.certificate_generate_queue(certificate=obj)  # the worker writes it (at once when tasks run eagerly)
        obj.refresh_from_db()
        field = obj.docx if fmt == "docx" else obj.pdf
    if not field or not default_storage.exists(field):
        messages.info(request, "证书文件正在生成，请稍后再下载。")
        return redirect("awards:my_results")
    return FileResponse(
        default_storage.open(field, "rb"),
        as_attachment=True,
        filename=f"荣誉证书-{obj.number}.{fmt}",
        content_type=DOCX if fmt == "docx" else "application/pdf",
    )


# --------------------------------------------------------------------------------------- staff


@permission_required("awards.manage")
def manage_view(request):
    campaigns = Campaign.objects.annotate(
        award_count=Count("awards", distinct=True),
        pending_objections=Count("objections", filter=~Q(objections__status__in=Objection.RESOLVED), distinct=True),
    ).order_by("-publicity_starts_at")
    return render(request, "awards/manage.html", {"campaigns": campaigns})


@_staff(_staff_campaign)
def campaign_view(request, slug, obj):
    """The campaign's console: the award list, the window, results, the certificate template and export."""
    campaign, now = obj, timezone.now()
    publicity = selectors.publicity_get(campaign)
    awards = list(
        Award.objects.filter(campaign=campaign)
        .with_section()
        .select_related("application__award_decision", "certificate", "special_prize")
        .order_by("section", "special_prize__position", "rank", "id")
    )
    template = services.certificate_template_get(campaign)
    applications = Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED).order_by(
        "reference"
    )
    context = _header(campaign, publicity, now)
    context.update(
        awards=awards,
        award_form=AwardForm(applications=applications),
        publicity_form=PublicityForm(instance=publicity),
        template_form=CertificateTemplateForm(instance=template),
        template=template,
        results_refusal=services.results_refusal(campaign, now),
        pending_objections=campaign.objections.exclude(status__in=Objection.RESOLVED).count(),
    )
    last_export = campaign.certificate_exports.first()
    if last_export is not None:
        context.update(
            last_export=last_export, export_state=job_state(last_export, download_url=_export_download_url(last_export))
        )
    return render(request, "awards/campaign.html", context)


def _run(request, action, success: str):
    try:
        action()
        messages.success(request, success)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))


@require_POST
@_staff(_staff_campaign)
def import_decision_view(request, slug, obj):
    _run(
        request,
        lambda: services.awards_import_decision(campaign=obj, by=request.user, request=request),
        "已导入专家评审确认的获奖名单。",
    )
    return redirect("awards:campaign", slug=slug)


@require_POST
@_staff(_staff_campaign)
def award_add_view(request, slug, obj):
    form = AwardForm(
        request.POST, applications=Application.objects.filter(campaign=obj, status=Application.Status.ACCEPTED)
    )
    if form.is_valid():
        d = form.cleaned_data
        _run(
            request,
            lambda: services.award_confirm(
                application=d["application"], tier=d["tier"], rank=d["rank"], by=request.user, request=request
            ),
            "已确认获奖。",
        )
    else:
        messages.error(request, "请选择案例并填写奖项等级和排名。")
    return redirect("awards:campaign", slug=slug)


def _award(request, pk):
    return get_object_or_404(Award.objects.select_related("campaign"), pk=pk)


@require_POST
@_staff(_award)
def award_remove_view(request, pk, obj):
    _run(request, lambda: services.award_remove(award=obj, by=request.user, request=request), "已从获奖名单移除。")
    return redirect("awards:campaign", slug=obj.campaign.slug)


@require_POST
@_staff(_staff_campaign)
def publicity_override_view(request, slug, obj):
    if "how_to_object" in request.POST:
        _run(
            request,
            lambda: services.publicity_settings_save(
                campaign=obj,
                how_to_object=request.POST["how_to_object"],
                no_award_message=request.POST.get("no_award_message"),
                by=request.user,
                request=request,
            ),
            "已保存异议方式说明与未获奖通知。",
        )
    else:
        _run(
            request,
            lambda: services.publicity_override_set(
                campaign=obj, override=request.POST.get("override", ""), by=request.user, request=request
            ),
            "已更新公示开关。",
        )
    return redirect("awards:campaign", slug=slug)


@require_POST
@_staff(_staff_campaign)
def results_publish_view(request, slug, obj):
    _run(
        request,
        lambda: services.results_publish(campaign=obj, by=request.user, request=request),
        "获奖名单已发布，已通知申报人。",
    )
    return redirect("awards:campaign", slug=slug)


@require_POST
@_staff(_staff_campaign)
def template_save_view(request, slug, obj):
    template = services.certificate_template_get(obj)
    form = CertificateTemplateForm(request.POST, request.FILES, instance=template)
    if form.is_valid():
        _run(
            request,
            lambda: services.certificate_template_save(template=form.instance, by=request.user, request=request),
            "证书模板已保存。",
        )
    else:
        messages.error(request, "证书模板有误：" + "；".join(m for errs in form.errors.values() for m in errs))
    return redirect("awards:campaign", slug=slug)


@require_POST
@_staff(_staff_campaign)
def export_start_view(request, slug, obj):
    try:
        export = services.certificate_export_start(campaign=obj, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("awards:campaign", slug=slug)
    return redirect(f"{reverse('awards:campaign', kwargs={'slug': slug})}?export={export.pk}#export")


def _export(request, pk):
    return get_object_or_404(CertificateExport.objects.select_related("campaign"), pk=pk)


def _export_download_url(export: CertificateExport) -> str:
    return reverse("awards:export_download", kwargs={"pk": export.pk})


@_staff(_export)
def export_status_view(request, pk, obj):
    """The progress bar's JSON."""
    return job_status_response(obj, download_url=_export_download_url(obj))


@_staff(_export)
def export_download_view(request, pk, obj):
    return job_download_response(obj, filename=f"{obj.campaign.title}-荣誉证书-{obj.pk}.zip")


@_staff(_staff_campaign)
def objection_list_view(request, slug, obj):
    return render(
        request, "awards/objection_list.html", {"campaign": obj, "objections": list(selectors.staff_objections(obj))}
    )


def _objection(request, pk):
    try:
        return selectors.objection_detail(pk)
    except Objection.DoesNotExist as exc:
        raise Http404 from exc


def _staff_users():
    return User.objects.filter(is_staff=True, is_active=True).order_by("name")


@_staff(_objection)
def objection_detail_view(request, pk, obj):
    return render(
        request,
        "awards/objection_detail.html",
        {
            "objection": obj,
            "campaign": obj.campaign,
            "assign_form": AssignForm(staff=_staff_users(), initial={"assignee": obj.assignee_id}),
            "note_form": NoteForm(),
            "decide_form": DecideForm(),
        },
    )


@require_POST
@_staff(_objection)
def objection_assign_view(request, pk, obj):
    form = AssignForm(request.POST, staff=_staff_users())
    if form.is_valid():
        _run(
            request,
            lambda: services.objection_assign(
                objection=obj, assignee=form.cleaned_data["assignee"], by=request.user, request=request
            ),
            "已分派经办人。",
        )
    else:
        messages.error(request, "请选择经办人。")
    return redirect("awards:objection_detail", pk=pk)


@require_POST
@_staff(_objection)
def objection_note_view(request, pk, obj):
    _run(
        request,
        lambda: services.objection_note_add(
            objection=obj, text=request.POST.get("text", ""), by=request.user, request=request
        ),
        "已添加调查记录。",
    )
    return redirect("awards:objection_detail", pk=pk)


@require_POST
@_staff(_objection)
def objection_decide_view(request, pk, obj):
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理决定并填写答复意见。")
        return redirect("awards:objection_detail", pk=pk)
    d = form.cleaned_data
    upheld = d["decision"] != "dismissed"
    _run(
        request,
        lambda: services.objection_decide(
            objection=obj,
            upheld=upheld,
            outcome=d["decision"] if upheld else "",
            new_tier=d["new_tier"],
            reply=d["reply"],
            by=request.user,
            request=request,
        ),
        "已作出处理决定，答复已发送给异议人。",
    )
    return redirect("awards:objection_detail", pk=pk)


def _evidence(request, pk):
    return get_object_or_404(ObjectionEvidence.objects.select_related("objection"), pk=pk)


@_staff(_evidence)
def evidence_view(request, pk, obj):
    return FileResponse(
        obj.file.open("rb"),
        as_attachment=obj.content_type == "application/pdf",
        filename=obj.original_name,
        content_type=obj.content_type,
    )


# ----------------------------------------------------------------------------------- special prizes


@_staff(_staff_campaign)
def special_prizes_view(request, slug, obj):
    """单项奖设置: the campaign's special prizes as rows (name, description, order); given on the ranking page."""
    prizes = list(selectors.special_prizes_of(obj).annotate(given=Count("awards")))
    initial = [
        {"id": p.pk, "name": p.name, "description": p.description, "ORDER": i} for i, p in enumerate(prizes, start=1)
    ]
    formset = SpecialPrizeFormSet(
        request.POST or None, initial=None if request.method == "POST" else initial, prefix="prizes"
    )
    if request.method == "POST" and formset.is_valid():
        try:
            services.special_prizes_save(campaign=obj, prizes=formset.prizes(), by=request.user, request=request)
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, "单项奖已保存。")
            return redirect("awards:special_prizes", slug=slug)
    given = {p.pk: p.given for p in prizes}
    for form in formset.forms:
        try:
            form.given = given.get(int(form["id"].value() or 0), 0)
        except (TypeError, ValueError):
            form.given = 0
    return render(request, "awards/special_prizes.html", {"campaign": obj, "formset": formset})


def _ranking_url(application) -> str:
    return reverse("reviews:ranking", kwargs={"slug": application.campaign.slug})


def _application(request, pk):
    return get_object_or_404(Application.objects.select_related("campaign"), pk=pk)


@require_POST
@_staff(_application)
def special_prize_award_view(request, pk, obj):
    """授予单项奖 from the ranking page. A refusal shows the form again with the message beside the field and
    what staff typed kept; success goes back to the ranking."""
    form = SpecialPrizeAwardForm(request.POST, prizes=selectors.special_prizes_of(obj.campaign))
    if form.is_valid():
        try:
            award = services.special_prize_award(
                application=obj,
                prize=form.cleaned_data["prize"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"{obj.reference or obj.title}：已授予单项奖“{award.special_prize.name}”。")
            return redirect(_ranking_url(obj))
    return render(
        request,
        "awards/special_prize_decision.html",
        {"campaign": obj.campaign, "application": obj, "form": form, "action": "award"},
        status=400,
    )


def _special_award(request, pk):
    return get_object_or_404(
        Award.objects.select_related("campaign", "application__campaign", "special_prize").filter(
            special_prize__isnull=False
        ),
        pk=pk,
    )


@require_POST
@_staff(_special_award)
def special_prize_withdraw_view(request, pk, obj):
    """撤销单项奖 from the ranking page, with a reason."""
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.special_prize_withdraw(
                award=obj, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已撤销单项奖“{obj.special_prize.name}”。")
            return redirect(_ranking_url(obj.application))
    return render(
        request,
        "awards/special_prize_decision.html",
        {"campaign": obj.campaign, "application": obj.application, "award": obj, "form": form, "action": "withdraw"},
        status=400,
    )


def _form_errors(form, exc: ValidationError) -> None:
    """A service's refusal beside the field it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
