from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accounts.imports import ImportSpec, export_response, import_page, template_response
from accounts.models import User
from accounts.permissions import PermissionMixin, permission_required
from cases.blind import Withheld, docx_blind
from cases.eligibility import eligibility_results, organisation_profile_of
from cases.formdef import answers_for_display, campaign_definition
from cases.materials import evidence_slot_name, material_groups, material_rows
from cases.models import Application, CaseAttachment, CasePhoto, Category, MaterialSlot
from cases.selectors import application_for_page
from cases.services import attachment_blind_copy_ensure, photo_thumbnail_ensure
from notifications.jobs import job_download_response, job_state, job_status_response

from . import selectors, services
from .files import neutral_name, photo_bytes_blind
from .forms import (
    CriterionEditForm,
    CriterionForm,
    FormalCheckForm,
    InviteForm,
    ReasonForm,
    ReviewSettingsForm,
    RubricImportForm,
    RubricPartForm,
    ScoreForm,
    TierFormSet,
)
from .models import Assignment, Conflict, ConflictFlag, Criterion, RankingMethod, Review, RubricPart, ScoreSheetExport

# --- helpers --------------------------------------------------------------------------------


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(slug):
    from cases.models import Campaign

    return get_object_or_404(Campaign, slug=slug)


def _messages_from(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _accepted_application(request, pk, **kwargs):
    try:
        return selectors.application_for_review(pk)
    except Application.DoesNotExist:
        raise Http404("未找到该案例。") from None


# --- Reviewer -------------------------------------------------------------------------------


class QueueView(PermissionMixin, TemplateView):
    """我的评审: the reviewer's cases (待评审 / 评审中 / 已提交) and the days left to review."""

    permission_required = "reviews.review"
    template_name = "reviews/queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pages = {name: self.request.GET.get(f"{name}_page") for name in ("assigned", "in_progress", "done")}
        context["groups"] = selectors.reviewer_queue(self.request.user, timezone.now(), pages=pages)
        return context


def _attachments_for_reviewer(application, identifiers, *, blind: bool):
    """The case's attachments; in a blind review each with its blind copy or its withholding (made on submission
    in the background; made here only if that has not happened yet)."""
    attachments = list(application.attachments.all())
    if blind:
        for attachment in attachments:
            attachment_blind_copy_ensure(attachment=attachment, identifiers=identifiers, verify=False)
    return attachments


def _leaf_evidence(tree, leaves, attachments) -> bool:
    """Give each leaf `evidence`: the (attachment, name, description) of the campaign's 佐证材料 slot named by the
    leaf's path (reviews.services.evidence_slots_generate). False, without a query, when no file is in a slot."""
    in_slots = [item for item in attachments if item[0].slot_id is not None]
    if not in_slots:
        return False
    names = dict(MaterialSlot.objects.filter(pk__in={item[0].slot_id for item in in_slots}).values_list("pk", "name"))
    by_name: dict[str, list] = {}
    for item in in_slots:
        by_name.setdefault(names.get(item[0].slot_id), []).append(item)
    paths = selectors.rubric_paths(tree)
    found = False
    for leaf in leaves:
        leaf.evidence = by_name.get(evidence_slot_name(paths[leaf.pk]), [])
        found = found or bool(leaf.evidence)
    return found


def _case_context(request, application, assignment, peers, form):
    campaign = application.campaign
    blind = campaign.blind_review
    if blind:
        selectors.case_blind_prefetch(application)
    identifiers = selectors.blind_identifiers(application) if blind else []

    def clean(text):
        return selectors.redact(text, identifiers) if blind else text

    sections = [(heading, clean(text)) for _name, heading, text in application.sections()]
    review = getattr(assignment, "review", None)
    # A defined form: its answers, without the fields marked personal in a blind review, identifiers blanked.
    answers = (
        answers_for_display(campaign_definition(campaign), application.answers, hide_personal=blind, redact=clean)
        if campaign.uses_defined_form
        else None
    )
    return {
        "application": application,
        "campaign": campaign,
        "blind": blind,
        "answers": answers,
        "title": clean(application.title),
        "sections": sections,
        "photos": [(photo, clean(photo.caption)) for photo in application.photos.all()],
        "attachments": [
            (a, neutral_name(i, a.original_name) if blind else a.original_name, clean(a.description))
            for i, a in enumerate(_attachments_for_reviewer(application, identifiers, blind=blind), start=1)
        ],
        "report_links": [] if blind else application.report_links.all(),
        "team": application.team_members.all(),
        "assignment": assignment,
        "review": review,
        "locked": review is not None and review.status == Review.Status.SUBMITTED,
        "window_open": services.review_window_open(campaign, timezone.now()),
        "form": form,
        "tree": form.tree,
        "peers": peers,
        "settings": selectors.case_review_settings(application),
        "conflict_form": ReasonForm(),
    }


@permission_required("reviews.review")
@permission_required("reviews.review_case", get_object=_accepted_application)
def case_review_view(request, pk, obj):
    """The case as the reviewer reads it (blind where the campaign says so) with the score form."""
    application = obj
    assignment, peers = selectors.case_reviews(application, request.user)
    tree = selectors.rubric_tree(application.campaign, application.category)
    leaves = selectors.rubric_leaves(tree)
    review = getattr(assignment, "review", None)
    initial_points = {s.criterion_id: s.points for s in review.scores.all()} if review else {}
    locked = review is not None and review.status == Review.Status.SUBMITTED
    window_open = services.review_window_open(application.campaign, timezone.now())
    if request.method == "POST":
        form = ScoreForm(request.POST, leaves=leaves, initial_points=initial_points)
        action = request.POST.get("action", "draft")
        if form.is_valid():
            try:
                services.review_save(
                    assignment=assignment,
                    leaves=leaves,
                    points=form.points(),
                    opinion=form.cleaned_data["opinion"],
                    submit=action in ("submit", "submit_next"),
                    request=request,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form.add_error(None, error)
                else:
                    _messages_from(request, error)
            else:
                if action == "draft":
                    messages.success(request, "评分草稿已保存。")
                    return redirect("reviews:case", pk=application.pk)
                messages.success(request, "评审已提交。")
                if action == "submit_next":
                    following = selectors.next_unreviewed(request.user, assignment)
                    if following is not None:
                        return redirect("reviews:case", pk=following.application_id)
                    messages.info(request, "您分配的案例已全部评审完毕。")
                return redirect("reviews:queue")
    else:
        form = ScoreForm(
            initial={"opinion": review.opinion if review else ""},
            leaves=leaves,
            initial_points=initial_points,
            disabled=locked or not window_open,
        )
    form.tree = tree
    for leaf in leaves:
        leaf.field = form[f"c{leaf.pk}"]
    if request.method == "POST":  # a refused save may have left an unsaved review on the assignment
        assignment, peers = selectors.case_reviews(application, request.user)
    context = _case_context(request, application, assignment, peers, form)
    context["leaf_evidence"] = _leaf_evidence(tree, leaves, context["attachments"])
    context["max_total"] = selectors.rubric_max_total(tree)
    context["part_subtotals"] = selectors.score_part_subtotals(tree, _entered_points(form, leaves, initial_points))
    return render(request, "reviews/case.html", context)


def _entered_points(form, leaves, saved: dict) -> dict:
    """The points the form shows: what was posted (a number or nothing), else what is saved."""
    if not form.is_bound:
        return saved
    entered = {}
    for leaf in leaves:
        try:
            value = Decimal(form.data.get(f"c{leaf.pk}", "").strip())
        except ArithmeticError:
            value = None
        entered[leaf.pk] = value if value is not None and value.is_finite() else None
    return entered


@require_POST
@permission_required("reviews.review")
@permission_required("reviews.review_case", get_object=_accepted_application)
def conflict_declare_view(request, pk, obj):
    """The reviewer declares a conflict with a case: they lose it and the case gets another reviewer."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写回避理由。")
        return redirect("reviews:case", pk=pk)
    services.conflict_add(
        application=obj,
        reviewer=request.user,
        source=Conflict.Source.DECLARED,
        reason=form.cleaned_data["reason"],
        by=request.user,
        request=request,
    )
    messages.success(request, "已登记回避，该案例将另行分配。")
    return redirect("reviews:queue")


@permission_required("reviews.review")
@permission_required("reviews.review_case", get_object=_accepted_application)
def case_docx_view(request, pk, obj):
    """The case as a Word file laid out like the 报名表; in a blind review without who filed it, under its
    reference, with the applicant's identifying strings scrubbed from the text and the metadata."""
    from cases.docx_export import application_docx, application_docx_filename

    blind = obj.campaign.blind_review
    data = application_docx(obj, blind=blind)
    if blind:
        try:
            data = docx_blind(data, selectors.blind_identifiers(obj))
        except Withheld:
            messages.error(request, "匿名版本无法生成，请联系工作人员。")
            return redirect("reviews:case", pk=obj.pk)
    filename = application_docx_filename(obj, blind=blind)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _photo(request, pk):
    return get_object_or_404(CasePhoto.objects.select_related("application__campaign"), pk=pk)


def _attachment(request, pk):
    return get_object_or_404(CaseAttachment.objects.select_related("application__campaign"), pk=pk)


@permission_required("reviews.view_case_file", get_object=_photo)
def photo_view(request, pk, obj):
    """A service photo for the case's reviewers and staff; re-encoded without metadata in a blind review.
    ?size=thumb: the small JPEG the case page shows (pixels only, so blind-safe too)."""
    if request.GET.get("size") == "thumb":
        # The stored thumbnail (made once, from pixels only: blind-safe too).
        response = FileResponse(
            default_storage.open(photo_thumbnail_ensure(photo=obj), "rb"), content_type="image/jpeg"
        )
    elif obj.application.campaign.blind_review and not request.user.is_staff:
        with obj.image.open("rb") as f:
            data, content_type = photo_bytes_blind(f)
        response = HttpResponse(data, content_type=content_type)
    else:
        response = FileResponse(obj.image.open("rb"))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required("reviews.view_case_file", get_object=_attachment)
def attachment_view(request, pk, obj):
    """An attachment for the case's reviewers and staff; in a blind review the blind copy under a neutral name,
    or a neutral page when the attachment is withheld from reviewers."""
    application = obj.application
    if application.campaign.blind_review and not request.user.is_staff:
        identifiers = selectors.blind_identifiers(application_for_page(application.pk))
        attachment_blind_copy_ensure(attachment=obj, identifiers=identifiers)
        if obj.blind_withheld_reason:
            return render(request, "reviews/attachment_withheld.html", status=404)
        position = list(application.attachments.order_by("id").values_list("pk", flat=True)).index(obj.pk) + 1
        filename = neutral_name(position, obj.original_name)
        response = FileResponse(obj.blind_file.open("rb"), content_type=obj.content_type or "application/octet-stream")
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        response = FileResponse(
            obj.file.open("rb"), as_attachment=True, filename=obj.original_name, content_type=obj.content_type
        )
    response["Cache-Control"] = "private, no-store"
    return response


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: the expert sets a password (Django's token, spent once the password changes)."""

    template_name = "reviews/invitation_accept.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, "密码已设置，请用电子邮箱和新密码登录。")
        return super().form_valid(form)


# --- Staff ----------------------------------------------------------------------------------


class StaffMixin(PermissionMixin):
    permission_required = "reviews.manage_review"


class ManageView(StaffMixin, TemplateView):
    template_name = "reviews/manage.html"

    def get_context_data(self, **kwargs):
        from cases.models import Campaign

        context = super().get_context_data(**kwargs)
        context["campaigns"] = Campaign.objects.order_by("-review_opens_at")
        return context


class CampaignStaffView(StaffMixin, TemplateView):
    def get_campaign(self):
        return _campaign(self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.campaign = self.get_campaign()
        return context


class FormalCheckView(CampaignStaffView):
    """形式审查: the cases waiting for the check, each with the notice's checklist and the three decisions."""

    template_name = "reviews/formal_check.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        applications = list(selectors.formal_check_queue(self.campaign))
        slots = list(self.campaign.material_slots.all())  # 申报材料 and 申报资格: read once for the page
        rules = list(self.campaign.eligibility_rules.all())
        for application in applications:
            application.campaign = self.campaign
            application.check_items = selectors.formal_check_items(application)
            # A defined form's fields (not its long texts) beside the checklist; the full text is one click away.
            application.answer_summary = (
                [
                    section
                    for section in answers_for_display(campaign_definition(self.campaign), application.answers)
                    if section["kind"] != "body"
                ]
                if self.campaign.uses_defined_form
                else None
            )
            application.material_rows = material_rows(slots=slots, attachments=list(application.attachments.all()))
            application.material_groups = material_groups(application.material_rows)
            application.eligibility = eligibility_results(
                organisation=application.organisation,
                campaign=self.campaign,
                rules=rules,
                profile=organisation_profile_of(application.organisation),
            )
            # Staff see, before accepting, which attachments blind reviewers will not get, and why.
            application.attachment_list = _attachments_for_reviewer(
                application,
                selectors.blind_identifiers(application) if self.campaign.blind_review else [],
                blind=self.campaign.blind_review,
            )
        context["applications"] = applications
        return context


@require_POST
@permission_required("reviews.manage_review")
def formal_check_decide_view(request, pk):
    application = get_object_or_404(Application.objects.select_related("campaign", "applicant"), pk=pk)
    form = FormalCheckForm(request.POST)
    target = reverse("reviews:formal_check", kwargs={"slug": application.campaign.slug})
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{application.title}：{error}")
        return redirect(target)
    data = form.cleaned_data
    try:
        if data["decision"] == "accept":
            services.application_accept(application=application, by=request.user, request=request)
            messages.success(request, f"{application.title}：形式审查通过。")
        elif data["decision"] == "return":
            services.application_return(
                application=application,
                reason=data["reason"],
                resubmit_until=data["resubmit_until"],
                by=request.user,
                request=request,
            )
            messages.success(request, f"{application.title}：已退回修改，并通知申报人。")
        else:
            services.application_reject(
                application=application, reason=data["reason"], by=request.user, request=request
            )
            messages.success(request, f"{application.title}：不予受理，已通知申报人。")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"{application.title}：{message}")
    return redirect(target)


class PoolView(CampaignStaffView):
    """评审专家库 and this campaign's panel; ?password=unset lists the experts who have not set a password yet."""

    template_name = "reviews/pool.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        password_unset = self.request.GET.get("password") == "unset"
        context["profiles"] = selectors.reviewer_pool(self.campaign, password_unset=password_unset)
        context["password_unset"] = password_unset
        context["form"] = kwargs.get("form") or InviteForm(domains=self.campaign.domains)
        return context

    def post(self, request, *args, **kwargs):
        campaign = _campaign(kwargs["slug"])
        form = InviteForm(request.POST, domains=campaign.domains)
        if form.is_valid():
            try:
                services.reviewer_invite(**form.cleaned_data, campaign=campaign, by=request.user, request=request)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"已向 {form.cleaned_data['email']} 发送评审专家邀请。")
                return redirect("reviews:pool", slug=campaign.slug)
        return self.render_to_response(self.get_context_data(form=form, **kwargs))


def _experts_spec(campaign) -> ImportSpec:
    return ImportSpec(
        key="experts",
        title="导入评审专家",
        columns=services.EXPERT_COLUMNS,
        check=lambda rows: services.experts_import_check(rows=rows, campaign=campaign),
        commit=lambda **kw: services.experts_import(campaign=campaign, **kw),
        done_message="已导入 {count} 位评审专家，并已向每位专家发送设置密码的邀请邮件。",
    )


@permission_required("reviews.manage_review")
def experts_import_view(request, slug):
    """导入评审专家 from an .xlsx/.csv: preview with a message per bad row, then all rows or none."""
    campaign = _campaign(slug)
    return import_page(
        request,
        spec=_experts_spec(campaign),
        scope=str(campaign.pk),
        context={
            "campaign": campaign,
            "nav_template": "reviews/_staff_nav.html",
            "back_url": reverse("reviews:pool", kwargs={"slug": slug}),
            "back_label": "评审专家库",
            "options": [{"name": "add_to_panel", "label": f"同时加入“{campaign.title}”的评审组", "checked": True}],
        },
        template_url=reverse("reviews:experts_template", kwargs={"slug": slug}),
        done_url=reverse("reviews:pool", kwargs={"slug": slug}),
        commit_options=lambda post: {"add_to_panel": post.get("add_to_panel") == "1"},
    )


@permission_required("reviews.manage_review")
def experts_template_view(request, slug):
    return template_response(_experts_spec(_campaign(slug)))


@require_POST  # a file of the whole pool: asked for with a button, never by a link a crawler or prefetch follows
@permission_required("reviews.manage_review")
def experts_export_view(request, slug):
    """The expert pool as .xlsx, in the import's columns (the unit's credit code where it is registered)."""
    campaign = _campaign(slug)
    rows = (
        [
            p.user.name,
            p.organisation,
            p.organisation_ref.credit_code if p.organisation_ref_id else "",
            p.title,
            "、".join(p.expertise or []),
            p.user.phone or p.contact,
            p.user.email,
        ]
        for p in selectors.reviewer_pool()
    )
    return export_response(
        columns=services.EXPERT_COLUMNS, rows=rows, filename=f"{campaign.title}-评审专家库.xlsx", title="评审专家库"
    )


@require_POST
@permission_required("reviews.manage_review")
def invitation_resend_view(request, slug, user_pk):
    campaign = _campaign(slug)
    reviewer = get_object_or_404(User, pk=user_pk, is_reviewer=True)
    try:
        services.reviewer_invitation_resend(reviewer=reviewer, campaign=campaign, by=request.user, request=request)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, f"已向 {reviewer.name}（{reviewer.email}）重发邀请邮件。")
    target = reverse("reviews:pool", kwargs={"slug": slug})
    if request.POST.get("password") == "unset":
        target += "?password=unset"
    return redirect(target)


@require_POST
@permission_required("reviews.manage_review")
def panel_toggle_view(request, slug, user_pk):
    campaign = _campaign(slug)
    reviewer = get_object_or_404(User, pk=user_pk, is_reviewer=True)
    services.panel_set_active(
        campaign=campaign, reviewer=reviewer, active=request.POST.get("active") == "1", by=request.user, request=request
    )
    return redirect("reviews:pool", slug=slug)


class RubricView(CampaignStaffView):
    """评分指标: the parts and the tree with roll-ups, editable until the first score; import and export."""

    template_name = "reviews/rubric.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        criteria = list(self.campaign.criteria.select_related("part"))
        parts = selectors.rubric_parts(self.campaign)
        trees = selectors.rubric_trees(self.campaign, criteria)
        context["trees"] = [
            (v, label, t, selectors.rubric_max_total(t), selectors.rubric_part_totals(t, parts) if parts else [])
            for v, label, t in trees
        ]
        context["parts"] = parts
        context["has_criteria"] = bool(criteria)
        context["locked"] = services.rubric_is_locked(self.campaign)
        context["form"] = kwargs.get("form") or CriterionForm(
            campaign=self.campaign, parent_choices=selectors.criterion_parent_choices(trees), parts=parts
        )
        context["part_form"] = kwargs.get("part_form") or RubricPartForm()
        return context

    def post(self, request, *args, **kwargs):
        campaign = _campaign(kwargs["slug"])
        action = request.POST.get("action")
        if action == "default":
            if services.rubric_ensure(campaign=campaign, by=request.user, request=request):
                messages.success(request, "已使用默认评分指标：真实性、专业性、完整性、示范性。")
            return redirect("reviews:rubric", slug=campaign.slug)
        if action == "part":
            part_form = RubricPartForm(request.POST)
            if part_form.is_valid():
                try:
                    services.rubric_part_add(
                        campaign=campaign, by=request.user, request=request, **part_form.cleaned_data
                    )
                except ValidationError as error:
                    part_form.add_error(None, error)
                else:
                    messages.success(request, "评分部分已添加。")
                    return redirect("reviews:rubric", slug=campaign.slug)
            return self.render_to_response(self.get_context_data(part_form=part_form, **kwargs))
        criteria = list(campaign.criteria.select_related("part"))
        form = CriterionForm(
            request.POST,
            campaign=campaign,
            parent_choices=selectors.criterion_parent_choices(selectors.rubric_trees(campaign, criteria)),
            parts=selectors.rubric_parts(campaign),
        )
        if form.is_valid():
            try:
                services.criterion_add(campaign=campaign, by=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "评分指标已添加。")
                return redirect("reviews:rubric", slug=campaign.slug)
        return self.render_to_response(self.get_context_data(form=form, **kwargs))


@permission_required("reviews.manage_review")
def criterion_edit_view(request, pk):
    criterion = get_object_or_404(Criterion.objects.select_related("campaign"), pk=pk)
    campaign = criterion.campaign
    fields = ("name", "description", "max_points", "weight")
    initial = {f: getattr(criterion, f) for f in fields} | {"parent": criterion.parent_id, "part": criterion.part_id}
    form = CriterionEditForm(
        request.POST or None,
        initial=initial,
        criterion=criterion,
        parent_choices=selectors.criterion_parent_choices(selectors.rubric_trees(campaign), exclude=criterion),
        parts=selectors.rubric_parts(campaign),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(criterion=criterion, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "评分指标已修改。")
            return redirect("reviews:rubric", slug=campaign.slug)
    return render(request, "reviews/criterion_edit.html", {"form": form, "criterion": criterion, "campaign": campaign})


@require_POST
@permission_required("reviews.manage_review")
def criterion_move_view(request, pk):
    """上移 / 下移 among the criterion's siblings."""
    criterion = get_object_or_404(Criterion.objects.select_related("campaign"), pk=pk)
    try:
        services.criterion_move(
            criterion=criterion, direction=request.POST.get("direction", ""), by=request.user, request=request
        )
    except ValidationError as error:
        _messages_from(request, error)
    return redirect(reverse("reviews:rubric", kwargs={"slug": criterion.campaign.slug}) + f"#c{criterion.pk}")


@require_POST
@permission_required("reviews.manage_review")
def criterion_delete_view(request, pk):
    criterion = get_object_or_404(Criterion.objects.select_related("campaign"), pk=pk)
    try:
        services.criterion_delete(criterion=criterion, by=request.user, request=request)
        messages.success(request, "评分指标已删除。")
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("reviews:rubric", slug=criterion.campaign.slug)


@require_POST
@permission_required("reviews.manage_review")
def rubric_part_edit_view(request, pk):
    """Rename a part or mark it 按县区整体评价 (one line per part on the rubric page)."""
    part = get_object_or_404(RubricPart.objects.select_related("campaign"), pk=pk)
    form = RubricPartForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{part.name}：{error}")
    else:
        try:
            services.rubric_part_update(part=part, by=request.user, request=request, **form.cleaned_data)
            messages.success(request, f"评分部分“{part.name}”已保存。")
        except ValidationError as error:
            _messages_from(request, error)
    return redirect("reviews:rubric", slug=part.campaign.slug)


@require_POST
@permission_required("reviews.manage_review")
def rubric_part_delete_view(request, pk):
    part = get_object_or_404(RubricPart.objects.select_related("campaign"), pk=pk)
    try:
        services.rubric_part_delete(part=part, by=request.user, request=request)
        messages.success(request, f"评分部分“{part.name}”已删除，其指标改为不分部分。")
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("reviews:rubric", slug=part.campaign.slug)


@permission_required("reviews.manage_review")
def rubric_template_view(request):
    """The blank 评分指标表 template (not a campaign's data: a GET is fine)."""
    from .rubric_xlsx import rubric_template_bytes

    response = HttpResponse(rubric_template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "评分指标导入模板.xlsx")
    return response


@require_POST
@permission_required("reviews.manage_review")
def rubric_export_view(request, slug):
    """The campaign's shared rubric in the template's shape (a small file: written in the request, on a POST
    like every campaign export)."""
    from .rubric_xlsx import rubric_export_bytes

    campaign = _campaign(slug)
    try:
        data = rubric_export_bytes(selectors.rubric_tree(campaign))
    except ValidationError as error:
        _messages_from(request, error)
        return redirect("reviews:rubric", slug=slug)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{campaign.title}-评分指标.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response


IMPORT_SALT = "reviews.rubric_import"


class RubricImportView(CampaignStaffView):
    """导入评分指标: the upload, then a preview with a message per bad row; nothing is written until the
    confirmation (rubric_import_confirm_view), which gets the checked rows signed in the page."""

    template_name = "reviews/rubric_import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RubricImportForm())
        context["locked"] = services.rubric_is_locked(self.campaign)
        context["existing"] = self.campaign.criteria.count()
        return context

    def post(self, request, *args, **kwargs):
        from .rubric_xlsx import rubric_part_sums, rubric_plan, rubric_rows_check, rubric_rows_dump, rubric_rows_read

        form = RubricImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, **kwargs))
        stated_max = form.cleaned_data["stated_max"]
        check = rubric_rows_check(rubric_rows_read(form.cleaned_data["file"]), stated_max=stated_max)
        context = self.get_context_data(form=form, **kwargs)
        context["check"] = check
        context["rows"] = [(row, check.row_errors.get(row.line, [])) for row in check.rows]
        if check.ok:
            plan = rubric_plan(check.rows)
            context["plan"] = plan
            context["levels"] = [sum(1 for n in plan if n["depth"] == d) for d in range(3)]
            context["grand_total"] = sum(Decimal(r.points) for r in check.rows)
            context["part_sums"] = rubric_part_sums(check.rows)
            context["signed"] = signing.dumps(
                {
                    "campaign": self.campaign.pk,
                    "rows": rubric_rows_dump(check.rows),
                    "stated_max": str(stated_max) if stated_max is not None else "",
                },
                salt=IMPORT_SALT,
                compress=True,
            )
        return self.render_to_response(context)


