"""/healthz and /readyz: JSON for a load balancer, never cached, no login, nothing but check names."""

import json
import time

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from kunshan_portal.health import HEARTBEAT_KEY, worker_heartbeat_record
from kunshan_portal.tasks import worker_heartbeat

CHECK_NAMES = {"database", "migrations", "cache", "broker", "storage", "worker"}


@pytest.fixture(autouse=True)
def no_heartbeat():
    cache.delete(HEARTBEAT_KEY)
    yield
    cache.delete(HEARTBEAT_KEY)


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_every_check_passes_and_a_worker_has_beaten(client):
    worker_heartbeat.apply()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": dict.fromkeys(CHECK_NAMES, "ok")}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_not_ready_without_a_worker_heartbeat(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "fail"
    assert {k for k, v in response.json()["checks"].items() if v == "ok"} == CHECK_NAMES - {"worker"}


@pytest.mark.django_db
@override_settings(HEALTH_WORKER_MAX_AGE_SECONDS=300)
def test_readyz_turns_not_ready_when_the_last_heartbeat_is_older_than_the_limit(client):
    worker_heartbeat_record()
    with time_machine.travel(time.time() + 299, tick=False):
        assert client.get("/readyz").status_code == 200
    with time_machine.travel(time.time() + 301, tick=False):
        assert client.get("/readyz").status_code == 503


@pytest.mark.django_db
def test_readyz_with_redis_unreachable_fails_cache_broker_and_worker_and_names_no_host(client):
    worker_heartbeat_record()
    dead = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": dead,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
        CELERY_BROKER_URL=dead,
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "cache": "fail",
        "broker": "fail",
        "storage": "ok",
        "worker": "fail",
    }
    text = json.dumps(body)
    assert "127.0.0.1" not in text and "redis" not in text.lower() and "Error" not in text


@pytest.mark.django_db
def test_readyz_answers_a_logged_in_user_the_same_and_never_personalised(client, cast):
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/readyz")
    assert set(response.json()["checks"]) == CHECK_NAMES
    assert "no-store" in response["Cache-Control"] and "private" not in response["Cache-Control"]


def test_healthz_refuses_a_post(client):
    assert client.post("/healthz").status_code == 405
