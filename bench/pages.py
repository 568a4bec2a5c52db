"""Page benchmark: the portal's heavy pages at scale, served by gunicorn as in production.

    python bench/pages.py --applications 2000                     # SQLite in /tmp/kp-bench-pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kunshan_perf_bench python bench/pages.py --applications 2000

Use a dedicated database: the bench migrates it and adds a campaign (`manage.py seed_scale`: N accepted
applications with ~6,000-character bodies, 100 reviewers, 3 submitted reviews each) unless one of that size
is there already (--fresh starts over; on SQLite the file is deleted). It then
  1. stages the campaign for the public pages: decision confirmed (reviews.services.decision_confirm), the
     award list imported (awards.services.awards_import_decision), the 公示 window open; for the results page
     the window is moved into the past and the results marked published (a direct update: publishing would
     e-mail every applicant, which is not what is measured);
  2. counts each page's queries in-process (django.test.Client + CaptureQueriesContext, after one warm-up);
  3. starts gunicorn (-w 2, DEBUG off, SECRET_KEY and ALLOWED_HOSTS set, BEHIND_PROXY=1 with
     X-Forwarded-Proto: https as nginx sends it) and times --requests warm sequential requests per page
     (after 3 unmeasured ones): median, p95 and bytes;
  4. runs `wrk -t2 -c8` (--wrk-seconds, default 10; apt-get install wrk) on the public pages and the floor,
     anonymous as the public arrives, and prints requests per second beside the floor's;
  5. prints each gunicorn worker's RSS and PSS (/proc) at the end.
The floor is a bare Django view through the whole middleware stack (/__bench/floor/, present only with
BENCH_FLOOR=1): it is what any page costs before its own work, measured in the same run.
"""

import argparse
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR_DIR = os.environ.get("VAR_DIR", "/tmp/kp-bench-pages")
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-pages-not-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "BEHIND_PROXY": "1",
    "BENCH_FLOOR": "1",
    "VAR_DIR": VAR_DIR,
    "CELERY_TASK_ALWAYS_EAGER": "1",
}
os.environ.update(BENCH_ENV)
HTTPS = {"X-Forwarded-Proto": "https"}


def _seed(args):
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Campaign

    slug = f"bench-pages-{args.applications}"
    if args.fresh and connection.vendor == "sqlite":
        connection.close()
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    existing = Campaign.objects.filter(slug=slug).first()
    if existing is not None and not args.fresh:
        return existing, False
    if existing is not None:
        existing.delete()
    started = time.perf_counter()
    call_command(
        "seed_scale",
        "--applications",
        str(args.applications),
        "--reviewers",
        str(args.reviewers),
        "--reviews-per-application",
        str(args.reviews_per_application),
    )
    campaign = Campaign.objects.order_by("-pk").first()
    Campaign.objects.filter(pk=campaign.pk).update(slug=slug, is_published=True)
    campaign.refresh_from_db()
    print(f"seeded in {time.perf_counter() - started:.1f}s", flush=True)
    return campaign, True


def _stage(campaign, staff, fresh: bool):
    """Decision confirmed and award list imported (once), 公示 open now."""
    import datetime as dt

    from django.utils import timezone

    from awards import services as award_services
    from awards.models import Publicity
    from cases.models import Campaign
    from reviews import services as review_services
    from reviews.models import ReviewSettings

    settings_row = ReviewSettings.objects.filter(campaign=campaign).first()
    if settings_row is None or settings_row.decision_confirmed_at is None:
        started = time.perf_counter()
        review_services.decision_confirm(campaign=campaign, by=staff, incomplete_reason="基准测试")
        award_services.awards_import_decision(campaign=campaign, by=staff)
        print(f"decision and award list in {time.perf_counter() - started:.1f}s", flush=True)
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        publicity_starts_at=now - dt.timedelta(days=1), publicity_ends_at=now + dt.timedelta(days=3)
    )
    Publicity.objects.filter(campaign=campaign).update(results_published_at=None)


def _publish_results(campaign, staff):
    import datetime as dt

    from django.utils import timezone

    from awards.models import Publicity
    from cases.models import Campaign

    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        publicity_starts_at=now - dt.timedelta(days=5), publicity_ends_at=now - dt.timedelta(days=1)
    )
    Publicity.objects.update_or_create(
        campaign=campaign, defaults={"results_published_at": now, "results_published_by": staff}
    )


def _people(campaign):
    from accounts.models import User
    from reviews.models import Assignment

    staff, _ = User.objects.get_or_create(
        email="bench-staff@example.cn", defaults={"name": "基准测试工作人员", "is_staff": True}
    )
    assignment = (
        Assignment.objects.filter(application__campaign=campaign).select_related("reviewer").order_by("id").first()
    )
    return staff, assignment.reviewer, assignment.application_id


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _pages(campaign, application_id):
    from django.urls import reverse

    slug = campaign.slug
    return [
        ("staff application list", "staff", reverse("cases:staff_applications") + f"?campaign={campaign.pk}"),
        ("ranking page", "staff", reverse("reviews:ranking", kwargs={"slug": slug})),
        ("staff application detail", "staff", reverse("cases:application_detail", args=[application_id])),
        ("reviewer's queue", "reviewer", reverse("reviews:queue")),
        ("reviewer's case page", "reviewer", reverse("reviews:case", args=[application_id])),
        ("public publicity page", None, reverse("awards:publicity", kwargs={"slug": slug})),
        ("public home", None, reverse("home")),
        ("public campaign page", None, reverse("cases:campaign_detail", kwargs={"slug": slug})),
        ("results page", None, reverse("awards:results", kwargs={"slug": slug})),
        ("bare Django view (floor)", None, "/__bench/floor/"),
    ]


