from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.validators import mobile_validator
from cases.uploads import CONTENT_TYPE_PDF, clean_attachment, clean_photo

from .models import DEFAULT_NO_AWARD_MESSAGE, Award, CertificateTemplate, Publicity, SpecialPrize
from .services import EVIDENCE_MAX_BYTES, MAX_EVIDENCE_FILES, REASON_MIN_CHARS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class AwardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, award):
        # Objections are per award: a case with a graded tier and special prizes is listed once for each,
        # each special prize named.
        label = f"{award.application.reference} {award.application.title}"
        return f"{label}（单项奖：{award.special_prize.name}）" if award.special_prize_id else label


class ObjectionForm(forms.Form):
    """异议: real name, mainland mobile, e-mail for the reply, the case, the reason and the evidence."""

    name = forms.CharField(label="真实姓名", max_length=50)
    phone = forms.CharField(label="联系电话（手机）", max_length=11, validators=[mobile_validator])
    email = forms.EmailField(label="电子邮箱", help_text="处理结果将发送到此邮箱。")
    organisation = forms.CharField(label="所在单位（选填）", max_length=100, required=False)
    award = AwardChoiceField(label="异议案例", queryset=Award.objects.none(), empty_label="请选择公示名单中的案例")
    reason = forms.CharField(
        label="异议理由",
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=REASON_MIN_CHARS,
        max_length=5000,
        help_text=f"请写明事实和依据，至少 {REASON_MIN_CHARS} 个字。",
    )
    evidence = MultipleFileField(
        label="证据材料",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        help_text=f"图片（JPG/PNG/WebP）或 PDF，最多 {MAX_EVIDENCE_FILES} 个，"
        f"每个不超过 {EVIDENCE_MAX_BYTES // 1024 // 1024} MB。",
    )

    def __init__(self, *args, awards=None, noun: str = "案例", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = awards if awards is not None else Award.objects.none()
        self.fields["award"].label = f"异议{noun}"  # 异议项目 / 异议站点 for a campaign with its own form
        self.fields["award"].empty_label = f"请选择公示名单中的{noun}"
        self.fields["reason"].error_messages["min_length"] = f"异议理由至少 {REASON_MIN_CHARS} 个字。"

    def clean_evidence(self):
        files = self.cleaned_data.get("evidence") or []
        if len(files) > MAX_EVIDENCE_FILES:
            raise ValidationError(f"证据材料最多 {MAX_EVIDENCE_FILES} 个文件。")
        cleaned, errors = [], []
        for upload in files:
            try:
                head = upload.read(5)
                upload.seek(0)
                if head.startswith(b"%PDF-"):
                    content, content_type = clean_attachment(upload, max_bytes=EVIDENCE_MAX_BYTES)
                    if content_type != CONTENT_TYPE_PDF:
                        raise ValidationError("证据材料只能是图片或 PDF。")
                else:
                    # An evidence image has no minimum size: a screenshot is fine (min_bytes=1).
                    content = clean_photo(upload, min_bytes=1, max_bytes=EVIDENCE_MAX_BYTES)
                    content_type = "image/" + content.name.rsplit(".", 1)[-1].replace("jpg", "jpeg")
                cleaned.append((content, upload.name, content_type))
            except ValidationError as exc:
                errors.extend(f"{upload.name}：{m}" for m in exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class AwardForm(forms.Form):
    application = forms.ModelChoiceField(label="申报案例", queryset=None, empty_label="请选择案例")
    tier = forms.CharField(label="奖项等级", max_length=40)
    rank = forms.IntegerField(label="排名", min_value=1)

    def __init__(self, *args, applications=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = lambda a: f"{a.reference} {a.title}"


class PublicityForm(forms.ModelForm):
    class Meta:
        model = Publicity
        fields = ["how_to_object", "no_award_message"]
        widgets = {
            "how_to_object": forms.Textarea(attrs={"rows": 3}),
            "no_award_message": forms.Textarea(attrs={"rows": 3, "placeholder": DEFAULT_NO_AWARD_MESSAGE}),
        }


class NoteForm(forms.Form):
    text = forms.CharField(
        label="调查记录",
        max_length=settings.LONG_TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "调查记录最多 %(limit_value)d 字（现有 %(show_value)d 字）。"},
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label="经办人", queryset=None, empty_label="请选择工作人员")

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff
        self.fields["assignee"].label_from_instance = lambda u: u.name or u.email


class DecideForm(forms.Form):
    DECISIONS = [
        ("dismissed", "异议不成立"),
        ("change_tier", "异议成立：调整奖项等级"),
        ("withdraw", "异议成立：撤销获奖"),
    ]
    decision = forms.ChoiceField(label="处理决定", choices=DECISIONS, widget=forms.RadioSelect)
    new_tier = forms.CharField(label="调整后的奖项等级", max_length=40, required=False)
    reply = forms.CharField(
        label="答复意见（将发送给异议人）",
        max_length=settings.LONG_TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "答复意见最多 %(limit_value)d 字（现有 %(show_value)d 字）。"},
    )


class CertificateTemplateForm(forms.ModelForm):
    class Meta:
        model = CertificateTemplate
        fields = ["title", "body", "issuer", "issued_on", "number_prefix", "background", "seal"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5}),
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "body": "可用占位符：{name} 姓名、{case_title} 案例名称、{tier} 奖项等级、"
            "{organisation} 机构、{date} 日期、{issuer} 颁发单位、{campaign} 评选活动名称。",
            "issuer": "证书落款的单位，留空时使用“系统设置 → 门户信息”中的发布单位。",
            "seal": "透明背景的 PNG 图片；未上传时使用“门户信息”中的印章图。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].required = False  # blank: the site settings' issuing body (awards.selectors)

    def _image(self, field):
        upload = self.cleaned_data.get(field)
        if upload and hasattr(upload, "content_type"):
            return clean_photo(upload, min_bytes=1, max_bytes=10 * 1024 * 1024)
        return upload

    def clean_background(self):
        return self._image("background")

    def clean_seal(self):
        return self._image("seal")


