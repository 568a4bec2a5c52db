import pytest
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditEvent

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


def test_a_refused_page_asked_again_and_again_is_recorded_once(client, cast):
    client.force_login(cast.applicant_a, backend="django.contrib.auth.backends.ModelBackend")
    for _ in range(5):
        assert client.get(reverse("accounts:audit_log")).status_code == 403
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED, user=cast.applicant_a).count() == 1


def test_staff_export_the_filtered_audit_log_as_csv_and_xlsx(client, cast):
    import io

    from openpyxl import load_workbook

    audit_record(kind=AuditEvent.Kind.LOGIN_FAILURE, user_label="=cmd|' /C calc'!A0")
    audit_record(kind=AuditEvent.Kind.SIGNUP, user_label="other@example.cn")
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("accounts:audit_log"), {"kind": "login_failure", "export": "csv"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("时间,事件,用户")
    assert len(lines) == 2 and "登录失败" in lines[1]
    assert "'=cmd" in lines[1]  # a formula is written as text
    response = client.get(reverse("accounts:audit_log"), {"kind": "signup", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件", "用户")
    assert [r[2] for r in rows[1:]] == ["other@example.cn"]
    # The export itself is on the record.
    exports = AuditEvent.objects.filter(kind=AuditEvent.Kind.OTHER, user=cast.staff, detail__contains="导出审计日志")
    assert exports.count() == 2


def test_the_audit_export_is_for_staff_only(client, cast):
    client.force_login(cast.reviewer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("accounts:audit_log"), {"export": "csv"}).status_code == 403


def test_profile_and_reminder_preference_changes_are_audited(client, cast):
    client.force_login(cast.applicant_a, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("accounts:profile"), {"name": "张敏", "phone": "13800001111"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PROFILE_CHANGE)
    assert event.user == cast.applicant_a and "手机号码: 13912345678 → 13800001111" in event.detail
    response = client.post(reverse("notifications:preferences"), {"recommendation": "", "publicity": "on"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PROFILE_CHANGE, detail__startswith="邮件提醒").count() == 1
