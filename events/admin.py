"""Staff create and edit festivals and activities here (the data-maintenance admin, in Chinese)."""

from django import forms
from django.contrib import admin

from accounts.admin_audit import AuditedModelAdmin
from kunshan_portal.public_cache import PublicPagesAdminMixin, public_pages_changed
from kunshan_portal.selectors import site_settings

from .models import Activity, ActivityReport, ActivityUnit, Festival, FestivalUnit, ReportPhoto


class FestivalUnitInline(admin.TabularInline):
    model = FestivalUnit
    extra = 3
    fields = ["role", "organisation", "name", "contact", "position"]


class FestivalAdminForm(forms.ModelForm):
    class Meta:
        model = Festival
        fields = [
            "title", "slug", "edition", "year", "theme", "goals", "starts_on", "ends_on", "status",
            "body", "cover", "banner_text", "publicity_channels",
        ]  # fmt: skip

    def clean_cover(self):
        """The cover goes through the photo check: resolution judged before decoding, metadata stripped."""
        from cases.uploads import clean_photo

        upload = self.cleaned_data.get("cover")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            return clean_photo(upload, max_bytes=10 * 1024 * 1024)
        return upload


@admin.register(Festival)
class FestivalAdmin(PublicPagesAdminMixin, AuditedModelAdmin):
    def public_pages_changed(self, obj):
        public_pages_changed(festival=obj)

    form = FestivalAdminForm
    list_display = ["title", "edition", "year", "starts_on", "ends_on", "status"]
    list_filter = ["status", "year"]
    search_fields = ["title", "theme"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [FestivalUnitInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "edition", "year", "theme", "goals", ("starts_on", "ends_on"), "status"]}),
        ("正文与封面", {"fields": ["body", "cover"]}),
        ("宣传资料", {"fields": ["banner_text", "publicity_channels"]}),
    ]


class ActivityUnitInline(admin.TabularInline):
    model = ActivityUnit
    extra = 2
    fields = ["role", "organisation", "name", "position"]


def _district_choices():
    """区镇 from the site settings, read each time the form is drawn; an activity's district no longer in the
    list stays selectable, so editing an old activity does not lose it."""
    return [("", "（全市）")] + site_settings().district_choices


class ActivityAdminForm(forms.ModelForm):
    district = forms.ChoiceField(label="所属区镇", required=False, choices=_district_choices)
    registration_url = forms.URLField(label="报名链接", required=False, assume_scheme="https")

    class Meta:
        model = Activity
        fields = [
            "festival",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "district",
            "description",
            "registration_url",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.district if self.instance.pk else ""
        if current and current not in dict(self.fields["district"].choices):
            self.fields["district"].choices = [
                *self.fields["district"].choices,
                (current, f"{current}（已不在区镇列表中）"),
            ]


@admin.register(Activity)
class ActivityAdmin(PublicPagesAdminMixin, AuditedModelAdmin):
    def public_pages_changed(self, obj):
        public_pages_changed(festival=obj.festival)

    form = ActivityAdminForm
    list_display = ["title", "festival", "kind", "starts_at", "ends_at", "district", "status"]
    list_filter = ["status", "kind", "festival"]
    search_fields = ["title", "venue"]
    list_select_related = ["festival"]
    inlines = [ActivityUnitInline]
    fields = [
        "festival",
        "kind",
        "title",
        ("starts_at", "ends_at"),
        "venue",
        "district",
        "description",
        "registration_url",
        "status",
    ]


class ReportPhotoInline(admin.TabularInline):
    model = ReportPhoto
    extra = 0
    fields = ["caption", "width", "height", "position"]
    readonly_fields = fields
    can_delete = False


@admin.register(ActivityReport)
class ActivityReportAdmin(PublicPagesAdminMixin, AuditedModelAdmin):
    def public_pages_changed(self, obj):
        public_pages_changed(festival=obj.activity.festival)

    """Read-only here: staff accept or return reports in the portal (活动报送审核), where it is audited and mailed."""

    list_display = ["activity", "organisation", "held_on", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["activity", "organisation"]
    inlines = [ReportPhotoInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
