from decimal import Decimal

from django import forms
from django.conf import settings

from accounts.models import Organisation
from cases.models import DEFAULT_DOMAINS, Category

from .models import Criterion, ReviewSettings, RubricPart, TierBy


class ScoreForm(forms.Form):
    """One field per leaf criterion (c<id>), bounded by its maximum, half points allowed, and the opinion.
    Bounds are checked here for the message beside the field; the service checks them again."""

    opinion = forms.CharField(
        label="专家评审意见",
        required=False,
        max_length=settings.LONG_TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "专家评审意见最多 %(limit_value)d 字（现有 %(show_value)d 字）。"},
    )

    def __init__(self, *args, leaves: list[Criterion], initial_points: dict | None = None, disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.leaves = leaves
        opinion = self.fields.pop("opinion")
        for leaf in leaves:
            label = leaf.name if leaf.depth == 0 else f"{leaf.name}"
            self.fields[f"c{leaf.pk}"] = forms.DecimalField(
                label=label,
                required=False,
                min_value=Decimal("0"),
                max_value=leaf.max_points,
                decimal_places=1,
                max_digits=6,
                help_text=f"满分 {leaf.max_points.normalize():f} 分，可打半分",
                initial=(initial_points or {}).get(leaf.pk),
                error_messages={
                    "invalid": "请输入数字，如 18 或 18.5。",
                    "min_value": "得分不能小于 0。",
                    "max_value": f"得分不能超过 {leaf.max_points.normalize():f} 分。",
                    "max_decimal_places": "最多一位小数（只能打整数或半分）。",
                    "max_digits": "数字太长。",
                },
                widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": f"{leaf.max_points}"}),
            )
            self.fields[f"c{leaf.pk}"].criterion = leaf
        self.fields["opinion"] = opinion
        if disabled:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        cleaned = super().clean()
        for leaf in self.leaves:
            value = cleaned.get(f"c{leaf.pk}")
            if value is not None and value % Decimal("0.5") != 0:
                self.add_error(f"c{leaf.pk}", "得分只能是整数或半分（如 12.5）。")
        return cleaned

    def points(self) -> dict:
        return {leaf.pk: self.cleaned_data.get(f"c{leaf.pk}") for leaf in self.leaves}

    def score_fields(self):
        return [self[f"c{leaf.pk}"] for leaf in self.leaves]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=2000, error_messages={"required": "请填写理由。"})