@require_POST
@permission_required("reviews.manage_review")
def rubric_import_confirm_view(request, slug):
    from .rubric_xlsx import rubric_rows_load

    campaign = _campaign(slug)
    try:
        payload = signing.loads(request.POST.get("plan", ""), salt=IMPORT_SALT, max_age=60 * 60)
    except signing.BadSignature:
        messages.error(request, "导入预览已失效，请重新上传文件。")
        return redirect("reviews:rubric_import", slug=slug)
    if payload.get("campaign") != campaign.pk:
        messages.error(request, "导入预览不属于本评选活动，请重新上传文件。")
        return redirect("reviews:rubric_import", slug=slug)
    try:
        created = services.rubric_import(
            campaign=campaign,
            rows=rubric_rows_load(payload["rows"]),
            stated_max=Decimal(payload["stated_max"]) if payload["stated_max"] else None,
            by=request.user,
            request=request,
        )
    except ValidationError as error:
        _messages_from(request, error)
        return redirect("reviews:rubric_import", slug=slug)
    messages.success(request, f"评分指标已导入：共 {len(created)} 项。")
    return redirect("reviews:rubric", slug=slug)


@require_POST
@permission_required("cases.configure_campaign")
def evidence_slots_generate_view(request, slug):
    """按评分指标生成佐证材料, from the campaign's 申报材料 page (cases:campaign_materials), back to it."""
    campaign = _campaign(slug)
    try:
        added = services.evidence_slots_generate(campaign=campaign, by=request.user, request=request)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        if added:
            messages.success(request, f"已按评分指标生成 {added} 项佐证材料（选交）。")
        else:
            messages.info(request, "每个观测点都已有佐证材料，没有新增。")
    return redirect("cases:campaign_materials", slug=campaign.slug)


