"""Time the ranking of a campaign with many applications, each reviewed by several experts.

    DEBUG=1 VAR_DIR=/tmp/bench-var python bench/bench_ranking.py --applications 10000 --reviews-per 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kp_bench python bench/bench_ranking.py

Fills a fresh database (SQLite in VAR_DIR by default, or DATABASE_URL) with reviews.scale.scale_fill (the data of
`manage.py seed_scale`: realistic body lengths, a score per criterion),
then reports the best of several runs of reviews.selectors.ranking (the staff ranking page's read: queries,
aggregation, normalisation, tie-breaking and tiers) and of the aggregation arithmetic alone.
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

    from reviews import aggregation, selectors
    from reviews.scale import scale_fill

    started = time.perf_counter()
    campaign = scale_fill(applications=args.applications, reviewers=args.reviewers, reviews_per=args.reviews_per)
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
