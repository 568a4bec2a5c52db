"""A real S3 endpoint for the tests: moto in server mode.

CI starts one (`.ci/run`) and names it in TEST_S3_ENDPOINT_URL; without it, or when it does not answer, the
test session starts a private moto server on a free port and stops it when the session ends."""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "us-east-1"  # moto's default: a bucket there needs no LocationConstraint

_private: subprocess.Popen | None = None


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
        return True
    except urllib.error.HTTPError:
        return True  # an S3 error document is an answer
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop_private() -> None:
    if _private is not None and _private.poll() is None:
        _private.terminate()
        try:
            _private.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _private.kill()


def endpoint() -> str:
    """The URL of a running S3 endpoint: CI's, or a private moto server started now (once per process)."""
    global _private
    url = os.environ.get("TEST_S3_ENDPOINT_URL", "").strip()
    if url and _answers(url):
        return url
    if _private is not None and _private.poll() is None:
        return _private.endpoint
    port = _free_port()
    _private = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _private.endpoint = f"http://127.0.0.1:{port}"
    atexit.register(_stop_private)
    deadline = time.monotonic() + 60
    while not _answers(_private.endpoint):
        if _private.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("moto server did not start (pip install 'moto[server]')")
        time.sleep(0.2)
    os.environ["TEST_S3_ENDPOINT_URL"] = _private.endpoint  # child processes reuse it
    return _private.endpoint


def environment(bucket: str) -> dict[str, str]:
    """The portal's variables for the S3 back-end on the test endpoint (see .env.example)."""
    return {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint(),
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_ADDRESSING_STYLE": "path",
    }


def bucket_create(name: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint(),
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    try:
        client.create_bucket(Bucket=name)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