class SettingsView(CampaignStaffView):
    template_name = "reviews/settings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ReviewSettingsForm(
            instance=selectors.review_settings_get(campaign=self.campaign)
        )
        return context

    def post(self, request, *args, **kwargs):
        campaign = _campaign(kwargs["slug"])
        form = ReviewSettingsForm(request.POST, instance=selectors.review_settings_get(campaign=campaign))
        if form.is_valid():
            form.save()
            messages.success(request, "评审设置已保存。")
            return redirect("reviews:settings", slug=campaign.slug)
        return self.render_to_response(self.get_context_data(form=form, **kwargs))


class TiersView(CampaignStaffView):
    """奖项等级: the campaign's graded tiers as rows (name, kind, value, award or result), in ranking order."""

    template_name = "reviews/tiers.html"

    def _formset(self, data=None):
        tiers = selectors.tier_rules(campaign=self.campaign)
        initial = [
            {"name": t.name, "by": t.by, "value": t.value.normalize(), "is_award": t.is_award, "ORDER": i}
            for i, t in enumerate(tiers, start=1)
        ]
        max_total = selectors.rubric_max_total(selectors.rubric_tree(self.campaign)) or None
        return TierFormSet(data, initial=None if data else initial, prefix="tiers", max_total=max_total)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["formset"] = kwargs.get("formset") or self._formset()
        settings_row = selectors.review_settings_get(campaign=self.campaign)
        context["confirmed"] = settings_row.decision_confirmed_at is not None
        context["saved"] = self.campaign.tier_rules.exists()
        return context

    def post(self, request, *args, **kwargs):
        self.campaign = _campaign(kwargs["slug"])
        formset = self._formset(request.POST)
        if formset.is_valid():
            try:
                services.tiers_save(campaign=self.campaign, tiers=formset.tiers(), by=request.user, request=request)
            except ValidationError as error:
                _messages_from(request, error)
            else:
                messages.success(request, "奖项等级已保存。")
                return redirect("reviews:tiers", slug=self.campaign.slug)
        return self.render_to_response(self.get_context_data(formset=formset, **kwargs))


