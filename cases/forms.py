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
    """The staff list's filters. Given `campaigns` (the latest campaigns the page lists anyway: no query of its
    own), a 评选活动 filter; a campaign whose form is defined as data adds one filter per field marked `filter`,
    each a database query on the answers (a JSON key lookup, on SQLite and PostgreSQL alike)."""

    campaign = django_filters.NumberFilter(label="评选活动", field_name="campaign_id", widget=forms.Select)
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
            "campaign",
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

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign_choices = [("", "全部")] + [(str(c.pk), c.title) for c in campaigns]
        self.filters["campaign"].extra["widget"] = forms.Select(choices=self.campaign_choices)
        self.selected_campaign = self._selected_campaign()
        self.answer_fields = []
        if self.selected_campaign is not None and self.selected_campaign.uses_defined_form:
            from .formdef import campaign_definition, filter_fields

            self.answer_fields = filter_fields(campaign_definition(self.selected_campaign))
            for field in self.answer_fields:
                self.filters[f"answer_{field['key']}"] = django_filters.ChoiceFilter(
                    label=field["label"],
                    field_name=f"answers__{field['key']}",
                    choices=[(c, c) for c in field.get("choices") or []],
                    empty_label="全部",
                )
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"

    def _selected_campaign(self):
        from .models import Campaign

        raw = (self.data or {}).get("campaign")
        if not raw or not str(raw).isdigit():
            return None
        # One query, with the form: the listed campaigns are read without it (it is not small).
        return Campaign.objects.only("id", "title", "form_preset", "form_definition").filter(pk=int(raw)).first()

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


# --- A campaign's defined form (cases.formdef) ---------------------------------------------------------------


class DateRangeWidget(forms.MultiWidget):
    def __init__(self, attrs=None):
        date = {"type": "date", "class": "form-control"}
        super().__init__(
            [
                forms.DateInput(attrs={**date, "aria-label": "开始日期"}),
                forms.DateInput(attrs={**date, "aria-label": "结束日期"}),
            ],
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, (list, tuple)):
            return (list(value) + [None, None])[:2]
        return [None, None]


class TableWidget(forms.Widget):
    """The cells of a table field, posted as <key>-<row>-<column>; rows may have gaps (a removed row)."""

    def __init__(self, *, columns, max_rows, attrs=None):
        super().__init__(attrs)
        self.columns, self.max_rows = columns, max_rows

    def value_from_datadict(self, data, files, name):
        rows = []
        for index in range(self.max_rows + 50):  # removed rows leave gaps in the numbering
            row = {c["key"]: data.get(f"{name}-{index}-{c['key']}") for c in self.columns}
            if any(value is not None for value in row.values()):
                if any(str(value or "").strip() for value in row.values()):
                    rows.append({k: (v or "") for k, v in row.items()})
        return rows


class DefinedForm(forms.Form):
    """A campaign's defined form. It only parses and shows back what was typed: every value is checked by
    cases.formdef.answers_clean (messages beside the field), and nothing is required while drafting."""

    pledge_accepted = forms.BooleanField(label="我已阅读并承诺", required=False)
    pledge_signature = forms.CharField(label="签名", max_length=50, required=False)

    def __init__(self, data=None, *, definition: dict, application):
        from .formdef import definition_fields

        self.definition = definition
        self.defined = [f for f in definition_fields(definition) if not f.get("column")]
        initial = dict(application.answers or {})
        initial.update(pledge_accepted=application.pledge_accepted, pledge_signature=application.pledge_signature)
        super().__init__(data, initial=initial)
        self.fields["pledge_signature"].widget.attrs["class"] = "form-control"
        self.fields["pledge_accepted"].widget.attrs["class"] = "form-check-input"
        for field in self.defined:
            self.fields[field["key"]] = _defined_field(field)

    def raw_answers(self) -> dict:
        """What was typed, by field key, before any check (for answers_clean)."""
        return {f["key"]: self[f["key"]].data for f in self.defined}

    def table(self, key: str) -> dict:
        """A table field's rows for the editor: what was typed (or stored), and at least its minimum of rows."""
        from .formdef import TABLE_MAX_ROWS

        field = next(f for f in self.defined if f["key"] == key)
        rows = self[key].data if self.is_bound else (self.initial.get(key) or [])
        wanted = max(len(rows), int(field.get("min_rows") or 1))
        rows = list(rows) + [{}] * (wanted - len(rows))
        columns = field.get("columns") or []
        return {
            "columns": columns,
            "max_rows": int(field.get("max_rows") or TABLE_MAX_ROWS),
            "next_index": len(rows),
            "rows": [
                [{"name": f"{key}-{i}-{c['key']}", "value": row.get(c["key"], ""), "column": c} for c in columns]
                for i, row in enumerate(rows)
            ],
            "template": [{"name": f"{key}-__row__-{c['key']}", "value": "", "column": c} for c in columns],
        }


