"""Time the lists of #14.4 and the public-page cache of #14.5, in-process (Django's test client), on the
database in DATABASE_URL. It WRITES: use a scratch database that `manage.py migrate` has prepared.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kunshan_scratch python bench/public_lists.py
    DATABASE_URL=... python bench/public_lists.py --applications 10000 --awards 1000 --runs 30

Prints, per page: queries, median and p95 over warm requests, bytes; for the public pages once with the
cache off (PUBLIC_PAGE_CACHE_SECONDS=0, what every visitor cost before) and once on. The page benchmark
with gunicorn is bench/pages.py (#14.1); this one isolates the view and database work.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("VAR_DIR", "/tmp/kp-bench-var")


def build(n_applications: int, n_awards: int):
    from django.utils import timezone

    from accounts.models import Organisation, User
    from awards.models import Award, Publicity
    from cases.models import Application, Campaign

    now = timezone.now()
    stamp = f"{now.timestamp():.0f}"
    org = Organisation.objects.create(name=f"基准机构{stamp}", credit_code=f"B{stamp}")
    applicant = User.objects.create(email=f"bench-{stamp}@example.org", name="基准")
    staff = User.objects.create(email=f"bench-staff-{stamp}@example.org", name="基准员", is_staff=True)
    campaign = Campaign.objects.create(
        title="基准评选",
        slug=f"bench-{stamp}",
        is_published=True,
        case_period_start=dt.date(2016, 1, 1),
        case_period_end=dt.date(2018, 12, 31),
        submission_opens_at=now - dt.timedelta(days=40),
        submission_closes_at=now - dt.timedelta(days=30),
        review_opens_at=now - dt.timedelta(days=29),
        review_closes_at=now - dt.timedelta(days=20),
        publicity_starts_at=now - dt.timedelta(days=10),
        publicity_ends_at=now - dt.timedelta(days=5),
    )
    section = "社会工作者与服务对象一起制定服务计划。" * 60  # ~1,000 characters a section, ~6,000 a case
    applications = Application.objects.bulk_create(
        [
            Application(
                campaign=campaign,
                applicant=applicant,
                organisation=org,
                status=Application.Status.ACCEPTED,
                reference=f"B{stamp}-{i:05d}",
                title=f"基准案例 {i}",
                category="casework",
                domain="社会救助",
                submitted_at=now - dt.timedelta(minutes=i),
                **{name: section for name in ("background", "analysis", "plan", "implementation", "evaluation")},
                reflection=section,
            )
            for i in range(n_applications)
        ],
        batch_size=500,
    )
    Award.objects.bulk_create(
        [
            Award(campaign=campaign, application=a, rank=i + 1, confirmed_by=staff, confirmed_at=now)
            for i, a in enumerate(applications[:n_awards])
        ],
        batch_size=500,
    )
    Publicity.objects.create(campaign=campaign)
    return campaign, staff


def measure(client, url, runs):
    from django.db import connection, reset_queries

    client.get(url)  # warm
    times, queries, size = [], 0, 0
    for _ in range(runs):
        reset_queries()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries, size = len(connection.queries), len(response.content)
    times.sort()
    return queries, statistics.median(times), times[int(len(times) * 0.95) - 1], size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--awards", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    settings.DEBUG = True  # connection.queries
    campaign, staff = build(args.applications, args.awards)
    print(f"{connection.vendor}: {args.applications} applications, {args.awards} awards, {args.runs} warm runs")
    print(f"{'page':<40}{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'bytes':>10}")
    staff_client = Client(HTTP_HOST="localhost")
    staff_client.force_login(staff)
    for label, url in [
        ("staff list", reverse("cases:staff_applications")),
        ("staff list ?status=accepted", reverse("cases:staff_applications") + "?status=accepted"),
    ]:
        print(f"{label:<40}{'%d':>8}{'%.1f':>11}{'%.1f':>9}{'%d':>10}" % measure(staff_client, url, args.runs))
    public = [
        ("home", reverse("home")),
        ("publicity (closed window)", reverse("awards:publicity", kwargs={"slug": campaign.slug})),
        ("campaign", reverse("cases:campaign_detail", kwargs={"slug": campaign.slug})),
    ]
    for seconds in (0, 60):
        with override_settings(PUBLIC_PAGE_CACHE_SECONDS=seconds):
            visitor = Client(HTTP_HOST="localhost")
            for label, url in public:
                row = measure(visitor, url, args.runs)
                name = f"{label}, cache {'on' if seconds else 'off'}"
                print(f"{name:<40}{'%d':>8}{'%.1f':>11}{'%.1f':>9}{'%d':>10}" % row)


if __name__ == "__main__":
    main()
