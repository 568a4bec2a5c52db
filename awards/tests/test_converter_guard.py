"""LibreOffice conversions run in their own process group and die with the worker that started them
(awards/converter_guard.py). A stand-in converter that forks a child, as oosplash forks soffice.bin,
shows that no process is left behind after a timeout or after its worker is SIGKILLed."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from awards import documents

ROOT = Path(__file__).resolve().parents[2]
# Forks a long-lived child (like oosplash → soffice.bin), writes the child's pid, then waits.
CONVERTER = (
    "import subprocess, sys, time; "
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
    "open(sys.argv[1], 'w').write(str(child.pid)); time.sleep(120)"
)


def alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_for_pid(path: Path, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return int(path.read_text())
        time.sleep(0.1)
    pytest.fail("the stand-in converter never started")


def wait_gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_a_conversion_past_its_timeout_is_killed_with_every_process_it_started(tmp_path):
    pid_file = tmp_path / "child.pid"
    with pytest.raises(subprocess.TimeoutExpired):
        documents._run_guarded([sys.executable, "-c", CONVERTER, str(pid_file)], timeout=3)
    child = wait_for_pid(pid_file, timeout=1)
    assert wait_gone(child), "the converter's child outlived the timeout"


def test_a_sigkilled_worker_leaves_no_converter_behind(tmp_path):
    pid_file = tmp_path / "child.pid"
    worker_code = (
        "import sys, django; django.setup(); from awards import documents; "
        "documents._run_guarded([sys.executable, '-c', sys.argv[1], sys.argv[2]], timeout=300)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings", "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen([sys.executable, "-c", worker_code, CONVERTER, str(pid_file)], cwd=ROOT, env=env)
    try:
        child = wait_for_pid(pid_file)
        assert alive(child)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        assert wait_gone(child), "the converter outlived its SIGKILLed worker"
    finally:
        if worker.poll() is None:
            worker.kill()
