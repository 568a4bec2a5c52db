"""Numbering the certificates of two campaigns of the same year (issue 15.7), one counter per issuing body
and year under a row lock.

Run by hand, not in the test suite:

    /work/main/.venv/bin/python bench/certificate_numbers.py --count 80

It builds a throw-away SQLite database under /tmp, creates two finished campaigns of the same year with
`--count` awards each and the default number prefix, publishes both, numbers the first and then the
second (awards.services.certificates_allocate, as the export task does), and prints how many certificates
each campaign got, whether every number is distinct, and the time per certificate. Before the fix the
second campaign got 0 (every number clashed with the first's and the error was swallowed).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=80, help="awards per campaign")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kp-bench-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="kunshan_portal.settings",
        DEBUG="1",
        VAR_DIR=str(work),
        MEDIA_ROOT=str(work / "media"),
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from accounts.tests.factories import UserFactory
    from awards import services
    from awards.models import Certificate
    from awards.tests.factories import AwardFactory, publicity_campaign, publish_results

    staff = UserFactory(is_staff=True)
    campaigns = []
    for slug in ("first-of-the-year", "second-of-the-year"):
        campaign = publicity_campaign(slug=slug, open_now=False)
        for rank in range(1, args.count + 1):
            AwardFactory(campaign=campaign, rank=rank, confirmed_by=staff)
        publish_results(campaign, staff)
        campaigns.append(campaign)
    for campaign in campaigns:
        start = time.perf_counter()
        numbered = services.certificates_allocate(campaign=campaign)
        elapsed = time.perf_counter() - start
        numbers = list(
            Certificate.objects.filter(campaign=campaign).order_by("serial").values_list("number", flat=True)
        )
        print(
            f"{campaign.slug}: {numbered}/{args.count} numbered, {' … '.join(numbers[:1] + numbers[-1:]) or '—'}, "
            f"{1000 * elapsed / max(numbered, 1):.1f} ms per certificate"
        )
    total = Certificate.objects.count()
    distinct = Certificate.objects.values("number").distinct().count()
    print(f"all numbers distinct: {total == distinct} ({total} certificates)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
