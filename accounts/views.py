from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView, TemplateView

from .audit import audit_record
from .audit_export import audit_csv_response, audit_xlsx_response
from .client import ip_throttle_hit
from .filters import AuditEventFilter
from .forms import (
    LoginForm,
    OrganisationDecisionForm,
    OrganisationProfileForm,
    PortalPasswordResetForm,
    ProfileForm,
    SignUpForm,
)
from .imports import ImportSpec, export_response, import_page, template_response
from .models import AuditEvent, Organisation, OrganisationProfile
from .permissions import PermissionMixin, permission_required
from .selectors import audit_events, organisations_pending
from .services import (
    ORGANISATION_COLUMNS,
    PROFILE_FIELDS,
    organisation_decide,
    organisation_profile_save,
    organisations_import,
    organisations_import_check,
    password_reset_send,
    profile_update,
    user_activate,
    user_sign_up,
)

IP_LIMITED_MESSAGE = (
    "您所在的网络地址登录失败次数过多，已暂停从该地址登录 {minutes} 分钟。请稍后再试，或通过“忘记密码”重设密码。"
)
EMAIL_REQUESTS_LIMITED_MESSAGE = "该网络地址的请求过于频繁，请一小时后再试。"


def _login_failures_over_limit(request, *, count: bool) -> bool:
    return ip_throttle_hit(
        request,
        scope="login-failure",
        limit=settings.LOGIN_IP_FAILURE_LIMIT,
        window_seconds=settings.LOGIN_IP_WINDOW_MINUTES * 60,
        count=count,
    )


def _email_requests_over_limit(request, scope: str) -> bool:
    """Sign-ups and reset requests send e-mail to the address typed: a cap per address stops the
    portal being used to flood someone's mailbox."""
    return ip_throttle_hit(request, scope=scope, limit=settings.ACCOUNT_EMAIL_IP_LIMIT, window_seconds=60 * 60)


class LoginView(auth_views.LoginView):
    """Besides django-axes' lock-out of one account after a few failures, an address with many
    failures across accounts (a password spray) is stopped for a while."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if _login_failures_over_limit(request, count=False):
            form = LoginForm(request, initial={"username": request.POST.get("username", "")})
            message = IP_LIMITED_MESSAGE.format(minutes=settings.LOGIN_IP_WINDOW_MINUTES)
            return render(request, self.template_name, {"form": form, "locked_out_message": message}, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        _login_failures_over_limit(self.request, count=True)
        return super().form_invalid(form)


class SignUpView(FormView):
    form_class = SignUpForm
    template_name = "accounts/signup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        if _email_requests_over_limit(self.request, "signup"):
            form.add_error(None, EMAIL_REQUESTS_LIMITED_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        data = form.cleaned_data
        try:
            user_sign_up(
                email=data["email"],
                name=data["name"],
                phone=data["phone"],
                password=data["password1"],
                organisation=None if data.get("request_new_organisation") else data["organisation"],
                new_organisation=form.new_organisation(),
                request=self.request,
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        # The same page whether or not the address was registered (the e-mail says which).
        return render(self.request, "accounts/signup_done.html", {"email": data["email"]})


def activate_view(request, uidb64, token):
    """The link in the sign-up e-mail: switches the account on and logs its owner in."""
    user = user_activate(uidb64=uidb64, token=token, request=request)
    if user is None:
        messages.error(request, "注册验证链接无效、已使用或已过期。如已完成验证，请直接登录；否则请重新注册。")
        return redirect("home")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if user.memberships.filter(organisation__status=Organisation.Status.PENDING).exists():
        messages.info(request, "注册成功。新增机构申请已提交，民政局工作人员审核通过后即可以该机构名义申报。")
    else:
        messages.success(request, f"注册成功，欢迎您，{user.name}！")
    return redirect("home")


class ProfileView(PermissionMixin, FormView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:profile")

    def get_initial(self):
        return {"name": self.request.user.name, "phone": self.request.user.phone}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = self.request.user.memberships.select_related("organisation")
        return context

    def form_valid(self, form):
        profile_update(user=self.request.user, request=self.request, **form.cleaned_data)
        messages.success(self.request, "个人信息已保存。")
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(kind=AuditEvent.Kind.PASSWORD_CHANGE, request=self.request)
        messages.success(self.request, "密码已修改。")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if _email_requests_over_limit(self.request, "password-reset"):
            form.add_error(None, EMAIL_REQUESTS_LIMITED_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        password_reset_send(email=form.cleaned_data["email"], request=self.request)
        return redirect(self.success_url)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(kind=AuditEvent.Kind.PASSWORD_RESET, request=self.request, user=form.user)
        return response


class ManageView(PermissionMixin, TemplateView):
    permission_required = "accounts.manage_portal"
    template_name = "accounts/manage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending_organisations"] = organisations_pending().count()
        from events.models import Festival  # the events card links each festival's units page

        context["manage_festivals"] = Festival.objects.order_by("-year", "-starts_on")[:5]
        return context


class OrganisationRequestListView(PermissionMixin, ListView):
    permission_required = "accounts.decide_organisation"
    template_name = "accounts/organisation_requests.html"
    context_object_name = "organisations"
    paginate_by = 50

    def get_queryset(self):
        return organisations_pending()


@require_POST
@permission_required("accounts.decide_organisation")
def organisation_decide_view(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结果。")
        return redirect("accounts:organisation_requests")
    try:
        organisation_decide(
            organisation=organisation,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
            by=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已审核机构“{organisation.name}”。")
    return redirect("accounts:organisation_requests")


ORGANISATIONS_IMPORT = ImportSpec(
    key="organisations",
    title="导入机构",
    columns=ORGANISATION_COLUMNS,
    check=lambda rows: organisations_import_check(rows=rows),
    commit=organisations_import,
    done_message="已导入 {count} 个机构，审核状态为“已通过”。",
)


@permission_required("accounts.import_organisations")
def organisations_import_view(request):
    """导入机构 from an .xlsx/.csv: preview with a message per bad row, then all rows or none, as approved."""
    return import_page(
        request,
        spec=ORGANISATIONS_IMPORT,
        scope="all",
        context={"back_url": reverse("accounts:manage"), "back_label": "管理后台"},
        template_url=reverse("accounts:organisations_template"),
        done_url=reverse("accounts:manage"),
    )


@permission_required("accounts.import_organisations")
def organisations_template_view(request):
    return template_response(ORGANISATIONS_IMPORT)


@permission_required("accounts.import_organisations")
def organisations_export_view(request):
    """The approved organisations as .xlsx, in the import's columns."""
    rows = (
        [o.name, o.credit_code, o.district, o.get_kind_display()]
        for o in Organisation.objects.filter(status=Organisation.Status.APPROVED).order_by("name")
    )
    return export_response(columns=ORGANISATION_COLUMNS, rows=rows, filename="机构名录.xlsx", title="机构名录")