def _defined_field(field: dict) -> forms.Field:
    kind = field.get("type")
    attrs = {"class": "form-control"}
    options = {"label": field.get("label"), "required": False, "help_text": field.get("help", "")}
    if kind == "textarea":
        attrs.update({"rows": 8, "data-section": field["key"], "data-max-chars": section_max_chars()})
        return forms.CharField(widget=forms.Textarea(attrs=attrs), strip=False, **options)
    if kind in ("number", "money"):
        attrs["inputmode"] = "numeric" if field.get("integer") else "decimal"
        return forms.Field(widget=forms.TextInput(attrs=attrs), **options)
    if kind == "date":
        return forms.Field(widget=forms.DateInput(attrs={**attrs, "type": "date"}), **options)
    if kind == "daterange":
        return forms.Field(widget=DateRangeWidget(), **options)
    if kind == "choice":
        choices = [("", "请选择")] + [(c, c) for c in field.get("choices") or []]
        return forms.Field(widget=forms.Select(attrs={"class": "form-select"}, choices=choices), **options)
    if kind == "multichoice":
        choices = [(c, c) for c in field.get("choices") or []]
        return forms.Field(widget=forms.CheckboxSelectMultiple(choices=choices), **options)
    if kind == "email":
        attrs.update(inputmode="email", autocomplete="email")
    if kind == "phone":
        attrs.update(inputmode="tel")
    if kind == "table":
        from .formdef import TABLE_MAX_ROWS

        widget = TableWidget(columns=field.get("columns") or [], max_rows=int(field.get("max_rows") or TABLE_MAX_ROWS))
        return forms.Field(widget=widget, **options)
    return forms.Field(widget=forms.TextInput(attrs=attrs), **options)


# --- The staff page that edits a campaign's form definition --------------------------------------------------