class FormalCheckForm(forms.Form):
    DECISIONS = [("accept", "形式审查通过"), ("return", "退回修改"), ("reject", "不予受理")]
    decision = forms.ChoiceField(label="审查结果", choices=DECISIONS, error_messages={"required": "请选择审查结果。"})
    reason = forms.CharField(label="理由", required=False, max_length=2000)
    resubmit_until = forms.DateTimeField(
        label="重新提交截止时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        error_messages={"invalid": "请输入正确的日期时间。"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not cleaned.get("resubmit_until"):
            self.add_error("resubmit_until", "退回修改时请设定重新提交截止时间。")
        return cleaned


class InviteForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写专家姓名。"})
    email = forms.EmailField(
        label="电子邮箱",
        error_messages={"required": "请填写电子邮箱。", "invalid": "请输入有效的电子邮箱，如 name@example.cn。"},
    )
    organisation = forms.CharField(label="工作单位", max_length=100, required=False)
    organisation_ref = forms.ModelChoiceField(
        label="工作单位（已登记机构）",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="（未在门户登记）",
        help_text="工作单位已在门户登记的请选择，系统据此自动识别回避；未登记的只填上面的工作单位。",
    )
    title = forms.CharField(label="职称/职务", max_length=50, required=False)
    expertise = forms.MultipleChoiceField(
        label="擅长领域", required=False, choices=[(d, d) for d in DEFAULT_DOMAINS], widget=forms.CheckboxSelectMultiple
    )
    contact = forms.CharField(label="联系方式", max_length=50, required=False)

    def __init__(self, *args, domains=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation_ref"].queryset = Organisation.objects.filter(
            status=Organisation.Status.APPROVED
        ).order_by("name")
        if domains:
            self.fields["expertise"].choices = [(d, d) for d in domains]


class TreeChoiceField(forms.ModelChoiceField):
    """选择上级指标 as an indented tree ("一级", "　二级", "　　三级"): the choices come from
    selectors.criterion_parent_choices, validation from the queryset."""

    def set_tree(self, choices: list[tuple[int, str]], empty_label: str) -> None:
        self.choices = [("", empty_label), *choices]


def _part_field():
    return forms.ModelChoiceField(
        label="所属部分",
        queryset=RubricPart.objects.none(),
        required=False,
        empty_label="（不分部分）",
        help_text="只对一级指标有效；下级指标随上级指标。",
    )


class CriterionForm(forms.Form):
    parent = TreeChoiceField(label="选择上级指标", queryset=Criterion.objects.none(), required=False)
    part = _part_field()
    name = forms.CharField(label="指标名称", max_length=100)
    description = forms.CharField(label="指标说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    max_points = forms.DecimalField(label="分值", min_value=0, max_digits=6, decimal_places=1, initial=10)
    weight = forms.DecimalField(label="权重", min_value=0, max_digits=5, decimal_places=2, initial=1)
    category = forms.ChoiceField(
        label="适用案例类别", required=False, choices=[("", "所有类别")] + list(Category.choices)
    )

    def __init__(self, *args, campaign, parent_choices=None, parts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Criterion.objects.filter(campaign=campaign)
        if parent_choices is not None:
            self.fields["parent"].set_tree(parent_choices, "（一级指标）")
        self.fields["part"].queryset = RubricPart.objects.filter(campaign=campaign)
        if parts is not None:
            self.fields["part"].choices = [("", "（不分部分）"), *((p.pk, p.name) for p in parts)]
        if parts == []:
            del self.fields["part"]


class RubricPartForm(forms.Form):
    name = forms.CharField(label="部分名称", max_length=40, help_text="如：区县部分、站点部分。")
    scored_once_per_group = forms.BooleanField(label="按县区整体评价（区县汇总排名时每个县区只计一次）", required=False)


class RubricImportForm(forms.Form):
    file = forms.FileField(
        label="评分指标表（.xlsx）",
        help_text="请使用下载的模板：每行一个打分项。导入会替换现有全部评分指标。",
        error_messages={"required": "请选择要导入的 .xlsx 文件。"},
    )
    stated_max = forms.DecimalField(
        label="满分（可选）",
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=1,
        help_text="填写评选方案规定的满分（如 150），导入前核对各打分项合计。",
        error_messages={"invalid": "请输入数字，如 150。"},
    )


class ReviewSettingsForm(forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = [
            "reviewers_per_application",
            "ranking_method",
            "disagreement_threshold",
            "opinion_min_chars",
            "peers_visible",
        ]


class CriterionEditForm(forms.Form):
    parent = TreeChoiceField(label="选择上级指标", queryset=Criterion.objects.none(), required=False)
    part = _part_field()
    name = forms.CharField(label="指标名称", max_length=100)
    description = forms.CharField(label="指标说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    max_points = forms.DecimalField(
        label="分值", min_value=0, max_digits=6, decimal_places=1, help_text="有下级指标时，分值由下级合计。"
    )
    weight = forms.DecimalField(label="权重", min_value=0, max_digits=5, decimal_places=2)

    def __init__(self, *args, criterion: Criterion, parent_choices, parts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Criterion.objects.filter(campaign=criterion.campaign_id).exclude(
            pk=criterion.pk
        )
        self.fields["parent"].set_tree(parent_choices, "（一级指标）")
        self.fields["parent"].help_text = "改选上级指标即把本指标（连同其下级指标）移到该指标之下，排在最后。"
        if criterion.parent_id is not None or not parts:
            del self.fields["part"]
        else:
            self.fields["part"].queryset = RubricPart.objects.filter(campaign=criterion.campaign_id)
            self.fields["part"].choices = [("", "（不分部分）"), *((p.pk, p.name) for p in parts)]


class TierRuleForm(forms.Form):
    """One row of the tier page (奖项等级). The rules that span rows (duplicate names, fractions adding up past 1)
    and the value's range per kind live in services.tier_rows_errors; TierFormSet puts their messages here."""

    name = forms.CharField(
        label="等级名称",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如 一等奖", "class": "form-control form-control-sm"}),
    )
    by = forms.ChoiceField(
        label="划分方式",
        choices=TierBy.choices,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    value = forms.DecimalField(
        label="数值",
        required=False,
        max_digits=9,
        decimal_places=4,
        error_messages={
            "invalid": "请输入数字，如 3、0.3 或 85。",
            "max_digits": "数字太长。",
            "max_decimal_places": "最多四位小数。",
            "max_whole_digits": "数字太大。",
        },
        widget=forms.NumberInput(attrs={"step": "any", "class": "form-control form-control-sm"}),
    )
    is_award = forms.BooleanField(
        label="属于奖项", required=False, initial=True, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def cells(self) -> list:
        """The row's fields in the order of the page's columns (ORDER and DELETE come from the formset)."""
        cells = [self[name] for name in ("ORDER", "name", "by", "value", "is_award", "DELETE")]
        for cell in cells:
            if cell.errors:  # Bootstrap's red border on the cell whose message is shown beside it
                css = cell.field.widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    cell.field.widget.attrs["class"] = f"{css} is-invalid".strip()
        return cells

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("name") or "").strip() and data.get("value") is None


class BaseTierFormSet(forms.BaseFormSet):
    """The rows in their order (ORDER, then as shown); blank extra rows and rows marked for removal are left out."""

    def __init__(self, *args, max_total=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_total = max_total

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "顺序"
        form.fields["ORDER"].widget.attrs.update({"class": "form-control form-control-sm", "min": "1"})
        form.fields["DELETE"].label = "删除"
        form.fields["DELETE"].widget.attrs.update({"class": "form-check-input"})

    def kept_forms(self) -> list:
        kept = [
            f
            for f in self.forms
            if not (self.can_delete and self._should_delete_form(f)) and not f.is_blank() and f.is_valid()
        ]
        return sorted(kept, key=lambda f: (f.cleaned_data.get("ORDER") is None, f.cleaned_data.get("ORDER") or 0))

    def clean(self):
        from .services import tier_rows_errors

        if any(f.errors for f in self.forms if not self._should_delete_form(f)):
            return  # a row's own errors first; the rows being removed do not count
        kept = self.kept_forms()
        errors, whole = tier_rows_errors([f.cleaned_data for f in kept], max_total=self.max_total)
        for index, cell in errors.items():
            for field, message in cell.items():
                kept[index].add_error(field, message)
        if whole:
            raise forms.ValidationError(whole)

    def tiers(self) -> list[dict]:
        return [{k: f.cleaned_data[k] for k in ("name", "by", "value", "is_award")} for f in self.kept_forms()]


TierFormSet = forms.formset_factory(
    TierRuleForm, formset=BaseTierFormSet, extra=2, can_delete=True, can_order=True, max_num=50, absolute_max=60
)