class AssignmentsView(CampaignStaffView):
    """评审分配: every accepted case with its reviewers and conflicts."""

    template_name = "reviews/assignments.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applications"] = selectors.assignment_overview(self.campaign)
        context["reviewers"] = User.objects.filter(is_reviewer=True, is_active=True).order_by("name")
        context["settings"] = selectors.review_settings_get(campaign=self.campaign)
        context["flags"] = selectors.conflict_flags_pending(self.campaign)
        return context


@require_POST
@permission_required("reviews.manage_review")
def assign_auto_view(request, slug):
    campaign = _campaign(slug)
    count, short = services.assignments_auto(campaign=campaign, by=request.user, request=request)
    messages.success(request, f"自动分配完成：新增 {count} 条评审分配。")
    if short:
        messages.warning(request, f"{len(short)} 个案例可分配的评审专家不足，请扩充评审组或手工分配。")
    return redirect("reviews:assignments", slug=slug)


def _application(request, pk, **kwargs):
    return get_object_or_404(Application.objects.select_related("campaign"), pk=pk)


def _reviewer_from_post(request):
    try:
        return User.objects.get(pk=int(request.POST.get("reviewer", "")), is_reviewer=True)
    except (ValueError, User.DoesNotExist):
        return None


@require_POST
@permission_required("reviews.manage_review")
def assignment_add_view(request, pk):
    application = _application(request, pk)
    reviewer = _reviewer_from_post(request)
    if reviewer is None:
        messages.error(request, "请选择评审专家。")
    else:
        try:
            services.assignment_add(application=application, reviewer=reviewer, by=request.user, request=request)
            messages.success(request, f"已分配 {reviewer.name} 评审。")
        except ValidationError as error:
            _messages_from(request, error)
    return redirect("reviews:assignments", slug=application.campaign.slug)


