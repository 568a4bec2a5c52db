import django_filters
from django import forms

from .models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="事件", choices=AuditEvent.Kind.choices, empty_label="全部事件")
    user_label = django_filters.CharFilter(label="用户", lookup_expr="icontains")
    ip = django_filters.CharFilter(label="IP 地址", lookup_expr="startswith")
    since = django_filters.DateFilter(
        label="起始日期",
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label="截止日期",
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "user_label", "ip", "since", "until"]
