"""`manage.py backup` and `manage.py restore`: a demo deployment backed up and restored into a fresh database
and storage has every table's rows and every file, byte for byte, on PostgreSQL and on SQLite."""

import hashlib
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from kunshan_portal.backup import storage_walk

ROOT = Path(__file__).resolve().parents[1]
SECRET = "backup-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def _manage(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _hashes(media_root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(media_root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(media_root.rglob("*"))
        if path.is_file()
    }


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


def _clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "VAR_DIR")}
    return {**env, "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings", "SECRET_KEY": SECRET, **extra}


def test_a_sqlite_demo_deployment_restores_with_every_row_and_every_file(tmp_path):
    source = _clean_env(VAR_DIR=str(tmp_path / "source"))
    _manage("migrate", "--noinput", "-v0", env=source)
    _manage("seed_demo", env=source)
    _manage("backup", "--out", str(tmp_path / "backup"), env=source)

    target = _clean_env(VAR_DIR=str(tmp_path / "target"))
    _manage("restore", str(tmp_path / "backup"), env=target)

    before = _sqlite_counts(tmp_path / "source" / "portal.sqlite3")
    after = _sqlite_counts(tmp_path / "target" / "portal.sqlite3")
    assert after == before
    assert before["cases_application"] > 0 and before["cases_casephoto"] > 0 and before["accounts_auditevent"] > 0
    files = _hashes(tmp_path / "source" / "media")
    assert files and any(name.endswith(".jpg") for name in files)
    assert _hashes(tmp_path / "target" / "media") == files


def _pg_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _pg_counts(url: str, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(url) as db:
        return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.fixture
def restore_database():
    """An empty PostgreSQL database beside the test database, dropped afterwards."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() == "true" and os.environ.get("DATABASE_URL"):
            pytest.fail("CI 使用 PostgreSQL，但测试数据库不是 PostgreSQL。")
        pytest.skip("PostgreSQL 往返测试需要 DATABASE_URL 指向 PostgreSQL。")
    name = f"{settings.DATABASES['default']['NAME']}_restore"
    admin_url = _pg_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    with psycopg.connect(admin_url, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_demo_deployment_restores_into_a_fresh_database_and_storage(restore_database, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())
    call_command("backup", out=str(tmp_path / "backup"), stdout=StringIO())

    _manage(
        "restore",
        str(tmp_path / "backup"),
        env=_clean_env(DATABASE_URL=restore_database, MEDIA_ROOT=str(tmp_path / "restored")),
    )

    tables = connection.introspection.table_names()
    before = _pg_counts(_pg_url(settings.DATABASES["default"]["NAME"]), tables)
    assert _pg_counts(restore_database, tables) == before
    assert before["cases_application"] > 0 and before["cases_casephoto"] > 0 and before["accounts_auditevent"] > 0
    files = _hashes(tmp_path / "media")
    assert files and set(files) == set(storage_walk())
    assert _hashes(tmp_path / "restored") == files


@pytest.mark.django_db
def test_restore_into_a_database_that_has_tables_is_refused_and_writes_no_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    default_storage.save("cases/x/photo.jpg", ContentFile(b"jpeg"))
    call_command("backup", out=str(tmp_path / "backup"), stdout=StringIO())
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(tmp_path / "backup"))
    assert storage_walk() == []


@pytest.mark.django_db
def test_a_damaged_backup_is_refused_before_anything_is_restored(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    default_storage.save("cases/x/photo.jpg", ContentFile(b"jpeg"))
    call_command("backup", out=str(tmp_path / "backup"), stdout=StringIO())
    (tmp_path / "backup" / "files" / "cases" / "x" / "photo.jpg").write_bytes(b"not the photo")
    with pytest.raises(CommandError, match="cases/x/photo.jpg"):
        call_command("restore", str(tmp_path / "backup"))


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", out=str(tmp_path))