@require_POST
@permission_required("reviews.manage_review")
def assignment_remove_view(request, pk):
    assignment = get_object_or_404(Assignment.objects.select_related("application__campaign", "reviewer"), pk=pk)
    try:
        services.assignment_remove(assignment=assignment, by=request.user, request=request)
        messages.success(request, "已取消分配。")
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("reviews:assignments", slug=assignment.application.campaign.slug)


@require_POST
@permission_required("reviews.manage_review")
def conflict_add_view(request, pk):
    application = _application(request, pk)
    reviewer = _reviewer_from_post(request)
    if reviewer is None:
        messages.error(request, "请选择评审专家。")
    else:
        try:
            services.conflict_add(
                application=application,
                reviewer=reviewer,
                source=Conflict.Source.STAFF,
                reason=request.POST.get("reason", ""),
                by=request.user,
                request=request,
            )
            messages.success(request, f"已登记 {reviewer.name} 回避该案例。")
        except ValidationError as error:
            _messages_from(request, error)
    return redirect("reviews:assignments", slug=application.campaign.slug)


def _flag(request, pk, **kwargs):
    return get_object_or_404(ConflictFlag.objects.select_related("application__campaign", "reviewer"), pk=pk)


@require_POST
@permission_required("reviews.manage_review")
def conflict_flag_decide_view(request, pk):
    """疑似回避: staff confirm (the expert must avoid the case) or dismiss (not the same unit)."""
    flag = _flag(request, pk)
    try:
        if request.POST.get("decision") == "confirm":
            services.conflict_flag_confirm(flag=flag, by=request.user, request=request)
            messages.success(request, f"已确认 {flag.reviewer.name} 回避该案例。")
        elif request.POST.get("decision") == "dismiss":
            services.conflict_flag_dismiss(flag=flag, by=request.user, request=request)
            messages.success(request, f"已排除：{flag.reviewer.name} 的工作单位与申报单位不是同一单位。")
        else:
            messages.error(request, "请选择“确认回避”或“排除”。")
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("reviews:assignments", slug=flag.application.campaign.slug)


