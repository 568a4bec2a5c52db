"""The staff pages' rows: a campaign's named materials (申报材料) and eligibility rules (申报资格).

Plain formsets (a row per slot or rule, with 排序 and 删除): they parse and check each row beside its fields;
services.material_slots_save / eligibility_rules_save write them.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from .models import EligibilityRule, MaterialSlot, MaterialType


class _RowForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    model = None
    fields_checked = ()

    def clean(self):
        """The model's own rules (a value the kind needs, a type list) beside the field they are about."""
        data = super().clean()
        values = {name: data.get(name) for name in self.fields_checked if name in data}
        try:
            self.model(**values).clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        return data


class MaterialSlotRowForm(_RowForm):
    model = MaterialSlot
    fields_checked = ("name", "required", "allowed_types", "max_files", "max_size_mb", "help_text")

    name = forms.CharField(label="材料名称", max_length=100)
    required = forms.BooleanField(label="必交", required=False, initial=True)
    allowed_types = forms.MultipleChoiceField(
        label="文件类型",
        choices=MaterialType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["pdf", "jpeg", "png"],
        error_messages={"required": "请至少选择一种文件类型。"},
    )
    max_files = forms.IntegerField(label="最多文件数", min_value=1, max_value=20, initial=1)
    max_size_mb = forms.IntegerField(label="大小上限（MB）", min_value=1, max_value=100, initial=20)
    help_text = forms.CharField(label="填写说明", max_length=300, required=False)


class EligibilityRuleRowForm(_RowForm):
    model = EligibilityRule
    fields_checked = ("kind", "year", "accept_basic_pass", "number", "level", "authority")

    kind = forms.ChoiceField(label="条件", choices=[("", "请选择……"), *EligibilityRule.Kind.choices])
    year = forms.IntegerField(label="年检年度", min_value=1990, max_value=2100, required=False)
    accept_basic_pass = forms.BooleanField(label="基本合格亦可", required=False)
    number = forms.IntegerField(label="人数", min_value=1, max_value=999, required=False)
    level = forms.ChoiceField(
        label="证书等级（及以上）",
        choices=[("", "—"), *EligibilityRule._meta.get_field("level").choices],
        required=False,
    )
    authority = forms.CharField(label="登记管理机关须包含", max_length=100, required=False)


class _RowFormSet(forms.BaseFormSet):
    unique_field = ""
    duplicate_message = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.template = "bootstrap5/table_inline_formset.html"

    def clean(self):
        if any(self.errors) or self.non_form_errors() or not self.unique_field:
            return  # ordered_forms exists only for a formset valid so far
        seen = set()
        for form in self.ordered_forms:
            value = (form.cleaned_data.get(self.unique_field) or "").strip()
            if value in seen:
                form.add_error(self.unique_field, self.duplicate_message.format(value=value))
            seen.add(value)

    def rows(self) -> list[dict]:
        """What the service writes: the kept rows in their new order, then the ids to delete."""
        kept = [
            {k: v for k, v in form.cleaned_data.items() if k not in ("ORDER", "DELETE")} for form in self.ordered_forms
        ]
        removed = [
            {"id": form.cleaned_data["id"], "delete": True}
            for form in self.deleted_forms
            if form.cleaned_data.get("id")
        ]
        return removed + kept


class MaterialSlotFormSetBase(_RowFormSet):
    unique_field = "name"
    duplicate_message = "材料名称“{value}”重复，请改名或删除一行。"


MaterialSlotFormSet = forms.formset_factory(
    MaterialSlotRowForm, formset=MaterialSlotFormSetBase, extra=1, can_order=True, can_delete=True, max_num=30
)
EligibilityRuleFormSet = forms.formset_factory(
    EligibilityRuleRowForm, formset=_RowFormSet, extra=1, can_order=True, can_delete=True, max_num=20
)


def material_slot_initial(slots) -> list[dict]:
    return [
        {"id": s.pk, "ORDER": i, **{name: getattr(s, name) for name in MaterialSlotRowForm.fields_checked}}
        for i, s in enumerate(slots, start=1)
    ]


def eligibility_rule_initial(rules) -> list[dict]:
    return [
        {"id": r.pk, "ORDER": i, **{name: getattr(r, name) for name in EligibilityRuleRowForm.fields_checked}}
        for i, r in enumerate(rules, start=1)
    ]
