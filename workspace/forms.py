"""The workspace's forms: each one a tab of the campaign page. They check what the user typed and name the field;
the services write."""

import datetime as dt
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.utils import timezone

from cases.models import Campaign, Category
from cases.presets import preset_choices

from .timeline import Milestone, Phase, milestones, timeline_errors

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class CampaignBasicsForm(forms.ModelForm):
    """基本信息. 公开 is not here: it has its own confirmation page (views.campaign_publish), which refuses while
    something the 组织申报 phase needs is missing."""

    class Meta:
        model = Campaign
        fields = [
            "title",
            "festival",
            "description",
            "contact",
            "case_period_start",
            "case_period_end",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "case_period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "case_period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "title": "对外公布的全称，如“2026年昆山市优秀社工案例评选”。",
            "festival": "属于某届社工节时选择，首页和社工节页面会一并展示。",
            "description": "申报人在活动页面看到的说明：申报对象、要求、材料等。",
            "contact": "如：昆山市民政局社会工作处 0512-57503000。",
            "case_period_start": "申报案例的服务须在此日期之后开展。",
            "case_period_end": "申报案例的服务须在此日期之前完成。",
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("case_period_start"), cleaned.get("case_period_end")
        if start and end and end < start:
            self.add_error("case_period_end", f"案例实施截止日期不得早于起始日期（{start:%Y-%m-%d}）。")
        return cleaned


class CampaignRulesForm(forms.ModelForm):
    """申报规则."""

    domains = forms.CharField(
        label="案例领域",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一个领域，申报人从中选择；顺序即下拉列表的顺序。",
    )
    categories = forms.MultipleChoiceField(
        label="案例类别",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="开放申报的案例类别，至少选择一项。",
        error_messages={"required": "请至少选择一个案例类别。"},
    )

    # Pairs of (minimum, maximum) fields: the maximum may not be below the minimum.
    RANGES = (
        ("body_min_chars", "body_max_chars"),
        ("photos_min", "photos_max"),
        ("casework_photos_min", "casework_photos_max"),
    )

    class Meta:
        model = Campaign
        fields = [
            "domains",
            "categories",
            "body_min_chars",
            "body_max_chars",
            "body_limits_are_hard",
            "photos_min",
            "photos_max",
            "casework_photos_min",
            "casework_photos_max",
            "photo_min_pixels",
            "photo_max_bytes",
            "max_applications_per_applicant",
            "max_applications_per_organisation",
            "blind_review",
            "recommendation_required",
            "reference_prefix",
        ]
        help_texts = {
            "body_min_chars": "正文六个部分合计的建议最少字数。",
            "body_max_chars": "正文六个部分合计的建议最多字数。",
            "photos_min": "小组、社区案例的服务照片张数下限。",
            "photos_max": "小组、社区案例的服务照片张数上限。",
            "casework_photos_min": "个案案例须保护服务对象隐私，可少于其他类别。",
            "photo_max_bytes": "单张照片文件的上限，默认 20 MB（20971520 字节）。",
            "recommendation_required": "勾选后，申报案例须经所在单位推荐才进入形式审查。",
            "reference_prefix": "申报编号形如 KS2026-0007；已发出的编号不会改变。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["domains"] = "\n".join(self.instance.domains or [])
            self.initial["categories"] = list(self.instance.categories or [])
        if self.instance.uses_defined_form:
            # 案例类别 belong to the case award's official form; a project call or a station evaluation has none.
            self.fields["categories"].required = False
            self.fields["categories"].help_text = "本活动使用自定义申报表单，不按案例类别申报，可不选。"
        self.helper = FormHelper()
        self.helper.form_tag = False

        def pair(a, b):
            return Row(Column(Field(a), css_class="col-12 col-md-6"), Column(Field(b), css_class="col-12 col-md-6"))

        self.helper.layout = Layout(
            Fieldset("案例领域与类别", "domains", "categories"),
            Fieldset("正文字数", pair("body_min_chars", "body_max_chars"), "body_limits_are_hard"),
            Fieldset(
                "服务照片",
                pair("photos_min", "photos_max"),
                pair("casework_photos_min", "casework_photos_max"),
                pair("photo_min_pixels", "photo_max_bytes"),
            ),
            Fieldset(
                "申报限额与流程",
                pair("max_applications_per_applicant", "max_applications_per_organisation"),
                "blind_review",
                "recommendation_required",
                "reference_prefix",
            ),
        )

    def clean_domains(self):
        lines = [line.strip() for line in self.cleaned_data["domains"].splitlines()]
        domains = list(dict.fromkeys(line for line in lines if line))
        if not domains:
            raise forms.ValidationError("请至少填写一个案例领域。")
        return domains

    def clean_reference_prefix(self):
        prefix = self.cleaned_data["reference_prefix"].strip().upper()
        if not re.fullmatch(r"[A-Z]{1,10}", prefix):
            raise forms.ValidationError("申报编号前缀只能是 1—10 个英文字母，如 KS。")
        return prefix

    def clean(self):
        cleaned = super().clean()
        for low, high in self.RANGES:
            if cleaned.get(low) is not None and cleaned.get(high) is not None and cleaned[high] < cleaned[low]:
                label = self.fields[low].label
                self.add_error(high, f"不得小于“{label}”（{cleaned[low]}）。")
        return cleaned


def _milestone_field(milestone: Milestone) -> forms.Field:
    if milestone.date_only:
        return forms.DateField(
            label=milestone.label,
            required=False,
            widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        )
    return forms.DateTimeField(
        label=milestone.label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class TimelineForm(forms.Form):
    """时间安排: one field per milestone of every phase (北京时间). Order is checked here, beside the later field,
    before a database constraint could refuse the save with a message naming no field."""

    def __init__(self, *args, phases: list[Phase], values: dict, defaults: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.phases = phases
        self.steps = milestones(phases)
        self.saved = values
        for milestone in self.steps:
            self.fields[milestone.name] = _milestone_field(milestone)
            self.initial[milestone.name] = values.get(milestone.name) or defaults.get(milestone.name)
        self.suggested = {name for name in defaults if values.get(name) is None}

    def phase_rows(self):
        """(phase, [(milestone, bound field)]) for the template; a field with an error is marked for Bootstrap and
        screen readers, its message below it."""
        for name in self.errors if self.is_bound else ():
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs.update({"class": "form-control is-invalid", "aria-invalid": "true"})
                attrs["aria-describedby"] = f"id_{name}_error"
        return [(phase, [(m, self[m.name]) for m in phase.milestones]) for phase in self.phases]

    def clean(self):
        cleaned = super().clean()
        for milestone in self.steps:
            value, saved = cleaned.get(milestone.name), self.saved.get(milestone.name)
            # A saved 23:59:59 is shown to the minute; sent back unchanged it keeps its seconds.
            if isinstance(value, dt.datetime) and isinstance(saved, dt.datetime):
                if value == saved.replace(second=0, microsecond=0):
                    cleaned[milestone.name] = saved
        unreadable = {name for name in self.errors}
        values = {m.name: cleaned.get(m.name) for m in self.steps if m.name not in unreadable}
        steps = [m for m in self.steps if m.name not in unreadable]
        for name, message in timeline_errors(steps=steps, values=values).items():
            self.add_error(name, message)
        return cleaned


SHORT_NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class CampaignNewForm(forms.Form):
    """新建评选活动: from a preset, or a copy of a past campaign with every date moved."""

    SOURCE_PRESET = "preset"
    SOURCE_COPY = "copy"
    UNIT_YEARS = "years"
    UNIT_DAYS = "days"

    title = forms.CharField(label="评选活动名称", max_length=120, help_text="如“2027年昆山市优秀社工案例评选”。")
    short_name = forms.CharField(
        label="简称（用于网址）",
        max_length=30,
        required=False,
        help_text="小写字母、数字和连字符，如 ksal；留空则取名称的拼音首字母。网址标识为“年度-简称”。",
    )
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, help_text="各阶段时间的默认值按此年度生成。"
    )
    source = forms.ChoiceField(
        label="创建方式",
        choices=[(SOURCE_PRESET, "从模板新建"), (SOURCE_COPY, "复制往年活动")],
        widget=forms.RadioSelect,
        initial=SOURCE_PRESET,
    )
    preset = forms.ChoiceField(label="评选活动模板", required=False, help_text="报名表与申报规则取自所选模板。")
    copy_from = forms.ModelChoiceField(
        label="复制的往年活动",
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="请选择",
        help_text="复制其申报规则、评分指标、评审设置与评审专家、提醒规则、证书模板和公示说明；"
        "不复制申报案例、评审结果、获奖名单、证书和编号。",
    )
    shift_amount = forms.IntegerField(
        label="日期顺延", initial=1, min_value=0, max_value=3650, required=False, help_text="各阶段时间整体顺延的数量。"
    )
    shift_unit = forms.ChoiceField(
        label="顺延单位",
        choices=[(UNIT_YEARS, "年"), (UNIT_DAYS, "天")],
        initial=UNIT_YEARS,
        required=False,
    )

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = preset_choices()
        self.fields["copy_from"].queryset = campaigns if campaigns is not None else Campaign.objects.all()
        self.fields["copy_from"].label_from_instance = lambda c: f"{c.title}（{c.slug}）"
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)
            self.initial.setdefault("preset", next(iter(dict(preset_choices())), ""))

    def clean_short_name(self):
        short = self.cleaned_data["short_name"].strip().lower()
        if short and not SHORT_NAME_RE.match(short):
            raise forms.ValidationError("简称只能包含小写字母、数字和连字符，如 ksal。")
        if short and short.replace("-", "").isdigit():
            raise forms.ValidationError("简称不能只有数字，请加上字母，如 ksal。")
        return short

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") == self.SOURCE_COPY:
            if not cleaned.get("copy_from"):
                self.add_error("copy_from", "请选择要复制的往年活动。")
            if cleaned.get("shift_amount") is None:
                self.add_error("shift_amount", "请填写日期顺延的数量（不顺延填 0）。")
            if not cleaned.get("shift_unit"):
                self.add_error("shift_unit", "请选择顺延单位。")
        elif cleaned.get("source") == self.SOURCE_PRESET and not cleaned.get("preset"):
            self.add_error("preset", "请选择评选活动模板。")
        return cleaned
