"""Nobody learns from the portal whether an e-mail is registered, and a password spray from one
address is stopped even though each account sees only one failure."""

import os
import subprocess
import sys

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db


def test_password_reset_answers_the_same_and_does_the_same_work_for_an_unknown_address(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="forgot@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password_reset"), {"email": "forgot@example.cn"})
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.cn"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert OutboxEmail.objects.filter(to=["forgot@example.cn"]).count() == 1
    assert OutboxEmail.objects.filter(to=["nobody@example.cn"]).count() == 1
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "/accounts/password/reset/" in by_address["forgot@example.cn"].body
    assert by_address["forgot@example.cn"].subject == by_address["nobody@example.cn"].subject
    assert "没有已启用的账户" in by_address["nobody@example.cn"].body
    assert "/accounts/signup/" in by_address["nobody@example.cn"].body


def _fail(client, email, ip):
    return client.post(reverse("accounts:login"), {"username": email, "password": "wrong-2026"}, REMOTE_ADDR=ip)


def test_a_twenty_account_password_spray_from_one_address_is_stopped(client, settings):
    users = [UserFactory(email=f"worker{i}@example.cn") for i in range(20)]
    answers = [_fail(client, user.email, "203.0.113.7").status_code for user in users]
    limit = settings.LOGIN_IP_FAILURE_LIMIT
    assert limit < 20
    assert answers[:limit] == [200] * limit  # each a plain "wrong password"
    assert set(answers[limit:]) == {429}
    # Even the right password is not tried from that address for now, with a Chinese reason.
    response = client.post(
        reverse("accounts:login"), {"username": users[0].email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 429
    assert "网络地址登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_address_still_logs_in_during_a_spray(client, settings):
    users = [UserFactory(email=f"worker{i}@example.cn") for i in range(settings.LOGIN_IP_FAILURE_LIMIT + 1)]
    for user in users:
        _fail(client, user.email, "203.0.113.7")
    response = client.post(
        reverse("accounts:login"), {"username": users[0].email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 302


def test_behind_a_proxy_the_spray_is_counted_per_client_not_per_proxy(client, settings):
    """nginx (PROXY_COUNT=1) puts the client into X-Forwarded-For; REMOTE_ADDR is nginx itself."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    users = [UserFactory(email=f"worker{i}@example.cn") for i in range(settings.LOGIN_IP_FAILURE_LIMIT + 1)]
    for user in users:
        client.post(
            reverse("accounts:login"),
            {"username": user.email, "password": "wrong-2026"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    blocked = client.post(
        reverse("accounts:login"),
        {"username": users[0].email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert blocked.status_code == 429
    colleague = client.post(
        reverse("accounts:login"),
        {"username": users[1].email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert colleague.status_code == 302


def _settings_from_env(**env) -> str:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings", "DEBUG": "1", **env}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_IPWARE_META_PRECEDENCE_ORDER, s.AXES_IPWARE_PROXY_COUNT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


def test_the_proxy_count_and_header_come_from_the_environment():
    import ipware  # noqa: F401 - installed, so django-axes resolves addresses through it

    assert _settings_from_env(PROXY_COUNT="0") == "('REMOTE_ADDR',) None"
    assert _settings_from_env(PROXY_COUNT="1") == "('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR') 0"
    assert _settings_from_env(PROXY_COUNT="1", PROXY_CLIENT_IP_HEADER="X-Real-IP") == (
        "('HTTP_X_REAL_IP', 'REMOTE_ADDR') 0"
    )
