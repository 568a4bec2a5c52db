"""Forms of the application editor. They parse what was typed; the rules live in services."""

import django_filters
from django import forms
from django.conf import settings
from django.core.validators import URLValidator

from .models import SECTIONS, Application, Category, TeamMember
from .services import FORM_FIELDS, TEAM_FIELDS, section_max_chars, section_too_long_message


class ApplicationForm(forms.ModelForm):
    """报名表 and 正文. Nothing is required here: a draft may be saved half-filled, and formats
    are checked by services.application_problems so a wrong phone number never loses the rest."""

    phone = forms.CharField(label="联系方式（电话）", max_length=20, required=False)
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    qq = forms.CharField(label="QQ", max_length=11, required=False)
    period_start = forms.DateField(
        label="案例起止时间（起）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请填写正确的日期。"},
    )
    period_end = forms.DateField(
        label="案例起止时间（止）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请填写正确的日期。"},
    )
    category = forms.ChoiceField(
        label="案例类别", required=False, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    domain = forms.ChoiceField(label="案例领域", required=False)
    pledge_accepted = forms.BooleanField(label="我已阅读并承诺", required=False)
    pledge_signature = forms.CharField(label="签名", max_length=50, required=False)

    class Meta:
        model = Application
        fields = [
            *FORM_FIELDS,
            "pledge_accepted",
            "pledge_signature",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 10, "data-section": name}) for name, _ in SECTIONS}

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(v, label) for v, label in Category.choices if v in campaign.categories]
        self.fields["domain"].choices = [("", "请选择")] + [(d, d) for d in campaign.domains]
        for field in self.fields.values():
            field.required = False
            widget = field.widget
            if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, (forms.RadioSelect, forms.CheckboxInput)):
                widget.attrs.setdefault("class", "form-control")
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        self.fields["email"].widget.attrs.update(inputmode="email", autocomplete="email")
        self.fields["qq"].widget.attrs.update(inputmode="numeric")
        for name, _ in SECTIONS:
            # No maxlength attribute: a browser would cut a paste silently; the counter warns instead.
            self.fields[name].widget.attrs["data-max-chars"] = section_max_chars()

    def clean(self):
        cleaned = super().clean()
        for name, heading in SECTIONS:
            text = (cleaned.get(name) or "").replace("\r\n", "\n")
            if len(text) > section_max_chars():
                self.add_error(name, section_too_long_message(heading=heading, length=len(text)))
        return cleaned


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = list(TEAM_FIELDS)
        error_messages = {
            "age": {"invalid": "请填写数字。"},
            "years_in_social_work": {"invalid": "请填写数字。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
        self.fields["gender"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["certificate_level"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["age"].widget.attrs.update(min=16, max=100)
        self.fields["years_in_social_work"].widget.attrs.update(min=0, max=60)


# A plain formset, not a model formset: every save replaces the rows, so row ids in a page that
# autosaved a minute ago would be stale; the rows are identified by their order only.
TeamFormSet = forms.formset_factory(TeamMemberForm, extra=0, min_num=1, max_num=10, validate_max=True, can_delete=True)


def team_initial(application) -> list[dict]:
    return [
        forms.model_to_dict(member, fields=TeamMemberForm._meta.fields) for member in application.team_members.all()
    ]


def report_link_clean(url: str) -> str:
    """A report link must be an http(s) URL; raises ValidationError with a Chinese message."""
    URLValidator(schemes=["http", "https"], message="请填写以 http:// 或 https:// 开头的网址。")(url)
    return url


class DecisionForm(forms.Form):
    """所在单位推荐意见: recommend with an opinion, or send back with a reason."""

    decision = forms.ChoiceField(
        label="推荐意见",
        choices=[("recommended", "推荐"), ("returned", "退回修改")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择推荐或退回修改。"},
    )
    opinion = forms.CharField(
        label="推荐意见/退回理由",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=settings.LONG_TEXT_MAX_CHARS,
        error_messages={
            "required": "请填写意见。",
            "max_length": "意见最多 %(limit_value)d 字（现有 %(show_value)d 字）。",
        },
    )
    stamped_scan = forms.FileField(label="盖章扫描件（可选，PDF/DOC/DOCX）", required=False)


def _domain_choices():
    from .models import DEFAULT_DOMAINS

    return [(d, d) for d in DEFAULT_DOMAINS]


YES_NO = forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])


class StaffApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="案例名称/申报编号", method="filter_q")
    status = django_filters.ChoiceFilter(label="状态", choices=Application.Status.choices, empty_label="全部")
    category = django_filters.ChoiceFilter(label="案例类别", choices=Category.choices, empty_label="全部")
    domain = django_filters.ChoiceFilter(label="案例领域", choices=_domain_choices, empty_label="全部")
    organisation = django_filters.CharFilter(label="机构", field_name="organisation__name", lookup_expr="icontains")
    district = django_filters.CharFilter(label="所属区镇", field_name="organisation__district", lookup_expr="icontains")
    recommended = django_filters.BooleanFilter(label="已推荐", method="filter_recommended", widget=YES_NO)
    has_findings = django_filters.BooleanFilter(label="有隐私/用语提示", method="filter_findings", widget=YES_NO)
    similarity = django_filters.ChoiceFilter(
        label="查重比例",
        choices=[("10", "≥10%"), ("30", "≥30%"), ("50", "≥50%"), ("none", "尚未查重")],
        empty_label="全部",
        method="filter_similarity",
    )

    class Meta:
        model = Application
        fields = [
            "q",
            "status",
            "category",
            "domain",
            "organisation",
            "district",
            "recommended",
            "has_findings",
            "similarity",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(reference__icontains=value))

    def filter_recommended(self, queryset, name, value):
        if value:
            return queryset.filter(status=Application.Status.RECOMMENDED)
        return queryset.exclude(status=Application.Status.RECOMMENDED)

    def filter_findings(self, queryset, name, value):
        return queryset.filter(findings_count__gt=0) if value else queryset.filter(findings_count=0)

    def filter_similarity(self, queryset, name, value):
        if value == "none":
            return queryset.filter(similarity_result__isnull=True)
        return queryset.filter(similarity_result__score__gte=int(value) / 100)