class FormFieldForm(forms.Form):
    """One field of a campaign's form as staff edit it; cases.formdef.form_definition_validate has the last word."""

    key = forms.RegexField(
        label="字段标识",
        regex=r"^[a-z][a-z0-9_]{0,39}$",
        help_text="英文小写字母开头，只含小写字母、数字和下划线，如 budget。保存后用于存储填写内容。",
        error_messages={
            "invalid": "须以小写字母开头，只含小写字母、数字和下划线（最多 40 个字符）。",
            "required": "请填写字段标识。",
        },
    )
    label = forms.CharField(label="字段名称", max_length=100, error_messages={"required": "请填写字段名称。"})
    type = forms.ChoiceField(label="类型", choices=[])
    required = forms.BooleanField(label="提交时必填", required=False)
    help = forms.CharField(label="填写说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    personal = forms.BooleanField(label="含个人信息（匿名评审和公开页面不显示）", required=False)
    filter = forms.BooleanField(label="作为工作人员列表的筛选条件（仅单选）", required=False)
    choices = forms.CharField(
        label="选项（单选、多选）", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="每行一个选项。"
    )
    min_chars = forms.IntegerField(label="建议最少字数（多行文字）", required=False, min_value=0)
    max_chars = forms.IntegerField(label="最多字数（单行文字）/建议最多字数（多行文字）", required=False, min_value=1)
    hard_limit = forms.BooleanField(label="字数为硬性要求（多行文字）", required=False)
    min = forms.DecimalField(label="最小值（数字）", required=False)
    max = forms.DecimalField(label="最大值（数字）", required=False)
    integer = forms.BooleanField(label="只能填整数（数字）", required=False)
    unit = forms.ChoiceField(label="金额单位", choices=[("yuan", "元"), ("wan", "万元")], required=False)
    columns = forms.CharField(
        label="表格列（表格）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一列：标识|名称|类型，类型可为 text、number、date、email、phone；如 name|姓名|text。",
    )
    min_rows = forms.IntegerField(label="最少行数（表格）", required=False, min_value=0)
    max_rows = forms.IntegerField(label="最多行数（表格）", required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        from .formdef import FIELD_TYPES

        super().__init__(*args, **kwargs)
        self.fields["type"].choices = list(FIELD_TYPES.items())

    @classmethod
    def initial_from(cls, field: dict) -> dict:
        initial = {k: v for k, v in field.items() if k in cls.base_fields and k not in ("choices", "columns")}
        initial["choices"] = "\n".join(field.get("choices") or [])
        initial["columns"] = "\n".join(
            f"{c.get('key')}|{c.get('label')}|{c.get('type', 'text')}" for c in field.get("columns") or []
        )
        return initial

    def field_definition(self) -> dict:
        """The field as formdef stores it (only the options its type uses)."""
        data = self.cleaned_data
        kind = data["type"]
        field = {"key": data["key"], "label": data["label"].strip(), "type": kind, "required": data["required"]}
        if data.get("help"):
            field["help"] = data["help"].strip()
        if data.get("personal"):
            field["personal"] = True
        if data.get("filter"):
            field["filter"] = True
        if kind in ("choice", "multichoice"):
            field["choices"] = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        if kind in ("text", "textarea") and data.get("max_chars"):
            field["max_chars"] = data["max_chars"]
        if kind == "textarea":
            if data.get("min_chars") is not None:
                field["min_chars"] = data["min_chars"]
            field["hard_limit"] = bool(data.get("hard_limit"))
        if kind == "number":
            for name in ("min", "max"):
                if data.get(name) is not None:
                    value = data[name]
                    field[name] = int(value) if value == value.to_integral_value() else float(value)
            field["integer"] = bool(data.get("integer"))
        if kind == "money":
            field["unit"] = data.get("unit") or "yuan"
        if kind == "table":
            columns = []
            for line in data.get("columns", "").splitlines():
                parts = [p.strip() for p in line.split("|")]
                if parts and parts[0]:
                    columns.append(
                        {
                            "key": parts[0],
                            "label": parts[1] if len(parts) > 1 else "",
                            "type": (parts[2:] or ["text"])[0] or "text",
                        }
                    )
            field["columns"] = columns
            for name in ("min_rows", "max_rows"):
                if data.get(name) is not None:
                    field[name] = data[name]
        return field


class FormSectionForm(forms.Form):
    """One section of a campaign's form (its heading, kind and guidance) as staff edit it; its fields are edited
    one by one (FormFieldForm). The guidance may differ by the value of one of the form's single-choice fields:
    one box per option of each such field, the chosen field's boxes are kept."""

    key = forms.RegexField(
        label="章节标识",
        regex=r"^[a-z][a-z0-9_]{0,39}$",
        help_text="英文小写字母开头，只含小写字母、数字和下划线，如 budget_section。保存后不能修改。",
        error_messages={
            "invalid": "须以小写字母开头，只含小写字母、数字和下划线（最多 40 个字符）。",
            "required": "请填写章节标识。",
        },
    )
    title = forms.CharField(label="章节标题", max_length=100, error_messages={"required": "请填写章节标题。"})
    kind = forms.ChoiceField(
        label="类型",
        choices=[],
        help_text="字段：一组填写项（如基本信息、服务指标）；正文章节：带标题的一段正文，在其中新增一个多行文字字段。",
    )
    guidance = forms.CharField(
        label="填写说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="显示在章节标题下。按选项区分说明时，未单独填写说明的选项显示这段文字。",
    )
    guidance_field = forms.ChoiceField(
        label="说明按哪个单选字段区分",
        required=False,
        choices=[],
        help_text="如“服务计划”的说明按案例类别（个案、社区 / 小组）区分。只保存所选字段下面各选项的说明。",
    )

    def __init__(self, *args, choice_fields: list[dict] = (), editing: bool = False, **kwargs):
        from .formdef import SECTION_KINDS

        super().__init__(*args, **kwargs)
        self.choice_fields = [f for f in choice_fields if f.get("key") and f.get("choices")]
        self.fields["kind"].choices = list(SECTION_KINDS.items())
        self.fields["guidance_field"].choices = [("", "不区分：所有申报者看到同一段说明")] + [
            (f["key"], f.get("label") or f["key"]) for f in self.choice_fields
        ]
        if editing:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = "章节标识保存后不能修改。"
        for field in self.choice_fields:
            for index, choice in enumerate(field["choices"]):
                self.fields[self.text_name(field["key"], index)] = forms.CharField(
                    label=f"“{field.get('label')}”为“{choice}”时的说明",
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    @staticmethod
    def text_name(field_key: str, index: int) -> str:
        return f"guidance_{field_key}_{index}"

    @classmethod
    def initial_from(cls, section: dict, choice_fields: list[dict]) -> dict:
        initial = {name: section.get(name, "") for name in ("key", "title", "kind", "guidance")}
        by = section.get("guidance_by") or {}
        initial["guidance_field"] = by.get("field", "")
        field = next((f for f in choice_fields if f.get("key") == by.get("field")), None)
        for index, choice in enumerate((field or {}).get("choices") or []):
            initial[cls.text_name(field["key"], index)] = (by.get("texts") or {}).get(choice, "")
        return initial

    def clean_key(self):
        key = self.cleaned_data["key"]
        if key == "add":
            raise forms.ValidationError("“add”为系统保留，请换一个标识。")
        return key

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("guidance_field")
        if chosen:
            field = next(f for f in self.choice_fields if f["key"] == chosen)
            texts = {}
            for index, choice in enumerate(field["choices"]):
                text = (cleaned.get(self.text_name(chosen, index)) or "").strip()
                if text:
                    texts[choice] = text
            if not texts:
                self.add_error("guidance_field", "请至少为该字段的一个选项填写说明，或选择“不区分”。")
            cleaned["guidance_texts"] = texts
        return cleaned

    def section_definition(self) -> dict:
        """The section's heading as formdef stores it (without its fields)."""
        data = self.cleaned_data
        section = {
            "key": data["key"],
            "title": data["title"].strip(),
            "kind": data["kind"],
            "guidance": (data.get("guidance") or "").strip(),
        }
        if data.get("guidance_field"):
            section["guidance_by"] = {"field": data["guidance_field"], "texts": data["guidance_texts"]}
        return section
