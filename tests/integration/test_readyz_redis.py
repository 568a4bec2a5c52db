"""/readyz follows Redis: ready with a real worker and beat, not ready within seconds of Redis stopping, ready
again once it is back and the worker has beaten. A private redis-server is stopped, never the shared one."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int, workdir: Path) -> subprocess.Popen:
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true 但未找到 redis-server：集成测试不能跳过。")
        pytest.skip("未找到 redis-server。")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("私有 redis-server 未能启动。")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if "postgresql" in db["ENGINE"]:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return ""


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_for(url: str, status: int, seconds: float, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        assert worker.poll() is None, "worker 退出了"
        last = _status(url)
        if last == status:
            return
        time.sleep(0.5)
    pytest.fail(f"/readyz 在 {seconds} 秒内没有变成 {status}（最后一次是 {last}）")


@pytest.mark.django_db(transaction=True)
def test_readyz_turns_503_when_redis_stops_and_200_when_it_returns(live_server, tmp_path):
    port = _free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    redis = _start_redis(port, tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings",
        "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "REDIS_URL": redis_url,
        "DATABASE_URL": _database_url(),
        "VAR_DIR": str(tmp_path / "var"),
        "HEALTH_HEARTBEAT_SECONDS": "1",
        "HEALTH_WORKER_MAX_AGE_SECONDS": "5",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "kunshan_portal", "worker", "-B", "--pool=solo"]
        + ["--schedule", str(tmp_path / "beat-schedule"), "--without-gossip", "--without-mingle"]
        + ["--without-heartbeat", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    url = live_server.url + "/readyz"
    try:
        with override_settings(CACHES=caches, CELERY_BROKER_URL=redis_url, HEALTH_WORKER_MAX_AGE_SECONDS=5):
            _wait_for(url, 200, 90, worker)  # the worker starts, beat sends the first heartbeat

            _stop(redis)
            _wait_for(url, 503, 10, worker)

            redis = _start_redis(port, tmp_path)  # back empty (no persistence): the heartbeat must be new
            _wait_for(url, 200, 60, worker)
    finally:
        _stop(worker)
        _stop(redis)
