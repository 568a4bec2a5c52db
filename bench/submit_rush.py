"""Autosave and submit under gunicorn -w 4 on PostgreSQL and Redis, and a deadline rush (issue 15 item 4).

    python bench/submit_rush.py                      # everything, on postgres://postgres@127.0.0.1:5432/kunshan_input_bench
    python bench/submit_rush.py --applicants 300 --seconds 60 --double-click 0.1
    BENCH_DATABASE_URL=postgres://... BENCH_REDIS_URL=redis://127.0.0.1:6379/5 python bench/submit_rush.py

What it does, in order:
1. drops and re-creates the dedicated database, migrates, collects static files, and creates one open campaign
   and N applicants, each with a complete draft whose body is distinct (no two share a privacy-check result);
2. starts `gunicorn -w 4` (DEBUG off, as in production) and one Celery worker (the background privacy check
   and the e-mails), each in its own process group, stopped at the end;
3. single requests, one after another: autosave and submit of a 10,000- and a 30,000-character body, and an
   autosave with every section at its hard maximum (6 × CASE_SECTION_MAX_CHARS);
4. the rush: N submits spread evenly over S seconds (N/S a second), each from its own applicant through the
   editor's form, a fraction of them double-clicked (the same POST again 50 ms later). "warm": the applicants
   autosaved their final text before the rush (what happens in real life: the editor saves every 30 s) and
   the background check has run; "cold": every submit carries text the checker has never seen;
5. prints p50, p95, max, failures (anything but the redirect to the receipt page), duplicates (an
   application with more than one submit audit event or receipt e-mail, or a reference given twice).

The machine's cores are shared with other work: note the load (printed) beside the figures.
"""

import argparse
import http.client
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kunshan_input_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
VAR_DIR = os.environ.get("BENCH_VAR_DIR", "/tmp/kp-bench-input")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-" + "k" * 60,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "VAR_DIR": VAR_DIR,
    "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)
PY = str(Path(sys.executable))
BIN = Path(sys.executable).parent

import django  # noqa: E402

django.setup()

from cases.tests.test_privacy import DEIDENTIFIED_CASE  # noqa: E402 (a de-identified case body, no findings)

SENTENCES = [s + "。" for line in DEIDENTIFIED_CASE.splitlines()[1::2] for s in line.split("。") if s]


def body(seed: int, chars: int) -> list[str]:
    """Six sections, `chars` characters in all, distinct for each seed, with no privacy findings."""
    rng = random.Random(seed)
    per = chars // 6
    sections = []
    for i in range(6):
        text = f"本案编号{seed}第{i + 1}部分。"
        while len(text) < per:
            text += rng.choice(SENTENCES)
        sections.append(text[:per])
    return sections


# ---------------------------------------------------------------- set-up (in this process, through the ORM)


def recreate_database() -> None:
    import psycopg

    parsed = urllib.parse.urlparse(DATABASE_URL)
    name = parsed.path.lstrip("/")
    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def set_up(applicants: int) -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import cache
    from django.core.management import call_command

    from accounts.models import Membership, Organisation, User
    from cases.models import SECTIONS, Application, TeamMember
    from cases.tests.factories import ApplicationFactory, CampaignFactory

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()
    campaign = CampaignFactory(slug="bench-rush")
    organisation = Organisation.objects.create(
        name="基准测试社会工作服务中心", credit_code="52320583MJ0000000X", district="玉山镇", status="approved"
    )
    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.cn", name=f"申报人{i}", phone="13912345678", password="!")
        for i in range(applicants)
    )
    Membership.objects.bulk_create(Membership(user=u, organisation=organisation, role="member") for u in users)
    people = []
    for i, user in enumerate(users):
        application = ApplicationFactory.build(
            campaign=campaign, applicant=user, organisation=organisation, title=f"基准测试案例{i}"
        )
        application.save()
        TeamMember.objects.create(
            application=application, name="王芳", gender="female", age=32, certificate_level="social_worker"
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append({"pk": application.pk, "session": session.session_key, "seed": i})
    assert Application.objects.filter(campaign=campaign).count() == applicants
    return {"people": people, "sections": [name for name, _ in SECTIONS], "limit": settings.CASE_SECTION_MAX_CHARS}


# ---------------------------------------------------------------- servers


def start_servers(workers: int) -> list[subprocess.Popen]:
    log = open(Path(VAR_DIR) / "servers.log", "ab")  # noqa: SIM115 (kept open for the servers' lifetime)
    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "kunshan_portal.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    celery = subprocess.Popen(
        [str(BIN / "celery"), "-A", "kunshan_portal", "worker", "-c", "1", "--loglevel=WARNING"],
        cwd=ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.5)
    return [gunicorn, celery]


