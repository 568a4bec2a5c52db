"""Settings for the test suite: production's settings, over plain http on the test server.

The environment defaults are set before kunshan_portal.settings reads them; DATABASE_URL
and REDIS_URL from the caller's environment still choose PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# TEST_STORAGE=s3 runs the suite with every file in an S3 bucket on a real S3 endpoint (moto): the same
# settings code a production deployment with STORAGE_BACKEND=s3 runs. The bucket is created by the session
# fixture in conftest.py; processes the tests start inherit these variables.
TEST_STORAGE = os.environ.get("TEST_STORAGE", "local").strip().lower() or "local"
if TEST_STORAGE == "s3":
    from tests import s3

    os.environ.update(s3.environment(os.environ.get("TEST_S3_BUCKET") or f"kunshan-test-{os.getpid()}"))
elif TEST_STORAGE != "local":
    raise RuntimeError(f"TEST_STORAGE={TEST_STORAGE!r}: local or s3")

from kunshan_portal.settings import *  # noqa: E402,F403

# Each run gets its own cache namespace: counters and once-per-window keys left in Redis by an
# earlier run (CI reuses the machine's Redis) never decide a test of this one.
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": f"test-{os.getpid()}-{os.urandom(4).hex()}"}}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; real hashers in production
# Unit and view tests run tasks in-process; the integration tests start a real worker.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests that change rows with factories between two requests would read a cached page: the public-page
# cache is on only in the tests about it (tests/test_public_cache.py turns it on with the settings fixture).
PUBLIC_PAGE_CACHE_SECONDS = 0
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
