import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.services import audit_record

pytestmark = pytest.mark.django_db


def test_the_audit_log_cannot_be_edited_or_deleted():
    event = audit_record(kind=AuditEvent.Kind.OTHER, user_label="x@example.cn", detail="one")
    event.detail = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(detail="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().detail == "one"


def test_a_refused_page_is_audited_with_user_and_ip(client, cast):
    client.force_login(cast.applicant_a, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("accounts:audit_log"), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert event.user == cast.applicant_a and event.ip == "10.1.2.3"


def test_staff_filter_the_audit_log_by_event_kind(client, cast):
    audit_record(kind=AuditEvent.Kind.LOGIN_FAILURE, user_label="someone@example.cn")
    audit_record(kind=AuditEvent.Kind.SIGNUP, user_label="other@example.cn")
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("accounts:audit_log"), {"kind": "login_failure"})
    events = list(response.context["events"])
    assert [e.user_label for e in events] == ["someone@example.cn"]


def test_the_audit_log_page_costs_the_same_queries_for_one_and_fifty_events(client, cast, django_assert_num_queries):
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    audit_record(kind=AuditEvent.Kind.OTHER, user=cast.applicant_a)
    client.get(reverse("accounts:audit_log"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("accounts:audit_log"))
    for _ in range(49):
        audit_record(kind=AuditEvent.Kind.OTHER, user=cast.applicant_b)
    with django_assert_num_queries(len(one)):
        client.get(reverse("accounts:audit_log"))


def test_the_admin_offers_no_way_to_change_the_audit_log(client, cast):
    event = audit_record(kind=AuditEvent.Kind.OTHER, user_label="x@example.cn")
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:accounts_auditevent_change", args=[event.pk])
    response = client.post(url, {"detail": "changed"})
    assert response.status_code in (302, 403) or "changed" not in response.content.decode()
    event.refresh_from_db()
    assert event.detail == ""
