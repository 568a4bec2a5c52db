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
