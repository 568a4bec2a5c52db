"""Integration: real Celery worker processes on the real Redis and PostgreSQL run the certificate export.
Two concurrent runs, and a worker killed mid-batch then restarted, leave the numbers unique and complete."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from awards.models import Award, Certificate, CertificateExport
from awards.tasks import certificate_export_task
from awards.tests.factories import AwardFactory, publicity_campaign, publish_results
from kunshan_portal.celery import app as celery_app
from tests.fixtures import storage_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _require_services():
    ci = os.environ.get("CI", "").lower() == "true"
    if not settings.REDIS_URL:
        if ci:
            pytest.fail("CI=true 但未设置 REDIS_URL：集成测试不能跳过。")
        pytest.skip("未设置 REDIS_URL，跳过需要真实 Redis 和 Celery worker 的集成测试。")
    if connection.vendor != "postgresql":
        if ci:
            pytest.fail("CI=true 但数据库不是 PostgreSQL：集成测试不能跳过。")
        pytest.skip("数据库不是 PostgreSQL（worker 进程无法访问内存中的 SQLite 测试库），跳过。")


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(queue: str, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings",
        "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_URL": _database_url(),  # the test database, not the development one
        "DB_CONN_MAX_AGE": "0",
        **storage_environment(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_VISIBILITY_TIMEOUT": "4",
        # A run that stopped beating for 2 s lost its worker: the redelivered task may take the job over.
        "JOBS_HEARTBEAT_SECONDS": "1",
        "JOBS_STALE_SECONDS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kunshan_portal",
            "worker",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: killing it kills its pool children too
    )


def _stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def queue():
    _require_services()
    name = f"test-certificates-{uuid.uuid4().hex[:8]}"
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield name
    celery_app.conf.task_always_eager = saved


def _campaign_with_awards(cast, n: int):
    campaign = publicity_campaign(slug=f"integration-{uuid.uuid4().hex[:6]}", open_now=False)
    for rank in range(1, n + 1):
        AwardFactory(campaign=campaign, rank=rank, confirmed_by=cast.staff)
    publish_results(campaign, cast.staff)
    return campaign


def _wait_done(export_ids, workers, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = set(CertificateExport.objects.filter(pk__in=export_ids).values_list("status", flat=True))
        if statuses == {CertificateExport.Status.DONE}:
            return
        for w in workers:
            assert w.poll() is None, w.stdout.read()
        time.sleep(0.5)
    raise AssertionError(f"export not finished: {list(CertificateExport.objects.values('status', 'done', 'total'))}")


def _assert_numbers_unique_and_complete(campaign, n):
    serials = sorted(Certificate.objects.filter(campaign=campaign).values_list("serial", flat=True))
    assert serials == list(range(1, n + 1))
    numbers = list(Certificate.objects.filter(campaign=campaign).values_list("number", flat=True))
    assert len(set(numbers)) == n
    assert not Award.objects.filter(campaign=campaign, certificate__isnull=True).exists()
    for certificate in Certificate.objects.filter(campaign=campaign):
        assert default_storage.exists(certificate.docx)


def test_two_concurrent_export_runs_leave_numbers_unique_and_complete(cast, queue):
    n = 12
    campaign = _campaign_with_awards(cast, n)
    exports = [CertificateExport.objects.create(campaign=campaign, requested_by=cast.staff) for _ in range(2)]
    worker = _start_worker(queue, "--pool=prefork", "-c", "2")
    try:
        for export in exports:
            certificate_export_task.apply_async(args=[export.pk], queue=queue)
        _wait_done([e.pk for e in exports], [worker])
    finally:
        _stop(worker)
    _assert_numbers_unique_and_complete(campaign, n)
    import zipfile

    for export in CertificateExport.objects.filter(pk__in=[e.pk for e in exports]):
        with zipfile.ZipFile(default_storage.open(export.file.name)) as z:
            assert len([x for x in z.namelist() if x.endswith(".docx")]) == n


def test_a_worker_killed_mid_batch_and_restarted_finishes_without_duplicate_or_missing_numbers(cast, queue):
    n = 40
    campaign = _campaign_with_awards(cast, n)
    export = CertificateExport.objects.create(campaign=campaign, requested_by=cast.staff)
    worker = _start_worker(queue, "--pool=solo")
    try:
        certificate_export_task.apply_async(args=[export.pk], queue=queue)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            export.refresh_from_db()
            if export.status == CertificateExport.Status.RUNNING and 0 < export.done < export.total - 1:
                break
            time.sleep(0.05)
        assert export.status == CertificateExport.Status.RUNNING, "the batch never started"
    finally:
        _stop(worker, signal.SIGKILL)  # killed mid-batch: the task was never acknowledged
    export.refresh_from_db()
    assert export.status != CertificateExport.Status.DONE
    time.sleep(3)  # the killed run's heartbeat goes stale, so the redelivered task takes the job over
    restarted = _start_worker(queue, "--pool=solo")
    try:
        _wait_done([export.pk], [restarted])  # the broker hands the unacknowledged task to the new worker
    finally:
        _stop(restarted)
    _assert_numbers_unique_and_complete(campaign, n)