class AuditLogView(PermissionMixin, ListView):
    permission_required = "accounts.view_auditevent"
    template_name = "accounts/audit_log.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = AuditEventFilter(self.request.GET or None, queryset=audit_events())
        return self.filterset.qs

    def get(self, request, *args, **kwargs):
        # ?export=csv|xlsx: the same filtered events as the page, as a file (the export is audited).
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            events = self.get_queryset()
            detail = f"导出审计日志（{export}）：{request.GET.urlencode()}"[:500]
            audit_record(kind=AuditEvent.Kind.OTHER, request=request, detail=detail)
            return audit_csv_response(events) if export == "csv" else audit_xlsx_response(events)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context["querystring"] = query.urlencode()
        return context


LOCKED_OUT_MESSAGE = "登录失败次数过多，该账户已被暂时锁定 {minutes} 分钟。请稍后再试，或通过“忘记密码”重设密码。"


def locked_out(request, credentials=None, *args, **kwargs):
    """Axes calls this when an account is locked: the login page again, with the reason."""
    # Unbound, so showing it never tries to authenticate again; the typed e-mail is kept.
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out_message": LOCKED_OUT_MESSAGE.format(minutes=minutes)},
        status=429,
    )


def _organisation(request, pk, **_):
    return get_object_or_404(Organisation, pk=pk)


@permission_required("accounts.view_organisation_profile", get_object=_organisation)
def organisation_profile_view(request, pk, obj):
    """机构资质: the organisation's admin keeps it (with evidence scans); staff read it."""
    from .permissions import _deny

    can_edit = request.user.has_perm("accounts.edit_organisation_profile", obj)
    profile = OrganisationProfile.objects.filter(organisation=obj).first()
    if request.method == "POST":
        if not can_edit:
            return _deny(request, "accounts.edit_organisation_profile")
        form = OrganisationProfileForm(
            request.POST, request.FILES, instance=profile or OrganisationProfile(organisation=obj)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                organisation_profile_save(
                    organisation=obj,
                    values={name: data[name] for name in PROFILE_FIELDS},
                    by=request.user,
                    new_evidence=data.get("new_evidence"),
                    evidence_description=data.get("new_evidence_description", ""),
                    evidence_deletes=[int(x) for x in request.POST.getlist("evidence_delete") if x.isdigit()],
                    request=request,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, messages_ in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, messages_)
                else:
                    form.add_error(None, error.messages)
            else:
                messages.success(request, "机构资质已保存。")
                return redirect("accounts:organisation_profile", pk=obj.pk)
        if request.FILES.get("new_evidence") and "new_evidence" not in form.errors:
            form.add_error("new_evidence", "本次未保存，请重新选择要上传的文件。")
    else:
        form = OrganisationProfileForm(instance=profile) if can_edit else None
    return render(
        request,
        "accounts/organisation_profile.html",
        {
            "organisation": obj,
            "profile": profile,
            "form": form,
            "can_edit": can_edit,
            "evidence": list(obj.evidence.select_related("uploaded_by")),
        },
    )


@permission_required("accounts.view_organisation_profile", get_object=_organisation)
def organisation_evidence_file(request, pk, evidence_pk, obj):
    """A 资质证明材料 scan, to the organisation's admin and staff only, never from a public address."""
    from django.http import FileResponse

    evidence = get_object_or_404(obj.evidence, pk=evidence_pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
