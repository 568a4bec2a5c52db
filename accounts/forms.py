from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from kunshan_portal.selectors import site_settings

from .models import Organisation, OrganisationProfile, User
from .selectors import organisation_choices
from .validators import EMAIL_ERROR, mobile_validator, validate_credit_code


class PortalFormMixin:
    """Crispy renders the form; the template supplies <form> and the buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class LoginForm(PortalFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label="电子邮箱",
        error_messages=EMAIL_ERROR,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "电子邮箱或密码不正确。连续输错多次后账户将被暂时锁定。",
        "inactive": "该账户已停用，请联系管理员。",
    }


class SignUpForm(PortalFormMixin, forms.Form):
    email = forms.EmailField(label="电子邮箱", help_text="用于登录和接收通知。", error_messages=EMAIL_ERROR)
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号码", max_length=11, validators=[mobile_validator])
    password1 = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 10 位，必须同时包含字母和数字，不能是常见密码。",
    )
    password2 = forms.CharField(
        label="确认密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    organisation = forms.ModelChoiceField(
        label="所在机构", queryset=Organisation.objects.none(), required=False, empty_label="请选择……"
    )
    request_new_organisation = forms.BooleanField(
        label="我的机构不在列表中，申请新增机构（由民政局工作人员审核）", required=False
    )
    organisation_name = forms.CharField(label="机构名称", max_length=100, required=False)
    organisation_credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    organisation_district = forms.ChoiceField(label="所属区镇", required=False)
    organisation_kind = forms.ChoiceField(label="机构类型", choices=Organisation.Kind.choices, required=False)

    NEW_ORG_FIELDS = {
        "name": "organisation_name",
        "credit_code": "organisation_credit_code",
        "district": "organisation_district",
        "kind": "organisation_kind",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_choices()
        self.fields["organisation_district"].choices = [("", "请选择……")] + site_settings().district_choices

    def clean_email(self):
        # Whether the address is registered is not said here: the service tells its owner by e-mail.
        return self.cleaned_data["email"].strip().lower()

    def clean_organisation_credit_code(self):
        code = self.cleaned_data.get("organisation_credit_code", "").strip().upper()
        if code:
            validate_credit_code(code)
        return code

    def clean(self):
        data = super().clean()
        if data.get("request_new_organisation"):
            for form_field in self.NEW_ORG_FIELDS.values():
                if not data.get(form_field) and form_field not in self.errors:
                    self.add_error(form_field, "申请新增机构时必须填写此项。")
        elif not data.get("organisation"):
            self.add_error("organisation", "请选择所在机构；如列表中没有，请勾选“申请新增机构”。")
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        if p1:
            probe = User(email=data.get("email", ""), name=data.get("name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

    def new_organisation(self) -> dict | None:
        if not self.cleaned_data.get("request_new_organisation"):
            return None
        return {model_field: self.cleaned_data[form_field] for model_field, form_field in self.NEW_ORG_FIELDS.items()}

    def add_service_errors(self, error) -> None:
        """Put a ValidationError raised by the service beside the field it is about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            target = field if field in self.fields else None
            if self.cleaned_data.get("request_new_organisation") and field in self.NEW_ORG_FIELDS:
                target = self.NEW_ORG_FIELDS[field]
            self.add_error(target, errors)


class ProfileForm(PortalFormMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号码", max_length=11, validators=[mobile_validator], required=False)


class OrganisationDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", "通过"), ("0", "不通过")], coerce=lambda v: v == "1")
    note = forms.CharField(label="审核说明", max_length=200, required=False)


class PortalPasswordResetForm(PortalFormMixin, PasswordResetForm):
    email = forms.EmailField(label="电子邮箱", max_length=254, error_messages=EMAIL_ERROR)


class OrganisationProfileForm(PortalFormMixin, forms.ModelForm):
    """机构资质 with one evidence upload at a time; the model's checks (certified ≤ staff, year and result
    together) put their messages beside the field."""

    new_evidence = forms.FileField(
        label="上传资质证明材料（PDF/JPEG/PNG）",
        required=False,
        help_text="如法人登记证书副本（正、反面）、年检结论、社工证扫描件。按文件内容判断类型，单个不超过 20 MB。",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    new_evidence_description = forms.CharField(label="材料说明", max_length=200, required=False)

    class Meta:
        model = OrganisationProfile
        fields = [
            "registration_authority",
            "registered_on",
            "inspection_year",
            "inspection_result",
            "full_time_staff",
            "assistant_social_workers",
            "social_workers",
            "senior_social_workers",
        ]
        widgets = {"registered_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        data = super().clean()
        if data.get("new_evidence") and not (data.get("new_evidence_description") or "").strip():
            self.add_error("new_evidence_description", "请写明上传的是什么材料。")
        return data
