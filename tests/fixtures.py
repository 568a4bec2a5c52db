"""Fixtures every test may use: the cast of users, the permission-table world, the browser."""

import copy
import os
import shutil
import uuid
from functools import cached_property
from types import SimpleNamespace

import pytest

from accounts.models import Membership
from accounts.tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session", autouse=True)
def storage_bucket():
    """Under TEST_STORAGE=s3, the session's bucket on the S3 endpoint (created once)."""
    from django.conf import settings

    if settings.STORAGE_BACKEND == "s3":
        from tests import s3

        s3.bucket_create(settings.STORAGES["default"]["OPTIONS"]["bucket_name"])


@pytest.fixture
def media_storage(settings, tmp_path):
    """The default storage, empty and the test's own, on whichever back-end the session runs: a folder of
    its own on the file system, a prefix of its own in the S3 bucket."""
    from django.core.files.storage import default_storage

    if settings.STORAGE_BACKEND == "s3":
        storages = copy.deepcopy(settings.STORAGES)
        storages["default"]["OPTIONS"]["location"] = f"test-{uuid.uuid4().hex}"
        settings.STORAGES = storages
    else:
        settings.MEDIA_ROOT = tmp_path
    return default_storage


def storage_environment() -> dict[str, str]:
    """The variables that give a process the tests use (a worker, a web server) the session's storage."""
    from django.conf import settings

    if settings.STORAGE_BACKEND == "s3":
        from tests import s3

        options = settings.STORAGES["default"]["OPTIONS"]
        return {**s3.environment(options["bucket_name"]), "S3_PREFIX": options.get("location", "")}
    return {"STORAGE_BACKEND": "local", "MEDIA_ROOT": str(settings.MEDIA_ROOT)}


def stored_names(storage, folder: str = "") -> list[str]:
    """Every file name under `folder` of a storage, on any back-end (listdir, not the file system)."""
    folders, files = storage.listdir(folder)
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += stored_names(storage, f"{folder}/{sub}" if folder else sub)
    return names


class Cast(SimpleNamespace):
    @cached_property
    def superuser(self):
        """Made when a test asks for it: a staff member more would change who gets staff e-mail."""
        return UserFactory(name="管理员", email="root@example.cn", is_staff=True, is_superuser=True)


@pytest.fixture
def cast(db):
    """The same people in every permission test: two organisations, their applicants and
    admins, reviewers (assigned, unassigned, conflicted) and staff."""
    org_a = OrganisationFactory(name="阳光社会工作服务中心", district="玉山镇")
    org_b = OrganisationFactory(name="同心社工服务社", district="周市镇")
    applicant_a = MembershipFactory(organisation=org_a, user__name="张敏", user__email="a@example.cn").user
    applicant_b = MembershipFactory(organisation=org_b, user__name="刘洋", user__email="b@example.cn").user
    org_admin = MembershipFactory(
        organisation=org_a, role=Membership.Role.ADMIN, user__name="李主任", user__email="orgadmin@example.cn"
    ).user
    org_admin_b = MembershipFactory(
        organisation=org_b, role=Membership.Role.ADMIN, user__name="周主任", user__email="orgadmin.b@example.cn"
    ).user
    reviewer = UserFactory(name="陈教授", email="reviewer@example.cn", is_reviewer=True)
    reviewer_unassigned = UserFactory(name="吴教授", email="reviewer2@example.cn", is_reviewer=True)
    reviewer_conflicted = UserFactory(name="郑教授", email="reviewer3@example.cn", is_reviewer=True)
    staff = UserFactory(name="王晓民", email="staff@example.cn", is_staff=True)
    return Cast(
        password=PASSWORD,
        org_a=org_a,
        org_b=org_b,
        applicant_a=applicant_a,
        applicant_b=applicant_b,
        org_admin=org_admin,
        org_admin_b=org_admin_b,
        reviewer=reviewer,
        reviewer_unassigned=reviewer_unassigned,
        reviewer_conflicted=reviewer_conflicted,
        staff=staff,
    )


@pytest.fixture(autouse=True)
def throttle_counters_reset():
    """Per-address counters (failed logins, sign-ups, reset requests) live in the cache, which is
    Redis when REDIS_URL is set and outlives a test: every test starts with none. Only those keys
    go, so a Celery broker sharing the Redis database keeps its queues."""
    from django.core.cache import cache

    client_of = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_of is None:
        cache.clear()  # a per-process cache: nothing else shares it
        return
    redis = client_of(write=True)
    keys = [*redis.scan_iter(match="*:throttle:*"), *redis.scan_iter(match="*:publicpage:*")]
    if keys:
        redis.delete(*keys)


@pytest.fixture(autouse=True)
def site_settings_cache_primed():
    """Every test starts with the site settings a fresh deployment has (the server settings, no row) already
    in the cache, as a running portal has after its first page: a cached copy left by an earlier test (its
    row rolled back) never leaks into this one, and the query counts pinned on pages count the page's own
    queries. A test about the cache itself clears it first."""
    from django.core.cache import cache

    from kunshan_portal.models import SiteSettings
    from kunshan_portal.selectors import SITE_SETTINGS_CACHE_KEY, SITE_SETTINGS_CACHE_SECONDS

    cache.set(SITE_SETTINGS_CACHE_KEY, SiteSettings.from_server_settings(), SITE_SETTINGS_CACHE_SECONDS)


# --- Browser ------------------------------------------------------------------------------


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    return path if os.path.exists(path) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true 但未找到 Chromium（/usr/bin/chromium 或 CHROMIUM_PATH）：浏览器测试不能跳过。")
        pytest.skip("未找到 Chromium（/usr/bin/chromium 或 CHROMIUM_PATH），跳过浏览器测试。")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def screenshot_dir():
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "screenshots")
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture
def login(live_server):
    """Log a Playwright page in through the real login form."""

    def _login(page, user, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.email)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return _login


def wait_for_js(page, expression: str, timeout_ms: int = 30_000) -> None:
    """Wait until a JavaScript expression is true in the page. Playwright's wait_for_function
    compiles its predicate with eval, which the portal's Content-Security-Policy refuses;
    page.evaluate goes through the DevTools protocol and is allowed."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"等待超时：{expression}")
        page.wait_for_timeout(100)


def require_postgresql(reason: str) -> None:
    """Skip a PostgreSQL-only test on SQLite with a printed reason; with CI=true, fail instead,
    because CI runs on PostgreSQL and a skipped test there would hide a missing setup."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true 但数据库不是 PostgreSQL：{reason}")
    pytest.skip(reason)


# --- Query counts -------------------------------------------------------------------------


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, monkeypatch):
    """pytest-django's fixture, plus: every page the test client fetches inside the block must
    answer 2xx. A query count pinned on a 403, 404 or error page pins nothing."""
    from contextlib import contextmanager

    from django.test.client import Client

    @contextmanager
    def checked(num, *args, **kwargs):
        answers = []
        original = Client.request

        def request(self, **request):
            response = original(self, **request)
            answers.append((request.get("PATH_INFO", ""), response.status_code))
            return response

        monkeypatch.setattr(Client, "request", request)
        try:
            with django_assert_num_queries(num, *args, **kwargs) as context:
                yield context
        finally:
            monkeypatch.setattr(Client, "request", original)
        refused = [(path, status) for path, status in answers if not 200 <= status < 300]
        assert not refused, f"query count measured on pages that did not answer 2xx: {refused}"

    return checked
