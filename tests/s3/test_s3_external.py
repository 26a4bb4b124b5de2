"""``--s3-endpoint``: objects in an external S3-compatible store (here a separate ``moto_server`` process).

atsmock still verifies every request; the store only holds the bytes, so several atsmock
processes pointed at one store share objects.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
import requests
from s3_support import REGION, s3_error

from mockservers.config import S3Settings, Settings
from mockservers.testing import running

pytestmark = pytest.mark.live

BUCKET = "atsmock-shared"


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """A bare ``moto_server`` on 127.0.0.1 and a free port, stopped at the end of the module."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"], stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 20
            match = None
            while match is None:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start")
                time.sleep(0.02)
                log.seek(0)
                match = re.search(rb"Running on (http://127\.0\.0\.1:\d+)", log.read())
            url = match.group(1).decode()
            while True:
                try:
                    httpx.get(f"{url}/moto-api/", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def settings_for(store: str) -> Settings:
    return Settings().replace(s3=S3Settings(endpoint=store))


@pytest.fixture(scope="module")
def direct(moto_server: str) -> Any:
    """A boto3 client talking to the store itself, to see what atsmock put there."""
    return boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    ).client("s3", endpoint_url=moto_server)


@pytest.fixture(scope="module")
def pair(moto_server: str) -> Iterator[tuple[Any, Any]]:
    """Two atsmock servers sharing the store."""
    with running(settings_for(moto_server)) as first, running(settings_for(moto_server)) as second:
        for server in (first, second):
            server.platform.s3.ensure_bucket(BUCKET, REGION, max_object_size=10_000)
        yield first, second


def test_upload_through_atsmock_lands_in_the_store(pair: tuple[Any, Any], direct: Any) -> None:
    first, _ = pair
    s3 = first.platform.s3
    signed = {"content-type": "application/pdf", "x-amz-acl": "private", "x-amz-server-side-encryption": "AES256"}
    key = "218/Document/Müller cv.pdf"
    url = s3.presign_put(bucket=BUCKET, key=key, expires_in=60, region=REGION, headers=signed)
    assert requests.put(url, data=b"%PDF external", headers={**signed, "Content-Disposition": "attachment"}).ok
    stored = direct.get_object(Bucket=BUCKET, Key=key)
    assert stored["Body"].read() == b"%PDF external"
    assert (stored["ContentType"], stored["ContentDisposition"]) == ("application/pdf", "attachment")
    info = s3.head_object(BUCKET, key)
    assert info is not None
    assert (info.size, info.acl, info.server_side_encryption, info.metadata) == (13, "private", "AES256", {})


def test_verification_still_happens_in_the_front(pair: tuple[Any, Any], direct: Any) -> None:
    first, _ = pair
    url = first.platform.s3.presign_put(
        bucket=BUCKET, key="tampered", expires_in=60, region=REGION, headers={"content-type": "text/plain"}
    )
    response = httpx.put(url, content=b"x", headers={"content-type": "text/html"})
    assert s3_error(response)[:2] == (403, "SignatureDoesNotMatch")
    too_big = httpx.put(
        first.platform.s3.presign_put(bucket=BUCKET, key="big", expires_in=60, region=REGION, headers={}),
        content=b"x" * 10_001,
    )
    assert s3_error(too_big)[:2] == (400, "EntityTooLarge")
    names = [item["Key"] for item in direct.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert "tampered" not in names and "big" not in names


def test_two_atsmock_processes_share_objects(pair: tuple[Any, Any]) -> None:
    first, second = pair
    url, fields = first.platform.s3.presign_post(
        bucket=BUCKET, key="shared/cv.pdf", expires_in=60, region=REGION, fields={}, conditions=[]
    )
    assert requests.post(url, data=fields, files={"file": ("cv.pdf", b"%PDF shared")}).status_code == 204
    get = second.platform.s3.presign_get(bucket=BUCKET, key="shared/cv.pdf", expires_in=60, region=REGION)
    assert get.startswith(second.url)
    response = requests.get(get, headers={"Range": "bytes=5-"})
    assert (response.status_code, response.content) == (206, b"shared")


def test_vendor_api_against_the_store(pair: tuple[Any, Any], direct: Any) -> None:
    s3 = pair[0].platform.s3
    s3.put_bytes(BUCKET, "api/a.txt", b"api", "text/plain", "inline")
    s3.copy_object(BUCKET, "api/a.txt", BUCKET, "api/b.txt")
    info = s3.head_object(BUCKET, "api/b.txt")
    assert info is not None and (info.content_type, info.content_disposition) == ("text/plain", "inline")
    assert s3.get_bytes(BUCKET, "api/b.txt") == b"api"
    s3.delete_object(BUCKET, "api/a.txt")
    assert s3.head_object(BUCKET, "api/a.txt") is None
    missing = s3.presign_get(bucket=BUCKET, key="api/a.txt", expires_in=60, region=REGION)
    assert s3_error(httpx.get(missing))[:2] == (404, "NoSuchKey")
    s3.reset([BUCKET])
    assert direct.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_health_asks_the_external_store(moto_server: str) -> None:
    with running(settings_for(moto_server)) as live:
        response = httpx.get(f"{live.url}/__admin/health", timeout=10)
    assert (response.status_code, response.json()["components"]) == (
        200,
        {"pageup": True, "ashby": True, "endorsed": True, "s3": True},
    )


def test_health_is_503_while_the_external_store_does_not_answer() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with running(settings_for(f"http://127.0.0.1:{port}")) as live:
        response = httpx.get(f"{live.url}/__admin/health", timeout=10)
    body = response.json()
    assert (response.status_code, body["status"], body["components"]) == (
        503,
        "unavailable",
        {"pageup": True, "ashby": True, "endorsed": True, "s3": False},
    )