@require_POST
@permission_required("reviews.manage_review")
def review_reopen_view(request, pk):
    review = get_object_or_404(Review.objects.select_related("assignment__application__campaign"), pk=pk)
    try:
        services.review_reopen(review=review, reason=request.POST.get("reason", ""), by=request.user, request=request)
        messages.success(request, "评审已重新开放，专家可再次修改。")
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("reviews:assignments", slug=review.assignment.application.campaign.slug)


class RankingView(CampaignStaffView):
    """排名: every aggregate, the chosen ranking score, disagreement flags, tiers and each reviewer's total."""

    template_name = "reviews/ranking.html"

    def get_campaign(self):
        # With a flag that spares the ranking its special-prize query when the campaign has none.
        return get_object_or_404(selectors.campaigns_for_ranking(), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        category = self.request.GET.get("category", "")
        domain = self.request.GET.get("domain", "")
        sort = self.request.GET.get("sort", "")
        sort = sort if sort in selectors.RANKING_SORTS else ""
        context["ranking"] = selectors.ranking(
            self.campaign, category=category, domain=domain, sort=sort, page=self.request.GET.get("page") or 1
        )
        context["page_obj"] = context["ranking"].page
        context["sorts"] = [(key, label) for key, (label, _field) in selectors.RANKING_SORTS.items()]
        context["sort"] = sort
        context["method_label"] = RankingMethod(context["ranking"].method).label
        context["calibration"], context["panel_mean"], context["panel_sd"] = selectors.calibration_table(self.campaign)
        context["categories"] = Category.choices
        context["category"], context["domain"] = category, domain
        context["parts"] = context["ranking"].parts
        selectors.ranking_part_subtotals(context["ranking"], context["parts"])
        return context


class RollupView(CampaignStaffView):
    """区县汇总排名: the ranking rolled up over a grouping (汇总依据: the organisations' 所属区镇 or a choice field
    of the form, such as a station's 所属县（区）), in thirds."""

    template_name = "reviews/rollup.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grouping, choices = selectors.rollup_grouping(self.campaign, self.request.GET.get("by"))
        context["rollup"] = selectors.rollup(self.campaign, key=grouping.key)
        context["grouping"] = grouping
        context["groupings"] = choices
        context["key_label"] = grouping.label
        return context


@require_POST
@permission_required("reviews.manage_review")
def tier_override_view(request, pk):
    application = _application(request, pk)
    try:
        services.tier_override(
            application=application,
            tier=request.POST.get("tier", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
            request=request,
        )
        messages.success(request, f"{application.reference or application.title}：奖项等级已调整。")
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("reviews:ranking", slug=application.campaign.slug)


@require_POST
@permission_required("reviews.manage_review")
def decision_confirm_view(request, slug):
    campaign = _campaign(slug)
    try:
        awarded = services.decision_confirm(
            campaign=campaign,
            by=request.user,
            incomplete_reason=request.POST.get("incomplete_reason", ""),
            request=request,
        )
        messages.success(request, f"评审结果已确认：{awarded} 个案例获奖，公示期将展示此名单。")
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("reviews:ranking", slug=slug)


@require_POST
@permission_required("reviews.manage_review")
def reviewers_notify_view(request, slug):
    campaign = _campaign(slug)
    sent = services.reviewers_notify(campaign=campaign, by=request.user, request=request)
    messages.success(request, f"已向 {sent} 位评审专家发送评审任务通知。")
    return redirect("reviews:assignments", slug=slug)


@require_POST
@permission_required("reviews.manage_review")
def score_sheet_view(request, slug):
    """评分汇总表 (.xlsx) for the committee: a background job; the page that follows it shows its progress."""
    job = services.score_sheet_export_start(campaign=_campaign(slug), by=request.user, request=request)
    return redirect("reviews:score_sheet_detail", pk=job.pk)


def _score_sheet_export(pk):
    return get_object_or_404(ScoreSheetExport.objects.select_related("campaign", "requested_by"), pk=pk)


def _score_sheet_download_url(job: ScoreSheetExport) -> str:
    return reverse("reviews:score_sheet_download", args=[job.pk])


@permission_required("reviews.manage_review")
def score_sheet_detail_view(request, pk):
    job = _score_sheet_export(pk)
    state = job_state(job, download_url=_score_sheet_download_url(job))
    return render(request, "reviews/score_sheet_detail.html", {"job": job, "state": state, "campaign": job.campaign})


@permission_required("reviews.manage_review")
def score_sheet_status_view(request, pk):
    job = _score_sheet_export(pk)
    return job_status_response(job, download_url=_score_sheet_download_url(job))


@permission_required("reviews.manage_review")
def score_sheet_download_view(request, pk):
    job = _score_sheet_export(pk)
    return job_download_response(job, filename=f"{job.campaign.title}-评分汇总表.xlsx", content_type=XLSX)
