"""Time the statistics page (统计分析) on a campaign of many applications, each reviewed by several experts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kp_bench python bench/insights_statistics.py --applications 10000
    DEBUG=1 VAR_DIR=/tmp/bench-var python bench/insights_statistics.py   # SQLite

Fills a fresh database with reviews.scale.scale_fill (the data of `manage.py seed_scale`), then reports the queries
and the best and median time of several runs of the whole page (a staff user through the test client: every
aggregate, the template and the chart data) and of the .xlsx download, for one campaign and across years.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("VAR_DIR", "/tmp/kp-bench-var")


def _time(client, url, params, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(url, params)
            timings.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    return len(queries), min(timings), sorted(timings)[len(timings) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--reviewers", type=int, default=60)
    parser.add_argument("--reviews-per", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from accounts.models import User
    from reviews.scale import scale_fill

    setup_test_environment()  # the test client's response.context, ALLOWED_HOSTS for "testserver"
    started = time.perf_counter()
    campaign = scale_fill(applications=args.applications, reviewers=args.reviewers, reviews_per=args.reviews_per)
    fill = time.perf_counter() - started
    staff, _ = User.objects.get_or_create(email="bench-staff@example.cn", defaults={"name": "统计", "is_staff": True})
    client = Client()
    client.force_login(staff)

    page = reverse("insights:statistics")
    xlsx = reverse("insights:statistics_xlsx")
    print(
        f"database={connection.vendor} applications={args.applications} reviews_per={args.reviews_per} fill={fill:.1f}s"
    )
    for label, url, params in (
        ("page(campaign)", page, {"campaign": campaign.slug}),
        ("page(all years)", page, {"campaign": "all"}),
        (
            "page(campaign, 玉山镇, 个案)",
            page,
            {"campaign": campaign.slug, "district": "玉山镇", "category": "casework"},
        ),
        ("xlsx(campaign)", xlsx, {"campaign": campaign.slug}),
    ):
        queries, best, median = _time(client, url, params, args.runs)
        print(f"{label}: queries={queries} best={best:.3f}s median={median:.3f}s")


if __name__ == "__main__":
    main()
