from django import forms
from django.contrib import admin

from accounts.admin_audit import AuditedModelAdmin
from kunshan_portal.public_cache import PublicPagesAdminMixin, public_pages_changed

from .models import Campaign, Category


class CampaignAdminForm(forms.ModelForm):
    """Categories as tick boxes and domains one per line, instead of raw JSON."""

    categories = forms.MultipleChoiceField(
        label="案例类别",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="开放申报的案例类别。",
    )
    domains = forms.CharField(
        label="案例领域", widget=forms.Textarea(attrs={"rows": 8}), help_text="每行一个领域，按显示顺序填写。"
    )

    class Meta:
        model = Campaign
        fields = [
            "title", "slug", "festival", "description", "is_published", "contact", "announced_on",
            "case_period_start", "case_period_end", "submission_opens_at", "submission_closes_at",
            "recommendation_closes_at", "formal_check_closes_at", "review_opens_at", "review_closes_at",
            "publicity_starts_at", "publicity_ends_at", "ceremony_at",
            "categories", "domains", "body_min_chars", "body_max_chars", "body_limits_are_hard",
            "photos_min", "photos_max", "casework_photos_min", "casework_photos_max", "photo_min_pixels",
            "photo_max_bytes", "max_applications_per_applicant", "max_applications_per_organisation",
            "reference_prefix", "blind_review", "recommendation_required",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and isinstance(self.instance.domains, list) and not self.is_bound:
            self.initial["domains"] = "\n".join(self.instance.domains)
        if self.instance and self.instance.uses_defined_form:
            # 案例类别 are the case award's: a project call or a station evaluation has none.
            self.fields["categories"].required = False

    def clean_domains(self):
        domains = [line.strip() for line in self.cleaned_data["domains"].splitlines() if line.strip()]
        if not domains:
            raise forms.ValidationError("请至少填写一个案例领域。")
        if len(set(domains)) != len(domains):
            raise forms.ValidationError("案例领域有重复。")
        return domains

    def clean(self):
        cleaned = super().clean()
        for low, high, label in [
            ("body_min_chars", "body_max_chars", "正文字数"),
            ("photos_min", "photos_max", "服务照片张数"),
            ("casework_photos_min", "casework_photos_max", "个案服务照片张数"),
        ]:
            if cleaned.get(low) is not None and cleaned.get(high) is not None and cleaned[low] > cleaned[high]:
                self.add_error(high, f"{label}的上限不能小于下限。")
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(PublicPagesAdminMixin, AuditedModelAdmin):
    """评选活动: staff set the timeline and the rules here; every date is a setting."""

    def public_pages_changed(self, obj):
        public_pages_changed(campaign=obj)

    form = CampaignAdminForm
    list_display = ["title", "festival", "submission_opens_at", "submission_closes_at", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["reference_counter", "created_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # A new campaign starts with the notice's default rubric here, where it is created, so that no
            # page has to write it on a read.
            from reviews.services import rubric_ensure

            rubric_ensure(campaign=obj)

    fieldsets = [
        ("基本信息", {"fields": ["title", "slug", "festival", "description", "is_published", "contact"]}),
        (
            "时间安排",
            {
                "fields": [
                    "announced_on",
                    ("case_period_start", "case_period_end"),
                    ("submission_opens_at", "submission_closes_at"),
                    ("recommendation_closes_at", "formal_check_closes_at"),
                    ("review_opens_at", "review_closes_at"),
                    ("publicity_starts_at", "publicity_ends_at"),
                    "ceremony_at",
                ],
                "description": "所有时间均为北京时间（Asia/Shanghai）；申报截止时间当秒仍可提交。",
            },
        ),
        (
            "申报规则",
            {
                "fields": [
                    "categories",
                    "domains",
                    ("body_min_chars", "body_max_chars", "body_limits_are_hard"),
                    ("photos_min", "photos_max"),
                    ("casework_photos_min", "casework_photos_max"),
                    ("photo_min_pixels", "photo_max_bytes"),
                    ("max_applications_per_applicant", "max_applications_per_organisation"),
                    "reference_prefix",
                    "reference_counter",
                ]
            },
        ),
        ("评审选项", {"fields": ["blind_review", "recommendation_required"]}),
        ("记录", {"fields": ["created_at"], "classes": ["collapse"]}),
    ]
