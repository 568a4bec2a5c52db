from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.validators import mobile_validator
from cases.uploads import CONTENT_TYPE_PDF, clean_attachment, clean_photo

from .models import DEFAULT_NO_AWARD_MESSAGE, Award, CertificateTemplate, Publicity
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
        return f"{award.application.reference} {award.application.title}"


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
            "{organisation} 机构、{date} 日期、{issuer} 颁发单位。"
        }

    def _image(self, field):
        upload = self.cleaned_data.get(field)
        if upload and hasattr(upload, "content_type"):
            return clean_photo(upload, min_bytes=1, max_bytes=10 * 1024 * 1024)
        return upload

    def clean_background(self):
        return self._image("background")

    def clean_seal(self):
        return self._image("seal")
