"""Time the score sheet job (评分汇总表导出) in one process, as one Celery worker runs it.

    python bench/score_sheet.py --applications 10000          # SQLite in /tmp/kp-bench-pages (shared with pages.py)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kunshan_perf_bench python bench/score_sheet.py

Reuses the campaign bench/pages.py seeded (`bench-pages-N`), or seeds one with seed_scale. Prints the job's
wall time, rows written, file size and the process's peak RSS (write-only openpyxl keeps memory flat).
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-score-sheet-not-secret-" + "x" * 40)
os.environ.setdefault("VAR_DIR", "/tmp/kp-bench-pages")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from cases.models import Campaign
    from reviews import services
    from reviews.models import ScoreSheetExport

    call_command("migrate", verbosity=0)
    slug = f"bench-pages-{args.applications}"
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        call_command("seed_scale", "--applications", str(args.applications), "--reviewers", "100")
        campaign = Campaign.objects.order_by("-pk").first()
        Campaign.objects.filter(pk=campaign.pk).update(slug=slug)
    staff, _ = User.objects.get_or_create(email="bench-staff@example.cn", defaults={"name": "基准", "is_staff": True})
    job = ScoreSheetExport.objects.create(campaign=campaign, requested_by=staff)
    started = time.perf_counter()
    status = services.score_sheet_export_run(export_id=job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"database={connection.vendor} applications={args.applications} status={status} rows={job.done} "
        f"seconds={elapsed:.2f} bytes={job.file.size:,} peak_rss={peak:.0f}MB"
    )


if __name__ == "__main__":
    main()
