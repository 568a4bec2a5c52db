import django_filters
from django import forms

from kunshan_portal.selectors import site_settings

from .models import Activity


def _district_choices():
    """区镇 from the site settings, read each time the filter is drawn (staff may change them)."""
    return site_settings().district_choices


class ActivityFilter(django_filters.FilterSet):
    """The public calendar's and list's filters: kind, district and a date window (activities that overlap it)."""

    kind = django_filters.ChoiceFilter(label="活动类型", choices=Activity.Kind.choices, empty_label="全部类型")
    district = django_filters.ChoiceFilter(label="所属区镇", choices=_district_choices, empty_label="全部区镇")
    date_from = django_filters.DateFilter(
        label="从", field_name="ends_at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label="至", field_name="starts_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Activity
        fields = ["kind", "district", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css
