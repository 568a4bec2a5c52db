from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User

from .models import Stage, StageRecord
from .services import MAX_ATTACHMENTS, UPLOAD_MAX_BYTES

ACCEPT = "application/pdf,.doc,.docx,image/jpeg,image/png"
FILE_HELP = f"PDF、DOC、DOCX、JPEG 或 PNG，单个文件不超过 {UPLOAD_MAX_BYTES // 1024 // 1024} MB。"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["kind", "name", "position", "opens_at", "closes_at", "instructions"]
        widgets = {
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
            "instructions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "kind": "签订协议阶段由机构上传协议扫描件；中期、末期评估阶段由机构提交进展报告和附件，评估方评分。"
        }

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "提交截止时间必须晚于开始时间。")
        return data

    def _post_clean(self):
        # The service validates the instance (full_clean); the form only checks its own fields.
        pass


class CriterionForm(forms.Form):
    name = forms.CharField(
        label="指标名称", max_length=100, widget=forms.TextInput(attrs={"placeholder": "如：服务指标完成情况"})
    )
    max_points = forms.DecimalField(label="满分", min_value=0.5, max_value=1000, decimal_places=1)


class EvaluatorForm(forms.Form):
    user = forms.ModelChoiceField(label="评估专家", queryset=User.objects.none(), empty_label="请选择评审专家")
    organisation = forms.CharField(
        label="所在评估机构",
        max_length=100,
        required=False,
        help_text="如受委托的第三方评估机构；留空时使用专家库中的工作单位。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_reviewer=True, is_active=True).order_by("name")
        self.fields["user"].label_from_instance = lambda u: f"{u.name}（{u.email}）"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    report = forms.CharField(
        label="项目进展报告",
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=30000,
        help_text="写明项目至今的实施情况：服务指标完成情况（个案、小组、社区活动数）、服务成效、经费使用、存在问题和下一步计划。",
    )
    attachments = MultipleFileField(label="附件", required=False, help_text=f"{FILE_HELP}最多 {MAX_ATTACHMENTS} 个。")


class ContractForm(forms.Form):
    signed_on = forms.DateField(label="协议签订日期", widget=forms.DateInput(attrs={"type": "date"}))
    scan = forms.FileField(
        label="协议扫描件",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=f"签字盖章后的服务协议扫描件。{FILE_HELP}",
    )


class DecideForm(forms.Form):
    result = forms.ChoiceField(
        label="评估结果",
        choices=[c for c in StageRecord.Result.choices if c[0]],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="评定意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="评定为整改或不合格时必须填写：需整改的内容和期限，或不合格的理由。机构和申报人可以看到。",
    )


class ScoreForm(forms.Form):
    """One field per criterion (c<pk>) and the opinion."""

    opinion = forms.CharField(label="评估意见", required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, criteria=(), initial_points=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_points = initial_points or {}
        fields = {}
        for criterion in criteria:
            fields[f"c{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name}（满分 {criterion.max_points}）",
                required=False,
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=1,
                initial=initial_points.get(criterion.pk),
                error_messages={
                    "invalid": "请填写数字。",
                    "max_value": f"不能超过满分 {criterion.max_points}。",
                    "min_value": "不能小于 0。",
                    "max_decimal_places": "最多保留 1 位小数。",
                },
            )
        fields["opinion"] = self.fields.pop("opinion")
        self.fields.update(fields)
        self.criteria = list(criteria)

    def points(self) -> dict:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's refusal beside the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
