"""With the real Redis, a real Celery worker and beat (subprocesses) and PostgreSQL.

Run: DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/N pytest -m integration notifications
Without REDIS_URL (or on SQLite) these tests skip, saying why — except with CI=true, where they fail.
The worker and beat use the test database (DATABASE_URL names it) and write e-mails as files into a
temporary directory, so a test counts what really went out.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.tests.factories import CampaignFactory
from kunshan_portal.celery import app as celery_app
from notifications.models import OutboxEmail, Reminder

from .factories import ApplicationFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
CLOSED_PORT_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


def _skip_or_fail(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true：集成测试不能跳过。{reason}")
    print(f"\n跳过集成测试：{reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _skip_or_fail("未设置 REDIS_URL（集成测试需要真实的 Redis 和 PostgreSQL）。")
    if connection.vendor != "postgresql":
        _skip_or_fail(
            "数据库不是 PostgreSQL（设置 DATABASE_URL=postgres://...），worker 进程无法访问内存中的 SQLite 测试库。"
        )
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()  # this test run's own Redis database: stale queued tasks would muddle the counts
    yield url
    client.flushdb()


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Processes:
    """Worker and beat subprocesses sharing one environment; stopped at the end of the test."""

    def __init__(self, tmp_path: Path, redis_url: str):
        self.tmp = tmp_path
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.running: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings",
            "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DATABASE_URL": _database_url(),
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "NOTIFICATIONS_QUIET_HOURS": "",  # the test runs at any hour
            "VAR_DIR": str(tmp_path / "var"),
        }

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")
        process = subprocess.Popen(
            [CELERY, "-A", "kunshan_portal", *args, "--loglevel=INFO"],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        return process

    def worker(self, name: str = "w1", **env: str) -> subprocess.Popen:
        return self.start(
            name, "worker", "--pool=solo", f"--hostname={name}@%h", "--without-mingle", "--without-gossip", **env
        )

    def beat(self, seconds: int = 2) -> subprocess.Popen:
        return self.start(
            "beat", "beat", f"--schedule={self.tmp / 'beat-schedule'}", NOTIFICATIONS_BEAT_SECONDS=str(seconds)
        )

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def messages(self) -> int:
        """E-mails written by the file backend (one Message-ID header each)."""
        return sum(p.read_bytes().count(b"\nMessage-ID: ") for p in self.mail_dir.glob("*.log"))

    def stop(self):
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path, redis_url, transactional_db):
    procs = Processes(tmp_path, redis_url)
    yield procs
    procs.stop()


def point_broker(url: str):
    """This process's Celery publishes to `url` (and not in-process)."""
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    celery_app._after_fork()  # forget pooled connections to the old broker


@pytest.fixture
def real_broker(redis_url):
    point_broker(redis_url)
    yield redis_url
    point_broker(redis_url)
    celery_app.conf.task_always_eager = True


def wait_for(predicate, timeout: float, what: str, procs: Processes | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    logs = "" if procs is None else "\n".join(f"--- {n} ---\n{procs.log(n)[-3000:]}" for n in ("w1", "w2", "beat"))
    pytest.fail(f"等待超时（{timeout} 秒）：{what}\n{logs}")


def test_reminders_arrive_exactly_once_despite_two_beat_ticks_and_a_retried_task(processes, real_broker, cast):
    from notifications.tasks import send_due_reminders

    # Submission closes in 23 hours: the 1-day reminder is due now for both applicants' drafts.
    campaign = CampaignFactory(submission_closes_at=timezone.now() + dt.timedelta(hours=23))
    ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    ApplicationFactory(campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b)

    # The first send fails (SMTP down for a moment): that e-mail's task is retried with backoff.
    processes.worker(EMAIL_BACKEND="notifications.tests.backends.FlakyFileBackend")
    processes.beat(seconds=2)
    wait_for(lambda: processes.messages() == 2, 60, "两封提醒邮件送达", processes)
    # An extra run of the reminder task, as a manual retry would queue it.
    send_due_reminders.apply_async()
    wait_for(
        lambda: processes.log("beat").count("Sending due task notifications-send-due-reminders") >= 4,
        30,
        "beat 至少发出 4 次提醒任务",
        processes,
    )
    time.sleep(3)  # let the last ticks' tasks finish

    assert processes.messages() == 2
    assert Reminder.objects.filter(campaign=campaign).count() == 2
    emails = OutboxEmail.objects.all()
    assert {e.status for e in emails} == {OutboxEmail.Status.SENT}
    assert sorted(e.attempts for e in emails) == [1, 2]  # one e-mail failed once and was retried
    assert "Retry in" in processes.log("w1")


def test_with_redis_down_sign_up_answers_fast_and_the_email_goes_out_once_redis_is_back(processes, real_broker, client):
    from notifications.services import outbox_flush

    point_broker(CLOSED_PORT_BROKER)
    from accounts.tests.factories import OrganisationFactory

    organisation = OrganisationFactory()
    started = time.monotonic()
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": "new.worker@example.cn",
            "name": "赵新",
            "phone": "13912345678",
            "password1": "Kunshan2026pass",
            "password2": "Kunshan2026pass",
            "organisation": organisation.pk,
        },
        follow=True,
    )
    elapsed = time.monotonic() - started
    print(f"\n注册请求（Redis 不可用）耗时 {elapsed:.3f} 秒")
    assert response.status_code == 200 and "请查收邮件" in response.content.decode()
    assert elapsed < 3
    email = OutboxEmail.objects.get(to=["new.worker@example.cn"])
    assert email.status == OutboxEmail.Status.PENDING and email.queued_at is None

    # Redis is back: the beat's flush queues the e-mail again; a worker sends it once.
    point_broker(real_broker)
    processes.worker()
    assert outbox_flush() == 1
    wait_for(lambda: processes.messages() == 1, 60, "欢迎邮件送达", processes)
    assert outbox_flush() == 0  # sent: nothing left to queue
    time.sleep(2)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT and processes.messages() == 1


def test_a_worker_killed_mid_task_leaves_one_email_after_restart(processes, real_broker, cast, redis_url):
    import redis

    from notifications.email import email_send

    gate = f"mail-gate:{uuid.uuid4()}"
    env = {"EMAIL_BACKEND": "notifications.tests.backends.GatedFileBackend", "MAIL_GATE_KEY": gate}
    # Unacknowledged tasks come back after 2 s instead of an hour, so the test need not wait.
    env["CELERY_VISIBILITY_TIMEOUT"] = "2"
    first = processes.worker("w1", **env)
    email = email_send(
        to=[cast.applicant_a.email],
        subject="测试",
        template="accounts/email/welcome.txt",
        context={"user": cast.applicant_a, "organisation": cast.org_a},
    )

    started = processes.mail_dir / ".send-started"
    wait_for(started.exists, 60, "worker 开始发送并在闸门处等待", processes)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENDING
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert processes.messages() == 0

    redis.Redis.from_url(redis_url).set(gate, "open", ex=300)
    time.sleep(3)  # past the visibility timeout: the restarted worker hands the unacked task out again
    processes.worker("w2", **env)
    wait_for(lambda: processes.messages() == 1, 60, "重启后的 worker 重新执行任务并发出邮件", processes)
    time.sleep(3)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT and processes.messages() == 1
    assert email.attempts == 2  # claimed by the killed worker, then again by the same task redelivered
