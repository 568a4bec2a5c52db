import io

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from PIL import Image

from accounts.models import Organisation
from cases.uploads import clean_photo

from .models import SiteSettings

IMAGE_MAX_BYTES = 5 * 1024 * 1024
DISTRICT_MAX_CHARS = Organisation._meta.get_field("district").max_length


def _has_transparency(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as img:
        if img.mode in ("RGBA", "LA", "PA"):
            return img.getchannel("A").getextrema()[0] < 255
        return img.mode == "P" and "transparency" in img.info


class SiteSettingsForm(forms.ModelForm):
    """门户信息: the portal's name, issuing body, contact, 区镇 list, logo and seal."""

    remove_logo = forms.BooleanField(label="删除现有门户标志", required=False)
    remove_seal = forms.BooleanField(label="删除现有印章图", required=False)

    class Meta:
        model = SiteSettings
        fields = ["name", "issuing_body", "contact", "districts", "logo", "seal"]
        widgets = {
            "districts": forms.Textarea(attrs={"rows": 8}),
            "logo": forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
            "seal": forms.FileInput(attrs={"accept": "image/png"}),
        }
        error_messages = {"districts": {"required": "请至少填写一个区镇，每行一个。"}}
        help_texts = {"name": "显示在每个页面的标题、导航栏、邮件和导出文件中，如“昆山社工案例评选门户”。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.logo:
            del self.fields["remove_logo"]
        if not self.instance.seal:
            del self.fields["remove_seal"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset("门户名称与发布单位", "name", "issuing_body", "contact"),
            Fieldset("区镇", "districts"),
            Fieldset(
                "标志与印章",
                "logo",
                *(["remove_logo"] if "remove_logo" in self.fields else []),
                "seal",
                *(["remove_seal"] if "remove_seal" in self.fields else []),
            ),
        )

    def clean_districts(self):
        seen, districts = set(), []
        for line in self.cleaned_data["districts"].splitlines():
            name = line.strip()
            if not name or name in seen:
                continue
            if len(name) > DISTRICT_MAX_CHARS:
                raise ValidationError(f"区镇名称“{name[:40]}”过长，每个最多 {DISTRICT_MAX_CHARS} 字。")
            seen.add(name)
            districts.append(name)
        if not districts:
            raise ValidationError("请至少填写一个区镇，每行一个。")
        return "\n".join(districts)

    def _upload(self, field):
        upload = self.cleaned_data.get(field)
        if upload and hasattr(upload, "content_type"):  # a new file, not the one already stored
            return clean_photo(upload, max_bytes=IMAGE_MAX_BYTES)
        return upload

    def clean_logo(self):
        return self._upload("logo")

    def clean_seal(self):
        seal = self._upload("seal")
        if seal and hasattr(seal, "name") and self.files.get(self.add_prefix("seal")):
            data = seal.read()
            seal.seek(0)
            if not data.startswith(b"\x89PNG"):
                raise ValidationError("印章图须为 PNG 图片（透明背景），JPEG 和 WebP 不能保留透明背景。")
            if not _has_transparency(data):
                raise ValidationError("印章图没有透明背景：请上传印章以外部分透明的 PNG 图片，以免遮住证书文字。")
        return seal