class SpecialPrizeForm(forms.Form):
    """One row of the special-prize page (单项奖). Duplicate names are checked over the rows by
    services.special_prize_rows_errors, whose messages SpecialPrizeFormSet puts beside the cell."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label="单项奖名称",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如 项目创新奖", "class": "form-control form-control-sm"}),
        error_messages={"max_length": "单项奖名称最多 %(limit_value)d 个字。"},
    )
    description = forms.CharField(
        label="说明",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "评选标准（选填）"}),
        error_messages={"max_length": "说明最多 %(limit_value)d 个字。"},
    )

    def cells(self) -> list:
        cells = [self[name] for name in ("ORDER", "name", "description", "DELETE")]
        for cell in cells:
            if cell.errors:  # Bootstrap's red border on the cell whose message is shown beside it
                css = cell.field.widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    cell.field.widget.attrs["class"] = f"{css} is-invalid".strip()
        return cells

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("id") and not (data.get("name") or "").strip() and not (data.get("description") or "")


class BaseSpecialPrizeFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "顺序"
        form.fields["ORDER"].widget.attrs.update({"class": "form-control form-control-sm", "min": "1"})
        form.fields["DELETE"].label = "删除"
        form.fields["DELETE"].widget.attrs.update({"class": "form-check-input"})

    def kept_forms(self) -> list:
        kept = [f for f in self.forms if not self._should_delete_form(f) and not f.is_blank() and f.is_valid()]
        return sorted(kept, key=lambda f: (f.cleaned_data.get("ORDER") is None, f.cleaned_data.get("ORDER") or 0))

    def clean(self):
        from .services import special_prize_rows_errors

        if any(f.errors for f in self.forms if not self._should_delete_form(f)):
            return  # a row's own errors first; the rows being removed do not count
        kept = self.kept_forms()
        errors, _ = special_prize_rows_errors([f.cleaned_data for f in kept])
        for index, cell in errors.items():
            for field, message in cell.items():
                kept[index].add_error(field, message)

    def prizes(self) -> list[dict]:
        return [
            {
                "id": f.cleaned_data.get("id"),
                "name": f.cleaned_data["name"],
                "description": f.cleaned_data["description"],
            }
            for f in self.kept_forms()
        ]


SpecialPrizeFormSet = forms.formset_factory(
    SpecialPrizeForm,
    formset=BaseSpecialPrizeFormSet,
    extra=2,
    can_delete=True,
    can_order=True,
    max_num=50,
    absolute_max=60,
)


class SpecialPrizeAwardForm(forms.Form):
    """授予单项奖 on the ranking page: the prize and the decision's reason."""

    prize = forms.ModelChoiceField(
        label="单项奖",
        queryset=SpecialPrize.objects.none(),
        empty_label="请选择单项奖",
        error_messages={"required": "请选择单项奖。", "invalid_choice": "请选择本评选活动的单项奖。"},
    )
    reason = forms.CharField(label="授奖理由", max_length=2000, error_messages={"required": "授予单项奖须填写理由。"})

    def __init__(self, *args, prizes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prize"].queryset = prizes if prizes is not None else SpecialPrize.objects.none()


class ReasonForm(forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=2000, error_messages={"required": "撤销单项奖须填写理由。"})
