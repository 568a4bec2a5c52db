"""Jobs that outlive faults, on the real services: a private Redis (started and stopped here, never the shared
one), real Celery worker and beat processes, PostgreSQL and LibreOffice.

- Redis stopped during an objection: the public form still lodges it; the receipt e-mail waits in the outbox.
- Redis stopped during an export start: the page answers, the job waits pending and runs once Redis is back.
- A worker SIGKILLed during a certificate export: its LibreOffice processes die with it, and the sweep
  (beat) resumes the export on another worker within minutes, long before the broker's visibility timeout.

Run: DATABASE_URL=postgres://... REDIS_URL=redis://... CI=true pytest -m integration tests/integration
"""

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from awards.models import Certificate, CertificateExport, Objection
from awards.tests.factories import AwardFactory, publicity_campaign, publish_results
from cases.models import Application, CaseExport
from cases.tests.factories import ApplicationFactory, CampaignFactory
from notifications.jobs import jobs_sweep
from notifications.models import OutboxEmail
from notifications.services import outbox_flush
from notifications.tests.test_integration import Processes, _skip_or_fail, point_broker, wait_for
from tests.fixtures import storage_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test alone, on a free port, without persistence: stopped and started at will."""

    def __init__(self, tmp_path: Path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            _skip_or_fail("未安装 redis-server，无法启动测试专用的 Redis。")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        pytest.fail("测试专用的 Redis 未能启动。")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path, transactional_db, settings):
    if os.environ.get("CI", "").lower() != "true" and not settings.REDIS_URL:
        pytest.skip("集成测试需要 REDIS_URL 与 PostgreSQL（CI=true 时不跳过）。")
    from django.db import connection

    if connection.vendor != "postgresql":
        _skip_or_fail("数据库不是 PostgreSQL，worker 进程无法访问测试库。")
    redis = PrivateRedis(tmp_path)
    redis.start()
    # This process caches (rate limits) and publishes (tasks) to the private Redis only.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    point_broker(redis.url)
    yield redis
    caches["default"].close()
    redis.stop()
    point_broker(settings.REDIS_URL or "memory://")
    from kunshan_portal.celery import app

    app.conf.task_always_eager = True


@pytest.fixture
def processes(tmp_path, private_redis):
    procs = Processes(tmp_path, private_redis.url)
    procs.env.update(storage_environment())
    yield procs
    procs.stop()


def test_with_redis_stopped_the_public_objection_form_lodges_the_objection(client, private_redis):
    from notifications import services as notification_services

    campaign = publicity_campaign(slug="redis-down-objection")
    award = AwardFactory(campaign=campaign)
    private_redis.stop()
    response = client.post(
        reverse("awards:objection", kwargs={"slug": campaign.slug}),
        {
            "name": "赵某某",
            "phone": "13912345678",
            "email": "objector@example.org",
            "organisation": "",
            "award": award.pk,
            "reason": "该案例所述服务时间与机构实际开展情况不符，小组活动记录显示相关活动并未开展，请予核实。",
        },
        REMOTE_ADDR="10.0.0.9",
    )
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:objection_receipt", kwargs={"tracking": objection.tracking_number})
    receipt = OutboxEmail.objects.get(to=["objector@example.org"])
    assert receipt.status == OutboxEmail.Status.PENDING and receipt.queued_at is None

    private_redis.start()  # Redis is back: the outbox flush queues the receipt
    notification_services._broker_down_until.clear()
    assert outbox_flush() == 1


def test_with_redis_stopped_an_export_start_answers_and_the_job_runs_once_redis_is_back(
    client, cast, processes, private_redis
):
    campaign = CampaignFactory()
    for i in range(3):
        ApplicationFactory(campaign=campaign, status=Application.Status.SUBMITTED, reference=f"KS2026-{i + 1:04d}")
    client.force_login(cast.staff)
    private_redis.stop()
    response = client.post(reverse("cases:campaign_export", args=[campaign.slug]))
    job = CaseExport.objects.get()
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert (job.status, job.queued_at) == (CaseExport.Status.PENDING, None)

    private_redis.start()
    processes.worker("w1")
    # The beat's sweep, a minute on: the job that was never queued is queued now and a worker builds it.
    assert jobs_sweep(now=timezone.now() + dt.timedelta(minutes=1))["requeued"] == 1
    wait_for(lambda: CaseExport.objects.get(pk=job.pk).status == CaseExport.Status.DONE, 120, "导出完成", processes)


def _soffice_of(worker_pid: int) -> list[int]:
    """LibreOffice processes a worker started: their profile folder is named after the worker's pid."""
    marker = f"kp-lo-{worker_pid}-"
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and "converter_guard" not in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def test_a_worker_killed_during_a_certificate_export_leaves_no_converter_and_the_export_finishes(
    cast, processes, private_redis
):
    if shutil.which("soffice") is None:
        _skip_or_fail("未安装 LibreOffice（soffice）。")
    from awards import services

    n = 30
    campaign = publicity_campaign(slug="killed-worker", open_now=False)
    for rank in range(1, n + 1):
        AwardFactory(campaign=campaign, rank=rank, confirmed_by=cast.staff)
    publish_results(campaign, cast.staff)
    # Dead within 6 s of silence; the broker would hand the unacknowledged task out again only after an hour.
    fast = {"JOBS_HEARTBEAT_SECONDS": "1", "JOBS_STALE_SECONDS": "6", "CELERY_VISIBILITY_TIMEOUT": "3600"}
    first = processes.worker("w1", **fast)
    export = services.certificate_export_start(campaign=campaign, by=cast.staff)

    wait_for(lambda: _soffice_of(first.pid), 240, "worker 开始用 LibreOffice 转换 PDF", processes)
    export.refresh_from_db()
    assert export.status == CertificateExport.Status.RUNNING and export.done < export.total
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    wait_for(lambda: not _soffice_of(first.pid), 30, "被杀 worker 的 LibreOffice 进程随之退出", processes)

    processes.worker("w2", **fast)
    processes.beat(seconds=2)
    wait_for(
        lambda: (
            CertificateExport.objects.get(pk=export.pk).status
            in (CertificateExport.Status.DONE, CertificateExport.Status.FAILED)
        ),
        300,
        "导出在 5 分钟内完成或失败",
        processes,
    )
    print(f"\n被杀后 {time.monotonic() - killed_at:.1f} 秒导出结束")
    export.refresh_from_db()
    assert export.status == CertificateExport.Status.DONE and export.attempts == 2
    assert sorted(Certificate.objects.filter(campaign=campaign).values_list("serial", flat=True)) == list(
        range(1, n + 1)
    )
    assert not _soffice_of(first.pid)
