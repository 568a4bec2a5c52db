from django import forms
from django.forms import formset_factory

from .models import ActivityReport
from .services import REPORT_PHOTOS_MAX, REPORT_PHOTOS_MIN


class ReportForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(label="报送单位", queryset=None, empty_label=None)

    class Meta:
        model = ActivityReport
        fields = ["organisation", "held_on", "participants", "summary"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 6, "maxlength": 3000}),
        }
        help_texts = {"summary": "活动开展情况、服务对象、主要成效等，3000 字以内。"}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if self.instance.pk:
            del self.fields["organisation"]
        self.fields["participants"].widget.attrs["min"] = 1


class PhotoForm(forms.Form):
    image = forms.FileField(
        label="照片文件",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="JPG、PNG 或 WebP，单张 100 KB—20 MB。",
    )
    caption = forms.CharField(label="照片说明", max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("image") and not (data.get("caption") or "").strip():
            self.add_error("caption", "请填写这张照片的说明。")
        return data


class BasePhotoFormSet(forms.BaseFormSet):
    def __init__(self, *args, required: bool = True, **kwargs):
        self.photos_required = required
        super().__init__(*args, **kwargs)

    def uploads(self) -> list[tuple]:
        """(file, caption, slot) of every filled photo field; the service checks the files themselves."""
        return [
            (form.cleaned_data["image"], form.cleaned_data.get("caption", ""), slot)
            for slot, form in enumerate(self.forms)
            if form.cleaned_data.get("image")
        ]

    def clean(self):
        if any(self.errors):
            return
        count = len(self.uploads())
        if count == 0 and not self.photos_required:
            return
        if not REPORT_PHOTOS_MIN <= count <= REPORT_PHOTOS_MAX:
            raise forms.ValidationError(f"请上传 {REPORT_PHOTOS_MIN}—{REPORT_PHOTOS_MAX} 张活动照片，现有 {count} 张。")


PhotoFormSet = formset_factory(PhotoForm, formset=BasePhotoFormSet, extra=REPORT_PHOTOS_MAX, max_num=REPORT_PHOTOS_MAX)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审核意见", choices=[("accept", "采用"), ("return", "退回修改")])
    reason = forms.CharField(label="退回原因", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", "退回时请填写原因。")
        return data
