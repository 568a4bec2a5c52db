import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_email_and_logout_are_audited(client):
    user = UserFactory(email="login@example.cn")
    response = client.post(reverse("accounts:login"), {"username": "login@example.cn", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_SUCCESS, user=user).count() == 1
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGOUT, user=user).count() == 1


def test_a_wrong_password_is_refused_in_chinese_and_audited(client):
    UserFactory(email="login@example.cn")
    response = client.post(reverse("accounts:login"), {"username": "login@example.cn", "password": "wrong"})
    assert response.status_code == 200
    assert "电子邮箱或密码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILURE, user_label="login@example.cn").exists()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client):
    UserFactory(email="victim@example.cn")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "victim@example.cn", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "victim@example.cn", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "已被暂时锁定" in html and 'value="victim@example.cn"' in html
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKED_OUT).exists()
    assert "_auth_user_id" not in client.session


def test_another_account_is_not_locked_by_someone_elses_failures(client):
    UserFactory(email="victim@example.cn")
    UserFactory(email="colleague@example.cn")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "victim@example.cn", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "colleague@example.cn", "password": PASSWORD})
    assert response.status_code == 302


def test_the_session_expires_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_password_reset_sends_a_chinese_email_with_a_working_link(client, django_capture_on_commit_callbacks):
    from django.core import mail

    UserFactory(email="forgot@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "forgot@example.cn"})
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "重设密码" in body
    link = next(line for line in body.splitlines() if "/accounts/password/reset/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert "设置新密码" in response.content.decode()
