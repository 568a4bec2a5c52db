"""Time the ranking of a campaign with many applications, each reviewed by several experts.

    DEBUG=1 VAR_DIR=/tmp/bench-var python bench/bench_ranking.py --applications 10000 --reviews-per 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kp_bench python bench/bench_ranking.py

Fills a fresh database (SQLite in VAR_DIR by default, or DATABASE_URL) with synthetic data by bulk inserts,
then reports the best of several runs of reviews.selectors.ranking (the staff ranking page's read: queries,
aggregation, normalisation, tie-breaking and tiers) and of the aggregation arithmetic alone.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("VAR_DIR", "/tmp/kp-bench-var")


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

    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import Organisation, User
    from cases.models import Application, Campaign
    from reviews import aggregation, selectors, services
    from reviews.models import Assignment, Review

    started = time.perf_counter()
    now = timezone.now()
    slug = f"bench-{int(time.time())}"
    campaign = Campaign.objects.create(
        title="基准测试评选",
        slug=slug,
        case_period_start=dt.date(2020, 1, 1),
        case_period_end=dt.date(2025, 12, 31),
        submission_opens_at=now - dt.timedelta(days=30),
        submission_closes_at=now - dt.timedelta(days=20),
        review_opens_at=now - dt.timedelta(days=10),
        review_closes_at=now + dt.timedelta(days=1),
        publicity_starts_at=now + dt.timedelta(days=2),
        publicity_ends_at=now + dt.timedelta(days=5),
    )
    services.rubric_ensure(campaign=campaign)
    org = Organisation.objects.create(name=f"基准机构{slug}", credit_code=slug[-18:].upper().rjust(18, "0"))
    applicant = User.objects.create(email=f"{slug}@example.cn", name="基准申报人")
    reviewers = User.objects.bulk_create(
        User(email=f"{slug}-r{i}@example.cn", name=f"专家{i}", is_reviewer=True) for i in range(args.reviewers)
    )
    domains = campaign.domains
    apps = Application.objects.bulk_create(
        (
            Application(
                campaign=campaign,
                applicant=applicant,
                organisation=org,
                status=Application.Status.ACCEPTED,
                reference=f"B{slug[-6:]}-{i:05d}",
                title=f"案例{i}",
                category=random.choice(["casework", "group", "community"]),
                domain=random.choice(domains),
            )
            for i in range(args.applications)
        ),
        batch_size=2000,
    )
    rng = random.Random(7)
    assignments = Assignment.objects.bulk_create(
        (
            Assignment(application=app, reviewer=r)
            for app in apps
            for r in rng.sample(reviewers, args.reviews_per)
        ),
        batch_size=5000,
    )
    harshness = {r.pk: rng.uniform(-10, 10) for r in reviewers}
    Review.objects.bulk_create(
        (
            Review(
                assignment=a,
                status=Review.Status.SUBMITTED,
                total=Decimal(str(round(min(100, max(0, rng.gauss(75, 8) + harshness[a.reviewer_id])) * 2) / 2)),
                submitted_at=now,
            )
            for a in assignments
        ),
        batch_size=5000,
    )
    fill = time.perf_counter() - started

    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = selectors.ranking(campaign)
        timings.append(time.perf_counter() - t0)
    rows = selectors.submitted_reviews(campaign)
    reviews = [(a, r, float(t)) for a, r, t, _n in rows]
    maths = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        aggs = aggregation.aggregate(reviews, max_total=100, threshold=20)
        ranked = aggregation.rank(list(aggs.values()), "normalised")
        aggregation.tiers_assign(ranked, [{"name": "优秀", "by": "fraction", "value": 0.3}], "normalised")
        maths.append(time.perf_counter() - t0)
    print(
        f"database={connection.vendor} applications={args.applications} reviews={len(rows)} "
        f"ranked_rows={len(result.rows)} fill={fill:.1f}s "
        f"ranking_best={min(timings):.3f}s ranking_median={sorted(timings)[len(timings) // 2]:.3f}s "
        f"arithmetic_best={min(maths):.3f}s"
    )


if __name__ == "__main__":
    main()
