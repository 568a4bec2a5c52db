"""Backup and restore of one deployment: the database and every file of the default storage.

A backup directory holds `database.dump` (pg_dump's custom format) or `database.sqlite3` (SQLite's online
backup API: a consistent copy while the portal runs), `files/` (a copy of each stored file under its storage
name) and `manifest.json` (written last: a directory without one is an unfinished backup) with the SHA-256
of the dump and of every file. The database is dumped before the files are walked, so every file the dump
refers to was there when the walk began (a file uploaded meanwhile is copied too, harmlessly).

Restore rebuilds an *empty* deployment (a database without tables, a storage without the backup's files): it
never deletes or overwrites, so the audit table's no-UPDATE/DELETE trigger is no obstacle and a mistaken
restore over live data is refused before anything is written. Files are read through
django.core.files.storage.default_storage, so the same commands serve the local disk and object storage.
"""

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection

MANIFEST = "manifest.json"
FORMAT = "kunshan-portal-backup/1"
FILES_DIR = "files"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the users' language."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持的数据库：{vendor}。")
    return vendor


def _pg_command(program: str) -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = [program, "--no-owner", "--no-privileges"]
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 失败（退出码 {result.returncode}）：{result.stderr.strip()[-2000:]}")


def storage_walk(path: str = "") -> list[str]:
    """Every file name in the default storage, sorted; a storage that was never written to is empty."""
    try:
        dirs, files = default_storage.listdir(path)
    except FileNotFoundError:
        return []
    names = [str(PurePosixPath(path, name)) if path else name for name in files]
    for directory in dirs:
        names += storage_walk(str(PurePosixPath(path, directory)) if path else directory)
    return sorted(names)


def _safe_name(name: str) -> PurePosixPath:
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BackupError(f"清单中的文件名不安全：{name!r}。")
    return pure


def backup_create(*, out_dir: Path) -> dict:
    """Writes a backup of the database and the default storage into `out_dir` (new or empty) and returns
    its manifest. Nothing in the deployment is changed."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise BackupError(f"备份目录 {out_dir} 不是空目录。")
    out_dir.mkdir(parents=True, exist_ok=True)
    engine = _engine()

    if engine == "postgresql":
        dump = out_dir / "database.dump"
        args, env = _pg_command("pg_dump")
        _run([*args, "--format=custom", "--file", str(dump), str(settings.DATABASES["default"]["NAME"])], env)
    else:
        dump = out_dir / "database.sqlite3"
        connection.ensure_connection()  # Django's own connection: also right for an in-memory test database
        target = sqlite3.connect(str(dump))
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    files = []
    for name in storage_walk():
        destination = out_dir / FILES_DIR / _safe_name(name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with default_storage.open(name, "rb") as src, open(destination, "wb") as dst:
            for chunk in iter(lambda src=src: src.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
        files.append({"name": name, "size": size, "sha256": digest.hexdigest()})

    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": {"engine": engine, "file": dump.name, "sha256": _sha256_file(dump)},
        "files": files,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _read_manifest(backup_dir: Path) -> dict:
    path = backup_dir / MANIFEST
    if not path.exists():
        raise BackupError(f"{backup_dir} 中没有 {MANIFEST}：备份不完整或目录不对。")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')!r}。")
    return manifest


def _verify_backup(backup_dir: Path, manifest: dict) -> None:
    """The backup itself is intact before anything is restored from it."""
    dump = backup_dir / manifest["database"]["file"]
    if _sha256_file(dump) != manifest["database"]["sha256"]:
        raise BackupError("数据库备份文件的校验值与清单不符。")
    for entry in manifest["files"]:
        path = backup_dir / FILES_DIR / _safe_name(entry["name"])
        if not path.exists() or _sha256_file(path) != entry["sha256"]:
            raise BackupError(f"备份中的文件 {entry['name']} 缺失或校验值与清单不符。")


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def backup_restore(*, backup_dir: Path) -> dict:
    """Rebuilds the configured, empty database and storage from `backup_dir` and checks every restored file's
    hash. Refuses (changing nothing) when the backup is damaged, the database has tables or the storage
    already holds one of the backup's files. Returns the manifest."""
    backup_dir = Path(backup_dir)
    manifest = _read_manifest(backup_dir)
    engine = _engine()
    if manifest["database"]["engine"] != engine:
        raise BackupError(f"备份来自 {manifest['database']['engine']}，当前数据库是 {engine}。")
    _verify_backup(backup_dir, manifest)
    if not _database_is_empty():
        raise BackupError("目标数据库不是空的：只能恢复到没有任何表的新数据库。")
    present = [entry["name"] for entry in manifest["files"] if default_storage.exists(entry["name"])]
    if present:
        raise BackupError(f"目标存储中已有备份里的文件（如 {present[0]}）：只能恢复到空的存储。")

    dump = backup_dir / manifest["database"]["file"]
    if engine == "postgresql":
        args, env = _pg_command("pg_restore")
        name = str(settings.DATABASES["default"]["NAME"])
        connection.close()
        _run([*args, "--exit-on-error", "--single-transaction", "--dbname", name, str(dump)], env)
    else:
        connection.ensure_connection()
        source = sqlite3.connect(str(dump))
        try:
            source.backup(connection.connection)
        finally:
            source.close()

    for entry in manifest["files"]:
        name = entry["name"]
        with open(backup_dir / FILES_DIR / _safe_name(name), "rb") as fh:
            saved = default_storage.save(name, File(fh, name=name))
        if saved != name:
            raise BackupError(f"文件 {name} 被存储改名为 {saved}。")
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"恢复后的文件 {name} 校验值不符。")
    return manifest