def stop_servers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# ---------------------------------------------------------------- requests


CSRF = secrets.token_hex(16)  # a 32-character secret, as Django's csrftoken cookie holds


def form(person: dict, sections: list[str], texts: list[str], version: int, **extra) -> dict:
    data = {
        "csrfmiddlewaretoken": CSRF,
        "version": str(version),
        "title": f"基准测试案例{person['seed']}",
        "period_start": "2024-03-01",
        "period_end": "2024-09-30",
        "declaring_unit": "基准测试社会工作服务中心",
        "organisation_name": "基准测试社会工作服务中心",
        "applicant_name": f"申报人{person['seed']}",
        "phone": "13912345678",
        "email": f"bench{person['seed']}@example.cn",
        "category": "casework",
        "domain": "老龄事业",
        "pledge_accepted": "on",
        "pledge_signature": f"申报人{person['seed']}",
        "team-TOTAL_FORMS": "1",
        "team-INITIAL_FORMS": "0",
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "10",
        "team-0-name": "王芳",
        "team-0-gender": "female",
        "team-0-age": "32",
        "team-0-certificate_level": "social_worker",
    }
    data.update(zip(sections, texts, strict=True))
    data.update(extra)
    return data


def post(path: str, person: dict, data: dict) -> tuple[int, float, bytes]:
    payload = urllib.parse.urlencode(data).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={person['session']}; csrftoken={CSRF}",
        "Accept": "application/json, text/html",
    }
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=180)
        conn.request("POST", path, body=payload, headers=headers)
        response = conn.getresponse()
        content = response.read()
        status = response.status
    except OSError as error:
        status, content = 0, str(error).encode()
    return status, time.perf_counter() - started, content


def current_version(pk: int) -> int:
    from cases.models import Application

    return Application.objects.values_list("version", flat=True).get(pk=pk)


def autosave(person, sections, texts) -> tuple[int, float, bytes]:
    version = current_version(person["pk"])
    return post(f"/cases/applications/{person['pk']}/autosave/", person, form(person, sections, texts, version))


def submit(person, sections, texts, version=None) -> tuple[int, float, bytes]:
    version = current_version(person["pk"]) if version is None else version
    data = form(person, sections, texts, version, action="submit", confirm_findings="1")
    return post(f"/cases/applications/{person['pk']}/edit/", person, data)


