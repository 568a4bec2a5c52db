"""A task queued through `enqueue` (transaction.on_commit) runs in a real Celery worker
process against the real Redis; a rolled-back transaction queues nothing."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from accounts.tasks import send_email
from kunshan_portal.celery import app as celery_app
from kunshan_portal.celery import enqueue

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _require_redis():
    if not settings.REDIS_URL:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true 但未设置 REDIS_URL：集成测试不能跳过。")
        pytest.skip("未设置 REDIS_URL，跳过需要真实 Redis 和 Celery worker 的集成测试。")


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    _require_redis()
    queue = f"test-wiring-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path_factory.mktemp("mail")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings",
        "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kunshan_portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield {"queue": queue, "mail_dir": mail_dir, "process": process}
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def real_broker(worker):
    """Publish for real (not eagerly) to the worker's own queue for the duration of a test."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = worker["queue"]
    yield worker
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved


def _mails_with(mail_dir: Path, marker: str) -> list[Path]:
    return [p for p in mail_dir.glob("*.log") if marker in p.read_text(encoding="utf-8", errors="replace")]


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_on_commit_runs_in_a_real_worker(real_broker):
    marker = f"committed-{uuid.uuid4().hex}"
    with transaction.atomic():
        enqueue(send_email, ["someone@example.cn"], "集成测试", marker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _mails_with(real_broker["mail_dir"], marker):
        assert real_broker["process"].poll() is None, real_broker["process"].stdout.read()
        time.sleep(0.3)
    assert len(_mails_with(real_broker["mail_dir"], marker)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing(real_broker):
    import redis

    marker = f"rolled-back-{uuid.uuid4().hex}"

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        enqueue(send_email, ["someone@example.cn"], "集成测试", marker)
        raise Boom
    # Prove the worker is alive and has drained its queue: a later committed task arrives...
    probe = f"probe-{uuid.uuid4().hex}"
    with transaction.atomic():
        enqueue(send_email, ["someone@example.cn"], "集成测试", probe)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _mails_with(real_broker["mail_dir"], probe):
        time.sleep(0.3)
    assert _mails_with(real_broker["mail_dir"], probe)
    # ...while the rolled-back one never does, and nothing waits in the queue.
    assert _mails_with(real_broker["mail_dir"], marker) == []
    assert redis.Redis.from_url(settings.REDIS_URL).llen(real_broker["queue"]) == 0
