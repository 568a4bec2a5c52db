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


def _settings_in_a_fresh_process(**env_vars) -> dict:
    """STORAGES and whether start-up failed, as a new process with these variables sees them."""
    import json
    import os
    import subprocess
    import sys

    drop = {"STORAGE_BACKEND", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(DJANGO_SETTINGS_MODULE="kunshan_portal.settings", DEBUG="1", **env_vars)
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES, default=lambda o: getattr(o, '_user_provided_options', repr(o))))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    storages = json.loads(result.stdout) if result.returncode == 0 else {}
    return {"ok": result.returncode == 0, "stderr": result.stderr, **storages}


def test_files_stay_on_the_local_disk_unless_storage_backend_says_s3():
    assert _settings_in_a_fresh_process()["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_the_s3_back_end_takes_bucket_endpoint_and_keys_from_the_environment():
    storages = _settings_in_a_fresh_process(
        STORAGE_BACKEND="s3",
        S3_BUCKET="kunshan-files",
        S3_ENDPOINT_URL="http://10.0.0.5:9000",
        S3_ACCESS_KEY_ID="key",
        S3_SECRET_ACCESS_KEY="secret",
    )
    options = storages["default"]["OPTIONS"]
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"]) == ("kunshan-files", "http://10.0.0.5:9000")
    assert options["file_overwrite"] is False and options["default_acl"] is None
    assert options["client_config"]["connect_timeout"] == 3  # an unreachable store fails in seconds


@pytest.mark.parametrize(
    ("variables", "named"),
    [({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND"), ({"STORAGE_BACKEND": "s3"}, "S3_BUCKET")],
)
def test_a_bad_or_incomplete_storage_setting_stops_start_up_naming_the_variable(variables, named):
    result = _settings_in_a_fresh_process(**variables)
    assert not result["ok"] and named in result["stderr"]
