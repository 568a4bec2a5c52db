"""Health of one deployment, for a load balancer and a monitor: /healthz and /readyz.

/healthz says the web process answers (nothing else is touched). /readyz says this process can do its
work: the database answers and is fully migrated, the cache, the broker and the file storage answer,
and a Celery worker has beaten within HEALTH_WORKER_MAX_AGE_SECONDS. The answer names each check with
"ok" or "fail" and nothing more: no host, no exception text (the reason is logged, not shown).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "health:worker-heartbeat"
# A key no upload can have (uploads live under their app's folder): asking for it proves the storage answers.
STORAGE_PROBE_NAME = "readyz-probe"


def worker_heartbeat_record() -> float:
    """Writes the time a worker ran the heartbeat task into the cache, where /readyz reads it."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=settings.HEALTH_WORKER_MAX_AGE_SECONDS * 2)
    return now


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_migrations() -> None:
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    if executor.migration_plan(targets):
        raise RuntimeError("unapplied migrations")


def _check_cache() -> None:
    key = "health:readyz-probe"
    cache.set(key, "1", timeout=30)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not keep a value")


def _check_broker() -> None:
    from kombu import Connection

    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=settings.HEALTH_TIMEOUT_SECONDS,
        transport_options={
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "socket_timeout": settings.HEALTH_TIMEOUT_SECONDS,
            "socket_connect_timeout": settings.HEALTH_TIMEOUT_SECONDS,
        },
    ) as conn:
        conn.ensure_connection(max_retries=0, timeout=settings.HEALTH_TIMEOUT_SECONDS)


def _check_storage() -> None:
    default_storage.exists(STORAGE_PROBE_NAME)


def _check_worker() -> None:
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None or time.time() - float(beat) > settings.HEALTH_WORKER_MAX_AGE_SECONDS:
        raise RuntimeError("no recent worker heartbeat")


# Order matters: the worker's heartbeat lives in the cache, so it is not asked when the cache failed.
CHECKS = (
    ("database", _check_database),
    ("migrations", _check_migrations),
    ("cache", _check_cache),
    ("broker", _check_broker),
    ("storage", _check_storage),
    ("worker", _check_worker),
)
_NEEDS = {"migrations": "database", "worker": "cache"}


def readiness() -> dict[str, str]:
    """Each check's name with "ok" or "fail"; a check whose prerequisite failed fails without being tried,
    so a dead Redis costs one timeout, not three."""
    results: dict[str, str] = {}
    for name, check in CHECKS:
        if results.get(_NEEDS.get(name, ""), "ok") != "ok":
            results[name] = "fail"
            continue
        try:
            check()
        except Exception:
            logger.warning("就绪检查 %s 未通过。", name, exc_info=True)
            results[name] = "fail"
        else:
            results[name] = "ok"
    return results


def _no_store(response: JsonResponse) -> JsonResponse:
    patch_cache_control(response, no_store=True, no_cache=True, max_age=0)
    return response


@require_GET
def healthz_view(request):
    return _no_store(JsonResponse({"status": "ok"}))


@require_GET
def readyz_view(request):
    checks = readiness()
    ok = all(value == "ok" for value in checks.values())
    return _no_store(JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503))
