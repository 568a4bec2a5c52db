import json
import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from accounts.permissions import PermissionMixin, permission_required
from kunshan_portal.public_cache import cached_for_visitors, campaign_scopes
from notifications.jobs import job_download_response, job_state, job_status_response

from . import selectors, services
from .formdef import answers_clean, answers_for_display, campaign_definition, length_range_text, textarea_keys
from .forms import (
    ApplicationForm,
    DecisionForm,
    DefinedForm,
    FormFieldForm,
    FormSectionForm,
    StaffApplicationFilter,
    TeamFormSet,
    report_link_clean,
    team_initial,
)
from .materials import material_groups, material_rows
from .models import PLAN_GUIDANCE, PLEDGE_TEXT, SECTION_GUIDANCE, SECTIONS, Application, Campaign, CaseExport


class CampaignListView(ListView):
    """评选活动: every published campaign with the phase the public sees and its link (公示 page, 获奖名单);
    ?year= keeps past years' results reachable."""

    template_name = "cases/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = 20

    def get_queryset(self):
        return selectors.campaigns_public(year=_year(self.request.GET.get("year")))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(
            rows=[selectors.CampaignRow.of(campaign, now) for campaign in context["campaigns"]],
            years=selectors.campaign_years(),
            year=_year(self.request.GET.get("year")),
        )
        return context


def _year(raw) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) == 4 else None


@method_decorator(cached_for_visitors(campaign_scopes), name="dispatch")
class CampaignDetailView(PermissionMixin, DetailView):
    login_required = False
    object_permission_required = "cases.view_campaign"
    template_name = "cases/campaign_detail.html"
    context_object_name = "campaign"
    queryset = Campaign.objects.select_related("festival", "publicity")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        campaign = self.object
        context.update(
            now=now,
            phase=campaign.public_phase(now),
            public_link=campaign.public_link(now),
            publicity_days_left=campaign.publicity_days_left(now),
            open=campaign.is_open_for_submission(now),
            eligibility_rules=list(campaign.eligibility_rules.all()),
            material_slots=list(campaign.material_slots.all()),
            category_labels=[
                label
                for value, label in Application._meta.get_field("category").choices
                if value in campaign.categories
            ],
            # A campaign with its own form: what its form asks for, by section title.
            form_sections=[s.get("title") for s in campaign_definition(campaign).get("sections", [])]
            if campaign.uses_defined_form
            else [],
        )
        return context


def _campaign(request, slug):
    return get_object_or_404(Campaign, slug=slug)


