"""Time of `manage.py backup` and `manage.py restore` for N applications with photos, on PostgreSQL.

    python bench/backup_restore.py --applications 10000 --photos 3

Creates two scratch databases beside DATABASE_URL's server (kunshan_bench_backup, kunshan_bench_restore;
dropped at the end), migrates the first, fills it with reviews.scale.scale_fill (bulk inserts: realistic
body lengths, one submitted review per application) and `--photos` small generated JPEGs per application
saved through default_storage, then times the two commands as separate processes, the way cron and an
operator run them. MEDIA_ROOT and the backup live under --workdir (default /tmp/kp-bench-backup).
"""

import argparse
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-backup-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _env(database_url: str, media_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }


def _jpeg(seed: int) -> bytes:
    import random

    from PIL import Image

    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image.paste(Image.frombytes("RGB", (80, 60), rng.randbytes(80 * 60 * 3)), (rng.randrange(240), rng.randrange(180)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def fill(applications: int, photos: int) -> None:
    """Runs inside the source deployment's environment (see main)."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cases.models import Application, CasePhoto
    from reviews.scale import scale_fill

    started = time.perf_counter()
    campaign = scale_fill(applications=applications, reviewers=20, reviews_per=1)
    pictures = [_jpeg(seed) for seed in range(16)]
    rows = []
    for n, application_id in enumerate(
        Application.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)
    ):
        for i in range(photos):
            data = pictures[(n + i) % len(pictures)]
            name = default_storage.save(f"cases/bench/{application_id}/photos/{i}.jpg", ContentFile(data))
            rows.append(
                CasePhoto(application_id=application_id, image=name, width=320, height=240, size=len(data), position=i)
            )
    CasePhoto.objects.bulk_create(rows, batch_size=2000)
    size = sum(len(p) for p in pictures) / len(pictures)
    print(
        f"filled {applications} applications, {len(rows)} photos of ~{size / 1024:.0f} KB "
        f"in {time.perf_counter() - started:.0f} s"
    )


def _run(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(result.stdout + result.stderr)
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else args)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/kp-bench-backup")
    parser.add_argument("--fill-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill_only:
        fill(args.applications, args.photos)
        return

    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    source_url, target_url = _with_db(base, "kunshan_bench_backup"), _with_db(base, "kunshan_bench_restore")
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    admin = _with_db(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        for name in ("kunshan_bench_backup", "kunshan_bench_restore"):
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
    try:
        source = _env(source_url, work / "media")
        _run(["manage.py", "migrate", "--noinput", "-v0"], source)
        _run([__file__, "--fill-only", "--applications", str(args.applications), "--photos", str(args.photos)], source)
        backup = _run(["manage.py", "backup", "--out", str(work / "backup")], source)
        restore = _run(["manage.py", "restore", str(work / "backup")], _env(target_url, work / "restored"))
        dump_mb = sum(p.stat().st_size for p in (work / "backup").rglob("*") if p.is_file()) / 1e6
        print(
            f"{args.applications} applications × {args.photos} photos: backup {backup:.1f} s, "
            f"restore {restore:.1f} s (backup directory {dump_mb:.0f} MB)"
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            for name in ("kunshan_bench_backup", "kunshan_bench_restore"):
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
