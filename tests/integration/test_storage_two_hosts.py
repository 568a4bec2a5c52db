"""Integration (issue 16): the portal on more than one machine shares its files through the S3 store only.

Two gunicorn web processes and one Celery worker, each in a working directory of its own with a MEDIA_ROOT
of its own (so no local disk is shared), all on the test's PostgreSQL database, a private Redis and a bucket
on the S3 endpoint (moto): a photo uploaded through the first is served by the second, and a certificate the
worker writes downloads from both."""

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse
from PIL import Image

from awards import services as award_services
from awards.models import Certificate
from awards.tests.factories import AwardFactory, publicity_campaign, publish_results
from cases.models import CasePhoto
from cases.tests.factories import ApplicationFactory, CampaignFactory, png_bytes
from cases.tests.test_views import form_data
from notifications.tests.test_integration import _database_url, _skip_or_fail
from tests import s3
from tests.integration.test_jobs_faults import PrivateRedis

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deployment:
    """The processes of one small deployment; each logs to its folder and is stopped at the end."""

    def __init__(self, tmp_path: Path, redis_url: str, bucket: str):
        self.tmp = tmp_path
        self.running: list[tuple[str, subprocess.Popen]] = []
        self.env = {
            **os.environ,
            **s3.environment(bucket),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "kunshan_portal.settings",
            # The test process made the session cookie: the web processes must check it with the same key.
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "1",  # static files without collectstatic; everything else as in production
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": _database_url(),  # the test database
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PRIVACY_WARM_UP": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        self.env.pop("MEDIA_ROOT", None)
        self.env.pop("TEST_STORAGE", None)

    def _start(self, name: str, command: list[str]) -> Path:
        folder = self.tmp / name
        folder.mkdir()
        env = {**self.env, "VAR_DIR": str(folder / "var"), "MEDIA_ROOT": str(folder / "media")}
        log = open(folder / "process.log", "ab")  # noqa: SIM115 (the process writes it until stopped)
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.running.append((name, process))
        return folder

    def web(self, name: str) -> str:
        port = _free_port()
        self._start(
            name,
            [sys.executable, "-m", "gunicorn", "kunshan_portal.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--timeout", "120"],
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/accounts/login/", timeout=2).close()
                return url
            except OSError:
                self.check_alive()
                time.sleep(0.3)
        raise AssertionError(f"{name} did not answer:\n{self.logs()}")

    def worker(self, name: str) -> None:
        self._start(
            name,
            [sys.executable, "-m", "celery", "-A", "kunshan_portal", "worker", "--pool=solo", "--loglevel=INFO"]
            + ["--without-mingle", "--without-gossip", f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h"],
        )

    def check_alive(self) -> None:
        for name, process in self.running:
            assert process.poll() is None, f"{name} exited:\n{self.logs()}"

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n" + (self.tmp / name / "process.log").read_text(errors="replace")[-3000:]
            for name, _ in self.running
        )

    def stop(self) -> None:
        for _, process in self.running:
            if process.poll() is None:
                process.terminate()
        for _, process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def deployment(tmp_path, transactional_db):
    from django.db import connection

    if connection.vendor != "postgresql":
        _skip_or_fail("数据库不是 PostgreSQL，其他进程无法访问测试库。")
    bucket = f"kunshan-two-hosts-{uuid.uuid4().hex[:12]}"
    s3.bucket_create(bucket)
    redis = PrivateRedis(tmp_path)
    redis.start()
    deployment = Deployment(tmp_path, redis.url, bucket)
    yield deployment
    deployment.stop()
    redis.stop()


def _session_for(user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def test_an_upload_on_one_web_process_is_served_by_another_and_a_workers_certificate_by_both(cast, deployment):
    web_a, web_b = deployment.web("web-a"), deployment.web("web-b")
    deployment.worker("worker")
    browser = _session_for(cast.applicant_a)

    # A photo uploaded through the first web process ...
    draft = ApplicationFactory(
        campaign=CampaignFactory(photo_min_pixels=10), applicant=cast.applicant_a, organisation=cast.org_a
    )
    edit = reverse("cases:application_edit", args=[draft.pk])
    assert browser.get(web_a + edit, timeout=60).status_code == 200
    data = form_data(draft, action="save", new_photo_caption="小组活动")
    data["csrfmiddlewaretoken"] = browser.cookies[settings.CSRF_COOKIE_NAME]
    posted = browser.post(
        web_a + edit,
        data=data,
        files={"new_photos": ("photo.png", png_bytes((64, 64)), "image/png")},
        headers={"Referer": web_a + edit},
        allow_redirects=False,
        timeout=60,
    )
    assert posted.status_code in (200, 302), deployment.logs()
    photo = CasePhoto.objects.get(application=draft)

    # ... is served by the second, which has no file of its own.
    served = browser.get(web_b + reverse("cases:photo_file", args=[draft.pk, photo.pk]), timeout=60)
    assert served.status_code == 200, deployment.logs()
    assert Image.open(io.BytesIO(served.content)).size == (64, 64)
    assert browser.get(web_a + reverse("cases:photo_file", args=[draft.pk, photo.pk]), timeout=60).content == (
        served.content
    )

    # A certificate asked for on the first web process is written by the worker ...
    campaign = publicity_campaign(slug=f"two-hosts-{uuid.uuid4().hex[:6]}", open_now=False)
    application = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    certificate = award_services.certificate_allocate(award=AwardFactory(campaign=campaign, application=application))
    publish_results(campaign, cast.staff)
    download = reverse("awards:certificate_download", kwargs={"pk": certificate.pk, "fmt": "docx"})
    first = browser.get(web_a + download, allow_redirects=False, timeout=60)
    assert first.status_code == 302  # not there yet: queued for the worker
    deadline = time.monotonic() + 180
    while not Certificate.objects.filter(pk=certificate.pk).exclude(docx="").exists():
        deployment.check_alive()
        assert time.monotonic() < deadline, deployment.logs()
        time.sleep(0.5)

    # ... and downloads, the same bytes, from both.
    from_a = browser.get(web_a + download, timeout=60)
    from_b = browser.get(web_b + download, timeout=60)
    assert from_a.status_code == from_b.status_code == 200, deployment.logs()
    assert from_a.content == from_b.content and from_a.content.startswith(b"PK")
    for name in ("web-a", "web-b", "worker"):  # nothing landed on a local disk
        media = deployment.tmp / name / "media"
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