@require_POST
@permission_required("cases.view_campaign", get_object=_campaign)
def application_start(request, slug, obj):
    """申报: a new draft of this campaign, then straight to the editor."""
    if not request.user.has_perm("cases.apply"):
        messages.error(request, "只有已加入审核通过机构的社工可以申报。")
        return redirect(obj)
    try:
        application = services.application_start(campaign=obj, user=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(obj)
    return redirect("cases:application_edit", pk=application.pk)


def _application(request, pk, **_):
    try:
        return selectors.application_for_page(pk)
    except Application.DoesNotExist:
        raise Http404("未找到该申报案例。") from None


@permission_required("cases.view_application", get_object=_application)
def application_detail(request, pk, obj):
    return render(
        request,
        "cases/application_detail.html",
        {
            "application": obj,
            "pledge_text": PLEDGE_TEXT,
            "can_withdraw": request.user.has_perm("cases.withdraw_application", obj)
            and obj.status in (Application.Status.SUBMITTED, Application.Status.RECOMMENDED)
            and timezone.now() <= obj.campaign.submission_closes_at,
            "can_decide": request.user.has_perm("cases.recommend_application", obj)
            and obj.status == Application.Status.SUBMITTED,
            "can_edit": request.user.has_perm("cases.edit_application", obj) and obj.is_editable,
            "answers": answers_for_display(campaign_definition(obj.campaign), obj.answers)
            if obj.campaign.uses_defined_form
            else None,
            "defined_pledge": campaign_definition(obj.campaign).get("pledge", "")
            if obj.campaign.uses_defined_form
            else "",
        },
    )


# --- The editor ------------------------------------------------------------------------------


def _findings_json(application, *, compute: bool) -> dict | None:
    """The privacy findings as JSON; without `compute`, only when every text was checked before (None if not):
    pages and autosaves never wait for the check, the editor fetches it from application_findings."""
    from .privacy import application_findings, application_findings_if_checked

    found = application_findings(application) if compute else application_findings_if_checked(application)
    if found is None:
        return None
    return {key: [f.as_dict() for f in items] for key, items in found.items()}


def _bound_forms(request, application):
    """The editor's forms bound to the POST: the official 报名表 and its team formset, or a defined form
    (formset None)."""
    campaign = application.campaign
    if campaign.uses_defined_form:
        return DefinedForm(request.POST, definition=campaign_definition(campaign), application=application), None
    form = ApplicationForm(request.POST, instance=application, campaign=campaign)
    formset = TeamFormSet(request.POST, prefix="team")
    form.is_valid()
    formset.is_valid()
    return form, formset


def _parse_case_form(form, formset, errors) -> dict:
    """The official form's values for application_save_draft; an unknown choice or a bad date is kept out."""
    fields = {k: v for k, v in form.cleaned_data.items() if k in services.FORM_FIELDS and k not in form.errors}
    for name in ("category", "domain"):
        if name in form.errors:  # an unknown choice is kept out, the rest is saved
            errors.setdefault(name, []).extend(form.errors[name])
    for name in ("period_start", "period_end", *(name for name, _ in SECTIONS)):
        if name in form.errors:
            errors.setdefault(name, []).extend(form.errors[name])
    team = [
        {k: v for k, v in f.cleaned_data.items() if k in services.TEAM_FIELDS}
        for f in formset.forms
        if f.is_valid() and f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")
    ]
    if any(f.errors for f in formset.forms):
        errors.setdefault("team", []).append("实施团队表中有填写错误，请查看标红的格子。")
    return {"fields": fields, "team": team, "pledge_accepted": form.cleaned_data.get("pledge_accepted")}


def _parse_defined_form(form, application, errors) -> dict:
    """A defined form's answers for application_save_draft: a value with an error keeps the stored one."""
    answers, problems = answers_clean(form.definition, form.raw_answers())
    stored = application.answers or {}
    for key, messages_ in problems.items():
        errors.setdefault(key, []).extend(messages_)
        if key in stored:
            answers[key] = stored[key]
    accepted = form.fields["pledge_accepted"].widget.value_from_datadict(form.data, form.files, "pledge_accepted")
    return {"fields": {}, "team": None, "answers": answers, "pledge_accepted": accepted}


def _post_to_draft(request, application, *, with_uploads: bool):
    """Parse the editor's POST and save it as a draft. Returns (form, formset, errors) where
    errors maps field name → messages from parsing, the save itself and the uploads."""
    form, formset = _bound_forms(request, application)
    errors: dict[str, list[str]] = {}
    if formset is None:
        parsed = _parse_defined_form(form, application, errors)
    else:
        parsed = _parse_case_form(form, formset, errors)
    new_links = []
    url = request.POST.get("link_url", "").strip()
    if url:
        try:
            new_links.append({"url": report_link_clean(url), "title": request.POST.get("link_title", "")})
        except ValidationError as error:
            errors.setdefault("links", []).extend(error.messages)
    captions = {
        int(key.rsplit("_", 1)[1]): value
        for key, value in request.POST.items()
        if key.startswith("photo_caption_") and key.rsplit("_", 1)[1].isdigit()
    }
    saved = services.application_save_draft(
        application=application,
        expected_version=int(request.POST.get("version") or 0),
        fields=parsed["fields"],
        team=parsed["team"],
        answers=parsed.get("answers"),
        photo_captions=captions,
        photo_deletes=[int(x) for x in request.POST.getlist("photo_delete") if x.isdigit()],
        attachment_deletes=[int(x) for x in request.POST.getlist("attachment_delete") if x.isdigit()],
        new_links=new_links,
        link_deletes=[int(x) for x in request.POST.getlist("link_delete") if x.isdigit()],
        pledge={
            "accepted": parsed["pledge_accepted"],
            "signature": request.POST.get("pledge_signature", ""),
        },
        request=request,
        # The submit that follows runs the privacy check itself: no background check beside it.
        submitting=with_uploads and request.POST.get("action") == "submit" and not errors,
    )
    if with_uploads and not saved.save_repeated:  # a repeated form's files were stored the first time
        caption = request.POST.get("new_photo_caption", "")
        for upload in request.FILES.getlist("new_photos"):
            try:
                services.photo_add(application=application, uploaded_file=upload, caption=caption)
            except ValidationError as error:
                errors.setdefault("photos", []).append(f"{upload.name}：" + "；".join(error.messages))
        for slot in application.campaign.material_slots.all():  # 申报材料: one upload area per named slot
            for upload in request.FILES.getlist(f"material_{slot.pk}"):
                try:
                    services.material_add(application=application, slot=slot, uploaded_file=upload)
                except ValidationError as error:
                    errors.setdefault(f"material_{slot.pk}", []).append(f"{upload.name}：" + "；".join(error.messages))
        upload = request.FILES.get("new_attachment")
        if upload:
            try:
                services.attachment_add(
                    application=application,
                    uploaded_file=upload,
                    description=request.POST.get("new_attachment_description", ""),
                )
            except ValidationError as error:
                errors.setdefault("attachments", []).append(f"{upload.name}：" + "；".join(error.messages))
    return form, formset, errors


COLLAPSE_MATERIALS_OVER = 10


def _editor_context(request, application, form, formset, errors):
    problems = services.application_problems(application, final=False)
    for field, found in errors.items():
        problems.setdefault(field, [])
        problems[field] = list(dict.fromkeys(problems[field] + found))
    attachments = list(application.attachments.all())
    materials = material_rows(
        slots=list(application.campaign.material_slots.all()), attachments=attachments, final=False
    )
    for row in materials:  # the slot's own problems and those the submit or the upload reported, once each
        row.errors = list(dict.fromkeys(row.problems + problems.get(row.key, [])))
    groups = material_groups(materials)
    for group in groups:
        group.has_errors = any(row.errors for row in group.rows)
    uploads = {
        "materials": materials,
        "material_groups": groups,
        # 67 观测点 of a station evaluation: the level-1 groups start folded, a group with an error opens.
        "collapse_materials": len(materials) > COLLAPSE_MATERIALS_OVER,
        "free_attachments": [a for a in attachments if a.slot_id is None],
    }
    if formset is None:
        return {**_defined_editor_context(application, form, problems), **uploads}
    sections = [
        {
            "name": name,
            "heading": heading,
            "field": form[name],
            "guidance": SECTION_GUIDANCE.get(name, ""),
            "errors": problems.get(name, []),
        }
        for name, heading in SECTIONS
    ]
    findings = _findings_json(application, compute=False)
    return {
        **uploads,
        "application": application,
        "campaign": application.campaign,
        "form": form,
        "formset": formset,
        "problems": problems,
        "warnings": services.application_warnings(application),
        "sections": sections,
        "plan_guidance": PLAN_GUIDANCE,
        "pledge_text": PLEDGE_TEXT,
        "findings": findings or {},
        "findings_pending": findings is None,
        "photo_range": {
            "casework": application.campaign.photo_range("casework"),
            "other": application.campaign.photo_range("group"),
        },
    }


def _defined_editor_context(application, form, problems):
    """The editor of a defined form: its sections with their bound fields, tables and errors."""
    sections = []
    for section in form.definition.get("sections", []):
        fields = []
        for field in section.get("fields") or []:
            if field.get("column"):
                continue
            key = field["key"]
            fields.append(
                {
                    "definition": field,
                    # A body section's text (or a section's one table) named like its section: one heading is enough.
                    "label_hidden": field.get("label") == section.get("title"),
                    "range_text": length_range_text(field) if field.get("type") == "textarea" else "",
                    "bound": form[key],
                    "table": form.table(key) if field.get("type") == "table" else None,
                    "errors": problems.get(key, []),
                }
            )
        by = section.get("guidance_by") or {}
        chosen = form[by["field"]].value() if by.get("field") in form.fields else None
        guidance_now = (by.get("texts") or {}).get(chosen) or section.get("guidance", "")
        sections.append(
            {
                **section,
                "fields": fields,
                "required": any(item["label_hidden"] and item["definition"].get("required") for item in fields),
                "guidance_json": json.dumps(by.get("texts") or {}, ensure_ascii=False),
                "guidance_field": by.get("field"),
                "guidance_now": guidance_now,
            }
        )
    findings = _findings_json(application, compute=False)
    return {
        "application": application,
        "campaign": application.campaign,
        "form": form,
        "defined_sections": sections,
        "problems": problems,
        "warnings": services.application_warnings(application),
        "pledge_text": form.definition.get("pledge", ""),
        "findings": findings or {},
        "findings_pending": findings is None,
    }


def _render_editor(request, application, form, formset, errors, *, status=200, conflict=None):
    context = _editor_context(request, application, form, formset, errors)
    if conflict:
        context["conflict"] = conflict
    template = "cases/application_form_edit.html" if formset is None else "cases/application_edit.html"
    return render(request, template, context, status=status)


def _edit_object(request, pk, **_):
    return get_object_or_404(Application.objects.select_related("campaign"), pk=pk)


@permission_required("cases.edit_application", get_object=_edit_object)
def application_edit(request, pk, obj):
    """The application form: save a draft any time, or submit."""
    application = obj
    # A submit that arrives after its twin (a double click) already submitted goes on: the draft
    # step finds the same content and the submit is idempotent, so it ends on the success page.
    repeat_submit = request.method == "POST" and request.POST.get("action") == "submit"
    if not application.is_editable and not (repeat_submit and application.status == Application.Status.SUBMITTED):
        messages.info(request, "该申报已提交，不能修改；如需修改，请先撤回。")
        return redirect("cases:application_detail", pk=application.pk)
    if request.method != "POST":
        campaign = application.campaign
        if campaign.uses_defined_form:
            form = DefinedForm(definition=campaign_definition(campaign), application=application)
            return _render_editor(request, application, form, None, {})
        form = ApplicationForm(instance=application, campaign=campaign)
        formset = TeamFormSet(prefix="team", initial=team_initial(application))
        return _render_editor(request, application, form, formset, {})

    try:
        form, formset, errors = _post_to_draft(request, application, with_uploads=True)
    except ValidationError as error:
        if Application.objects.filter(pk=application.pk, status__in=Application.EDITABLE_STATUSES).exists():
            if not isinstance(error, services.StaleVersion):
                raise
        else:
            # A second click on 提交 while the first was being submitted: the first one worked.
            messages.info(request, "该申报已提交，不能再修改；如需修改，请先撤回。")
            return redirect("cases:application_detail", pk=application.pk)
        form, formset = _bound_forms(request, application)
        return _render_editor(request, application, form, formset, {}, status=409, conflict=error.messages[0])
    application.refresh_from_db()

    if request.POST.get("action") == "submit" and not errors:
        try:
            services.application_submit(
                application_id=application.pk,
                by=request.user,
                confirm_findings=request.POST.get("confirm_findings") == "1",
                request=request,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = {k: [m for e in v for m in e.messages] for k, v in error.error_dict.items()}
                errors.setdefault("submit", []).append("还有未完成的内容，请按标红的提示修改后再提交。")
            else:
                errors = {"submit": error.messages}
        else:
            application.refresh_from_db()
            messages.success(request, f"申报已提交，申报编号 {application.reference}。回执已发送到您的邮箱。")
            return redirect("cases:application_detail", pk=application.pk)

    if errors or form.errors or (formset is not None and formset.total_error_count()):
        messages.warning(
            request, "草稿已保存" + ("，但未能提交" if "submit" in errors else "") + "：请查看标红的提示。"
        )
        # Show the bound forms so what was typed (even an invalid date) is still on the page.
        application = selectors.application_for_page(application.pk)
        return _render_editor(request, application, form, formset, errors)
    messages.success(request, f"草稿已保存（第 {application.version} 版）。")
    return redirect("cases:application_edit", pk=application.pk)


def _autosave_object(request, pk):
    return get_object_or_404(Application.objects.select_related("campaign"), pk=pk)


@require_POST
def application_autosave(request, pk):
    """The editor's autosave (every 30 s and on leaving the page): JSON in, JSON out. An expired
    session answers 401 with the login address that brings the user back to the draft."""
    if not request.user.is_authenticated:
        login = reverse("accounts:login") + "?next=" + reverse("cases:application_edit", kwargs={"pk": pk})
        return JsonResponse(
            {"ok": False, "error": "登录已过期，请重新登录。内容已暂存在本机浏览器中。", "login": login}, status=401
        )
    return _autosave(request, pk=pk)


@permission_required("cases.edit_application", get_object=_autosave_object)
def _autosave(request, pk, obj):
    if not obj.is_editable:
        return JsonResponse({"ok": False, "error": "该申报已提交，不能再修改。"}, status=409)
    try:
        _form, _formset, errors = _post_to_draft(request, obj, with_uploads=False)
    except services.StaleVersion as error:
        return JsonResponse(
            {"ok": False, "conflict": True, "error": error.messages[0], "version": error.current}, status=409
        )
    obj.refresh_from_db()
    problems = services.application_problems(obj, final=False)
    for field, found in errors.items():
        problems.setdefault(field, []).extend(found)
    slots = list(obj.campaign.material_slots.all())
    if slots:  # a slot's standing problems (too many files, a type no longer accepted) stay beside it
        attachments = list(obj.attachments.filter(slot__isnull=False))
        for row in material_rows(slots=slots, attachments=attachments, final=False):
            if row.problems:
                problems.setdefault(row.key, []).extend(row.problems)
    return JsonResponse(
        {
            "ok": True,
            "version": obj.version,
            "saved_at": timezone.localtime(obj.updated_at).strftime("%H:%M:%S"),
            "problems": problems,
            "warnings": services.application_warnings(obj),
            # Sections refused (too long): the editor keeps its local copy until they are saved.
            "unsaved": [name for name in _long_text_keys(obj.campaign) if name in errors],
            **_findings_payload(obj, compute=False),
        }
    )


def _long_text_keys(campaign) -> list[str]:
    if campaign.uses_defined_form:
        return textarea_keys(campaign_definition(campaign))
    return [name for name, _ in SECTIONS]


def _findings_payload(application, *, compute: bool) -> dict:
    findings = _findings_json(application, compute=compute)
    return {"findings": findings or {}, "findings_pending": findings is None}


@permission_required("cases.edit_application", get_object=_autosave_object)
def application_findings(request, pk, obj):
    """The editor's privacy and terminology findings (JSON), checked here for texts not checked before: the
    editor asks for them after an autosave that answered before the check was done."""
    return JsonResponse({"ok": True, "version": obj.version, **_findings_payload(obj, compute=True)})


@require_POST
@permission_required("cases.withdraw_application", get_object=_edit_object)
def application_withdraw(request, pk, obj):
    try:
        services.application_withdraw(application_id=obj.pk, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("cases:application_detail", pk=obj.pk)
    messages.success(request, "申报已撤回，可以继续修改后重新提交。")
    return redirect("cases:application_edit", pk=obj.pk)


# --- Files: only through these permission-checked views ------------------------------------


@permission_required("cases.view_application", get_object=_edit_object)
def photo_file(request, pk, photo_pk, obj):
    photo = get_object_or_404(obj.photos, pk=photo_pk)
    if request.GET.get("size") == "thumb":
        from django.core.files.storage import default_storage

        # Made at upload; a photo stored before thumbnails were kept gets its thumbnail on first view, once.
        name = services.photo_thumbnail_ensure(photo=photo)
        response = FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        return response
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(photo.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required("cases.view_application", get_object=_edit_object)
def attachment_file(request, pk, attachment_pk, obj):
    attachment = get_object_or_404(obj.attachments, pk=attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@permission_required("cases.view_application", get_object=_edit_object)
def endorsement_scan(request, pk, endorsement_pk, obj):
    endorsement = get_object_or_404(obj.endorsements.exclude(stamped_scan=""), pk=endorsement_pk)
    return FileResponse(endorsement.stamped_scan.open("rb"), as_attachment=True)


@permission_required("cases.view_application", get_object=_application)
def application_docx(request, pk, obj):
    """报名表 as Word, named 案例名称+组织名称+负责人个人姓名.docx."""
    from .docx_export import application_docx as build
    from .docx_export import application_docx_filename

    response = HttpResponse(
        build(obj), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = content_disposition_header(True, application_docx_filename(obj))
    return response


@require_POST
@permission_required("cases.export_campaign", get_object=_campaign)
def campaign_export(request, slug, obj):
    """Every submitted application of the campaign as Word files in one ZIP (staff): a background job."""
    job = services.case_export_start(campaign=obj, by=request.user, request=request)
    return redirect("cases:case_export_detail", pk=job.pk)


def _case_export(request, pk):
    return get_object_or_404(selectors.case_export_for_page(), pk=pk)


def _case_export_download_url(job: CaseExport) -> str:
    return reverse("cases:case_export_download", args=[job.pk])


@permission_required("cases.view_case_export", get_object=_case_export)
def case_export_detail(request, pk, obj):
    """The job's page: a progress bar that follows the status endpoint, then the download."""
    state = job_state(obj, download_url=_case_export_download_url(obj))
    return render(request, "cases/case_export_detail.html", {"job": obj, "state": state})


@permission_required("cases.view_case_export", get_object=_case_export)
def case_export_status(request, pk, obj):
    return job_status_response(obj, download_url=_case_export_download_url(obj))


@permission_required("cases.view_case_export", get_object=_case_export)
def case_export_download(request, pk, obj):
    """The ZIP, streamed from storage, named <活动名称>-申报案例.zip."""
    return job_download_response(obj, filename=f"{obj.campaign.title}-申报案例.zip")


# --- Lists ---------------------------------------------------------------------------------


@permission_required("cases.apply")
def dashboard(request):
    """我的申报: the applicant's applications with status, phase, days left and what is missing."""
    now = timezone.now()
    rows = []
    for application in selectors.applications_of_applicant(request.user):
        campaign = application.campaign
        closes = campaign.submission_closes_at
        rows.append(
            {
                "application": application,
                "phase": campaign.phase(now),
                "days_left": (closes - now).days if closes >= now else None,
                "missing": services.application_missing(
                    application, photo_count=application.n_photos, team_count=application.n_team
                )
                if application.is_editable
                else [],
            }
        )
    return render(
        request,
        "cases/dashboard.html",
        {"rows": rows, "open_campaigns": Campaign.objects.open_for_submission(now), "now": now},
    )


@permission_required("cases.recommend")
def organisation_applications(request):
    """单位推荐: the organisation admin's queue."""
    page = Paginator(selectors.applications_for_organisation_admin(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/organisation_applications.html",
        {
            "page_obj": page,
            "applications": page.object_list,
            "is_paginated": page.has_other_pages(),
            "admin_organisations": selectors.organisations_administered(request.user),
        },
    )


@permission_required("cases.recommend_application", get_object=_application)
def application_decide(request, pk, obj):
    """所在单位推荐意见: recommend with an opinion, or send back with a reason."""
    if obj.status != Application.Status.SUBMITTED:
        messages.info(request, "该申报已处理过。")
        return redirect("cases:application_detail", pk=obj.pk)
    form = DecisionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "recommended":
                services.application_recommend(
                    application_id=obj.pk,
                    by=request.user,
                    opinion=form.cleaned_data["opinion"],
                    stamped_scan=form.cleaned_data.get("stamped_scan"),
                    request=request,
                )
                messages.success(request, "已推荐。")
            else:
                services.application_return(
                    application_id=obj.pk, by=request.user, reason=form.cleaned_data["opinion"], request=request
                )
                messages.success(request, "已退回修改，申报社工会收到邮件通知。")
            return redirect("cases:organisation_applications")
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errs in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, error.messages)
    return render(request, "cases/application_decide.html", {"application": obj, "form": form})


@permission_required("cases.list_applications")
def staff_applications(request):
    """Staff: every submitted application, filtered and searched, 25 a page."""
    campaigns = list(selectors.campaigns_for_export_buttons())
    filterset = StaffApplicationFilter(
        request.GET or None, queryset=selectors.applications_for_staff(), campaigns=campaigns
    )
    keys = [field["key"] for field in filterset.answer_fields]
    page = Paginator(selectors.applications_with_answer_columns(filterset.qs, keys=keys), 25).get_page(
        request.GET.get("page")
    )
    for application in page.object_list:
        application.answer_cells = [getattr(application, f"answer_{key}") or "" for key in keys]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/staff_applications.html",
        {
            "filter": filterset,
            "page_obj": page,
            "applications": page.object_list,
            "is_paginated": page.has_other_pages(),
            "querystring": query.urlencode(),
            "campaigns": campaigns,
            "answer_columns": [field["label"] for field in filterset.answer_fields],
        },
    )


# --- 申报表单: the staff page that edits a campaign's form --------------------------------------------------------


def _form_campaign(request, slug, **_):
    return get_object_or_404(Campaign, slug=slug)


@permission_required("cases.edit_campaign_form", get_object=_form_campaign)
def campaign_form(request, slug, obj):
    """A campaign's application form: its sections and fields, with add / edit / remove / move while it may be
    edited; read-only, saying why, once the first application is submitted (or for the official case form)."""
    from .formdef import FIELD_TYPES, SECTION_KINDS
    from .presets import preset_choices

    definition = campaign_definition(obj)
    return render(
        request,
        "cases/campaign_form.html",
        {
            "campaign": obj,
            "sections": definition.get("sections", []),
            "pledge": definition.get("pledge", ""),
            "frozen_reason": services.campaign_form_editable_reason(obj),
            "preset_label": dict(preset_choices()).get(obj.form_preset, obj.form_preset),
            "field_types": FIELD_TYPES,
            "section_kinds": SECTION_KINDS,
            "choice_fields": _choice_fields(definition),
        },
    )


def _form_page(campaign):
    return redirect("cases:campaign_form", slug=campaign.slug)


def _definition_form_page(request, campaign, form, *, save, template: str, title: str, saved: str):
    """The form editor's field and section pages: on a valid POST, `save()` (a campaign_form_* service); a frozen
    form goes back to the form page with the reason, any other refusal stays on the page beside what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as error:
            if getattr(error, "code", None) == "frozen":
                messages.error(request, error.messages[0])
                return _form_page(campaign)
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, saved)
            return _form_page(campaign)
    return render(request, template, {"campaign": campaign, "form": form, "title": title})


def _field_form_page(request, campaign, form, *, title, section_key="", original_key=""):
    return _definition_form_page(
        request,
        campaign,
        form,
        save=lambda: services.campaign_form_field_save(
            campaign=campaign,
            field=form.field_definition(),
            section_key=section_key,
            original_key=original_key,
            by=request.user,
            request=request,
        ),
        template="cases/campaign_form_field.html",
        title=title,
        saved=f"已保存字段“{form.data.get('label', '')}”。",
    )


@permission_required("cases.edit_campaign_form", get_object=_form_campaign)
def campaign_form_field_add(request, slug, obj):
    reason = services.campaign_form_editable_reason(obj)
    if reason:
        messages.error(request, reason)
        return _form_page(obj)
    sections = campaign_definition(obj).get("sections", [])
    section_key = request.GET.get("section") or request.POST.get("section") or (sections[0]["key"] if sections else "")
    section = next((s for s in sections if s.get("key") == section_key), None)
    if section is None:
        raise Http404("未找到该章节。")
    # A body section holds its long text: the new field starts as 多行文字 there.
    form = FormFieldForm(
        request.POST or None, initial={"type": "textarea" if section.get("kind") == "body" else "text"}
    )
    return _field_form_page(request, obj, form, title=f"在“{section['title']}”中新增字段", section_key=section_key)


@permission_required("cases.edit_campaign_form", get_object=_form_campaign)
def campaign_form_field_edit(request, slug, key, obj):
    from .formdef import definition_field

    field = definition_field(campaign_definition(obj), key)
    if field is None:
        raise Http404("未找到该字段。")
    reason = services.campaign_form_editable_reason(obj)
    if reason:
        messages.error(request, reason)
        return _form_page(obj)
    field = {k: v for k, v in field.items() if k != "section"}
    form = FormFieldForm(request.POST or None, initial=FormFieldForm.initial_from(field))
    return _field_form_page(request, obj, form, title=f"修改字段“{field.get('label')}”", original_key=key)


@require_POST
@permission_required("cases.edit_campaign_form", get_object=_form_campaign)
def campaign_form_field_remove(request, slug, key, obj):
    try:
        services.campaign_form_field_remove(campaign=obj, key=key, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已删除该字段。")
    return _form_page(obj)


@require_POST
@permission_required("cases.edit_campaign_form", get_object=_form_campaign)
def campaign_form_field_move(request, slug, key, obj):
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        services.campaign_form_field_move(campaign=obj, key=key, direction=direction, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return _form_page(obj)


# --- 申报表单: its sections (heading, kind, guidance that may differ by a choice field) ------------------------


def _choice_fields(definition: dict) -> list[dict]:
    from .formdef import definition_fields

    return [f for f in definition_fields(definition) if f.get("type") == "choice"]


def _section_form_page(request, campaign, form, *, title, original_key=""):
    return _definition_form_page(
        request,
        campaign,
        form,
        save=lambda: services.campaign_form_section_save(
            campaign=campaign,
            section=form.section_definition(),
            original_key=original_key,
            by=request.user,
            request=request,
        ),
        template="cases/campaign_form_section.html",
        title=title,
        saved=f"已保存章节“{form.data.get('title', '')}”。",
    )


@permission_required("cases.edit_campaign_form", get_object=_form_campaign)
def campaign_form_section_add(request, slug, obj):
    reason = services.campaign_form_editable_reason(obj)
    if reason:
        messages.error(request, reason)
        return _form_page(obj)
    choice_fields = _choice_fields(campaign_definition(obj))
    form = FormSectionForm(request.POST or None, choice_fields=choice_fields, initial={"kind": "fields"})
    return _section_form_page(request, obj, form, title="新增章节")


@permission_required("cases.edit_campaign_form", get_object=_form_campaign)
def campaign_form_section_edit(request, slug, key, obj):
    from .formdef import definition_sections

    definition = campaign_definition(obj)
    section = next((s for s in definition_sections(definition) if s.get("key") == key), None)
    if section is None:
        raise Http404("未找到该章节。")
    reason = services.campaign_form_editable_reason(obj)
    if reason:
        messages.error(request, reason)
        return _form_page(obj)
    choice_fields = _choice_fields(definition)
    form = FormSectionForm(
        request.POST or None,
        choice_fields=choice_fields,
        editing=True,
        initial=FormSectionForm.initial_from(section, choice_fields),
    )
    return _section_form_page(request, obj, form, title=f"修改章节“{section.get('title')}”", original_key=key)


@require_POST
@permission_required("cases.edit_campaign_form", get_object=_form_campaign)
def campaign_form_section_remove(request, slug, key, obj):
    try:
        services.campaign_form_section_remove(campaign=obj, key=key, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已删除该章节。")
    return _form_page(obj)


@require_POST
@permission_required("cases.edit_campaign_form", get_object=_form_campaign)
def campaign_form_section_move(request, slug, key, obj):
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        services.campaign_form_section_move(
            campaign=obj, key=key, direction=direction, by=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return _form_page(obj)