def wait_for_checks(texts_by_person: list[list[str]], timeout: float = 600) -> float:
    """Until the background check (Celery) has remembered every section of every text; returns the wait."""
    from cases.privacy import findings_cached

    started = time.perf_counter()
    pending = [t for texts in texts_by_person for t in texts]
    while pending and time.perf_counter() - started < timeout:
        pending = [t for t in pending if findings_cached(t) is None]
        if pending:
            time.sleep(0.5)
    return time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def fmt(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (
        f"p50 {statistics.median(values) * 1000:7.0f} ms  p95 {pct(values, 95) * 1000:7.0f} ms  "
        f"max {max(values) * 1000:7.0f} ms  (n={len(values)})"
    )


# ---------------------------------------------------------------- the runs


def singles(people: list[dict], sections: list[str], limit: int, repeat: int) -> None:
    print("\n== single requests, one at a time ==")
    pool = iter(people)
    for chars in (10_000, 30_000):
        saves, cold_submits, warm_submits = [], [], []
        for r in range(repeat):
            person = next(pool)
            texts = body(100_000 + person["seed"] * 10 + r, chars)
            status, seconds, _ = autosave(person, sections, texts)
            assert status == 200, status
            saves.append(seconds)
            wait_for_checks([texts])
            status, seconds, _ = submit(person, sections, texts)
            assert status == 302, status
            warm_submits.append(seconds)
            person = next(pool)
            texts = body(200_000 + person["seed"] * 10 + r, chars)
            status, seconds, _ = submit(person, sections, texts)
            assert status == 302, status
            cold_submits.append(seconds)
        print(f"{chars:>6}-character body  autosave (new text):        {fmt(saves)}")
        print(f"{chars:>6}-character body  submit, text checked before: {fmt(warm_submits)}")
        print(f"{chars:>6}-character body  submit, text never checked:  {fmt(cold_submits)}")
    person = next(pool)
    biggest = [("服务对象" * limit)[:limit] for _ in sections]
    status, seconds, _ = autosave(person, sections, biggest)
    print(f"every section at the maximum ({6 * limit} characters) autosave: {seconds * 1000:.0f} ms, status {status}")
    over = [("服务对象" * limit)[: limit + 1] for _ in sections]
    status, seconds, content = autosave(person, sections, over)
    print(f"every section one over the maximum: {seconds * 1000:.0f} ms, status {status} (refused beside each field)")
    return pool


def rush(people: list[dict], sections: list[str], seconds: float, double_click: float, warm: bool) -> None:
    mode = "warm (final text autosaved and checked before)" if warm else "cold (text never checked)"
    print(f"\n== rush: {len(people)} submits in {seconds:.0f} s ({len(people) / seconds:.1f}/s), {mode} ==")
    texts_by_person = [body(person["seed"] + (0 if warm else 500_000), 10_000) for person in people]
    if warm:
        for person, texts in zip(people, texts_by_person, strict=True):
            status, _, _ = autosave(person, sections, texts)
            assert status == 200, status
        print(f"waited {wait_for_checks(texts_by_person):.1f} s for the background checks of the autosaves")
    versions = [current_version(person["pk"]) for person in people]
    rng = random.Random(7)
    doubles = {i for i in range(len(people)) if rng.random() < double_click}
    results: list[tuple[int, int, float]] = []
    lock = threading.Lock()

    def one(i: int, at: float) -> None:
        time.sleep(max(0.0, at - time.perf_counter()))
        status, took, _ = submit(people[i], sections, texts_by_person[i], versions[i])
        with lock:
            results.append((i, status, took))

    def second_click(i: int, at: float) -> None:
        time.sleep(max(0.0, at + 0.05 - time.perf_counter()))
        status, took, _ = submit(people[i], sections, texts_by_person[i], versions[i])
        with lock:
            results.append((-i - 1, status, took))

    load_before = os.getloadavg()
    start = time.perf_counter() + 1
    threads = []
    for i in range(len(people)):
        at = start + i * seconds / len(people)
        threads.append(threading.Thread(target=one, args=(i, at)))
        if i in doubles:
            threads.append(threading.Thread(target=second_click, args=(i, at)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    firsts = [(i, status, took) for i, status, took in results if i >= 0]
    seconds_clicks = [(i, status, took) for i, status, took in results if i < 0]
    ok = [took for _, status, took in firsts if status == 302]
    print(f"redirected to the receipt page: {len(ok)}")
    failures = [(i, status) for i, status, _ in firsts if status != 302]
    print(f"load average before: {load_before[0]:.2f}, after: {os.getloadavg()[0]:.2f} (2 shared cores)")
    print(f"all {len(firsts)} first clicks finished in {wall:.1f} s")
    print(f"submit latency: {fmt([took for _, _, took in firsts])}")
    print(f"failures: {len(failures)} {failures[:10]}")
    if seconds_clicks:
        statuses = {}
        for _, status, _ in seconds_clicks:
            statuses[status] = statuses.get(status, 0) + 1
        print(f"double clicks: {len(seconds_clicks)}, answers to the second click: {statuses}")
    report_duplicates([people[i]["pk"] for i in range(len(people))])


def report_duplicates(pks: list[int]) -> None:
    from django.db.models import Count

    from accounts.models import AuditEvent
    from cases.models import Application
    from notifications.models import OutboxEmail

    submitted = Application.objects.filter(pk__in=pks, status="submitted")
    references = list(submitted.values_list("reference", flat=True))
    audited_twice = (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_SUBMIT, object_id__in=[str(pk) for pk in pks])
        .values("object_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    receipts_twice = (
        OutboxEmail.objects.filter(subject__in=[f"申报回执：{a.reference} {a.title}" for a in submitted])
        .values("subject")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    print(
        f"submitted: {len(references)}/{len(pks)}; duplicates: references given twice "
        f"{len(references) - len(set(references))}, applications audited twice {audited_twice}, "
        f"receipts written twice {receipts_twice}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--double-click", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=5, help="single requests of each kind")
    parser.add_argument("--skip", choices=["singles", "cold"], nargs="*", default=[])
    args = parser.parse_args()

    Path(VAR_DIR).mkdir(parents=True, exist_ok=True)
    recreate_database()
    single_people = 4 * args.repeat + 1
    cold = 0 if "cold" in args.skip else args.applicants
    world = set_up(args.applicants + cold + single_people)
    people, sections = world["people"], world["sections"]
    print(f"{len(people)} applicants with complete drafts; cores: {os.cpu_count()}, load: {os.getloadavg()[0]:.2f}")
    processes = start_servers(args.workers)
    try:
        if "singles" not in args.skip:
            singles(people[:single_people], sections, world["limit"], args.repeat)
        rush(people[single_people : single_people + args.applicants], sections, args.seconds, args.double_click, True)
        if cold:
            rush(people[single_people + args.applicants :], sections, args.seconds, args.double_click, False)
    finally:
        stop_servers(processes)


if __name__ == "__main__":
    main()
