import pytest
from django.core.exceptions import ImproperlyConfigured

from kunshan_portal.env import env_bool, env_int, env_url


def test_a_bad_boolean_stops_start_up_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")


def test_a_bad_integer_stops_start_up(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25)


def test_a_database_url_with_an_unknown_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/db")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_url("DATABASE_URL", ("sqlite", "postgres"))


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "kunshan_portal.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