def _count_queries(pages, users) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, who, url in pages:
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        if who:
            client.force_login(users[who])
        client.get(url)  # warm-up: per-process caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = len(ctx)
    return counts


def _get(port: int, url: str, cookie: str | None) -> tuple[float, int, int]:
    headers = dict(HTTPS)
    if cookie:
        headers["Cookie"] = cookie
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, response.status, len(body)


def _gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ)
    binary = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(binary), "kunshan_portal.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "300"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(VAR_DIR) / "gunicorn.log", "w"),  # noqa: SIM115
    )
    for _ in range(200):
        try:
            _get(port, "/__bench/floor/", None)
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("gunicorn did not start: see " + str(Path(VAR_DIR) / "gunicorn.log"))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pss_mb(pid: int) -> float:
    """Proportional set size: the worker's share of pages it shares with the master and the other worker."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


WRK_PAGES = ("public publicity page", "public home", "public campaign page", "results page", "bare Django view (floor)")


def _wrk(port: int, url: str, seconds: int) -> float:
    """Requests per second of `wrk -t2 -c8` (anonymous, as the public arrives), or 0 when wrk is missing."""
    binary = shutil.which("wrk")
    if binary is None:
        return 0.0
    out = subprocess.run(
        [binary, "-t2", "-c8", f"-d{seconds}s", "-H", "X-Forwarded-Proto: https", f"http://127.0.0.1:{port}{url}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = [line for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    if any("Non-2xx" in line for line in errors):
        raise SystemExit(f"wrk got errors on {url}: {errors}")
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return 0.0


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        out += [int(c) for c in children]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--reviewers", type=int, default=100)
    parser.add_argument("--reviews-per-application", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fresh", action="store_true", help="seed again even when the campaign exists")
    parser.add_argument("--seed-only", action="store_true", help="build (or keep) the data set, then stop")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="wrk run per public page (0: no wrk)")
    args = parser.parse_args()
    Path(VAR_DIR).mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.db import connection

    campaign, seeded = _seed(args)
    staff, reviewer, application_id = _people(campaign)
    _stage(campaign, staff, seeded)
    if args.seed_only:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh bulk loads have no planner statistics yet (autovacuum runs later)
    users = {"staff": staff, "reviewer": reviewer}
    pages = _pages(campaign, application_id)
    public_phase = [p for p in pages if p[0] != "results page"]
    results_phase = [p for p in pages if p[0] == "results page"]

    counts = _count_queries(public_phase, users)
    cookies = {who: _session_cookie(user) for who, user in users.items()}
    connection.close()

    server = _gunicorn(args.port, args.workers)
    timings: dict[str, tuple] = {}
    rps: dict[str, float] = {}
    try:

        def measure(phase):
            for name, who, url in phase:
                cookie = cookies.get(who) if who else None
                for _ in range(3):
                    _get(args.port, url, cookie)
                samples, size = [], 0
                for _ in range(args.requests):
                    elapsed, status, size = _get(args.port, url, cookie)
                    assert status == 200, (name, url, status)
                    samples.append(elapsed * 1000)
                samples.sort()
                p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
                timings[name] = (statistics.median(samples), p95, size)
                print(f"  measured {name}", flush=True)
            for name, _who, url in phase:
                if args.wrk_seconds and name in WRK_PAGES:
                    rps[name] = _wrk(args.port, url, args.wrk_seconds)

        measure(public_phase)
        _publish_results(campaign, staff)
        counts.update(_count_queries(results_phase, users))
        connection.close()
        measure(results_phase)
        rss = [(pid, _rss_mb(pid), _pss_mb(pid)) for pid in _children(server.pid)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from django.db import connection as conn

    reviews = args.applications * args.reviews_per_application
    print()
    print(
        f"database={conn.vendor} applications={args.applications} reviewers={args.reviewers} reviews={reviews} "
        f"gunicorn -w {args.workers}, DEBUG off, {args.requests} warm sequential requests per page"
    )
    print("| page | queries | median ms | p95 ms | bytes |\n|---|---|---|---|---|")
    for name, _who, _url in pages:
        median, p95, size = timings[name]
        print(f"| {name} | {counts[name]} | {median:.1f} | {p95:.1f} | {size:,} |")
    print(
        "worker RSS (PSS) after the run: " + ", ".join(f"pid {pid} {mb:.0f} MB ({pss:.0f} MB)" for pid, mb, pss in rss)
    )
    if rps:
        floor = rps.get("bare Django view (floor)") or 0.0
        print(f"\nwrk -t2 -c8 -d{args.wrk_seconds}s, anonymous (the public pages from the visitors' cache)")
        print("| page | requests/s | share of the floor |\n|---|---|---|")
        for name in WRK_PAGES:
            if name in rps:
                share = f"{rps[name] / floor:.2f}" if floor else "—"
                print(f"| {name} | {rps[name]:,.0f} | {share} |")
    shutil.rmtree(Path(VAR_DIR) / "mail", ignore_errors=True)


if __name__ == "__main__":
    main()
