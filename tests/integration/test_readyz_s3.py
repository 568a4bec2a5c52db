"""/readyz follows the object store: 503 within seconds of the S3 endpoint stopping, 200 once it is back.

A private moto server on a free port stands in for the store (the shared one CI starts is never stopped)."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config

from kunshan_portal.tasks import worker_heartbeat

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

BUCKET = "readyz-probe"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _moto(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.2)
    boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=BUCKET)
    return process


@pytest.fixture
def private_s3(settings):
    port = _free_port()
    process = _moto(port)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": f"http://127.0.0.1:{port}",
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "client_config": Config(
                    connect_timeout=2, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"}
                ),
            },
        },
    }
    state = {"process": process, "port": port}
    yield state
    if state["process"].poll() is None:
        state["process"].kill()
        state["process"].wait()


def _readyz(client):
    started = time.monotonic()
    response = client.get("/readyz")
    return response, time.monotonic() - started


def test_readyz_turns_503_when_the_object_store_stops_and_200_when_it_returns(client, private_s3):
    worker_heartbeat.apply()
    response, _ = _readyz(client)
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["storage"] == "ok"

    private_s3["process"].kill()
    private_s3["process"].wait()
    response, took = _readyz(client)
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "fail"
    assert took < 10, f"/readyz took {took:.1f} s with the store down"
    assert "127.0.0.1" not in response.content.decode()  # names no host

    private_s3["process"] = _moto(private_s3["port"])
    worker_heartbeat.apply()
    response, _ = _readyz(client)
    assert response.status_code == 200, response.json()
