import io
import re

import pytest
from django.core.management import call_command

from accounts import demo
from accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def test_reset_passwords_prints_a_new_working_password_for_every_demo_account(monkeypatch):
    monkeypatch.setenv("SEED_DEMO_PASSWORD", "OldDemoPass123")
    demo.seed(io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--reset-passwords", stdout=out)
    printed = dict(re.findall(r"(\S+@demo\.ks\.gov\.cn)\s+(\S+)", out.getvalue()))
    assert set(printed) == {email for _, email, *_ in demo.DEMO_USERS}
    assert len(set(printed.values())) == len(printed)  # random, one each
    for email, password in printed.items():
        assert password != "OldDemoPass123"
        user = User.objects.get(email=email)
        assert user.check_password(password)
        assert not user.check_password("OldDemoPass123")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_RESET).count() == len(printed)


def test_reset_passwords_without_demo_accounts_says_to_seed_first():
    out = io.StringIO()
    call_command("seed_demo", "--reset-passwords", stdout=out)
    assert "请先运行 seed_demo" in out.getvalue()
    assert not User.objects.exists()
