"""Real clients over a real socket: boto3 presigns, requests and raw httpx send, uvicorn serves atsmock."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
from s3_support import REGION, boto3_client, s3_error

from mockservers.testing import AdminClient, running

pytestmark = pytest.mark.live

BUCKET = "atsmock-live"
LIMITED = "atsmock-live-small"


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    with running() as live:
        live.platform.s3.ensure_bucket(BUCKET, REGION)
        live.platform.s3.ensure_bucket(LIMITED, REGION, max_object_size=1000)
        yield live


@pytest.fixture
def live(server: Any) -> Any:
    server.platform.reset()
    return server


@pytest.fixture(scope="module")
def boto(server: Any) -> Any:
    return boto3_client(endpoint=f"{server.url}/s3")


def test_boto3_presigned_put_and_get_with_requests(live: Any, boto: Any) -> None:
    key = "218/Document/Lebenslauf Müller 'final' \"v2\".pdf"
    put = boto.generate_presigned_url(
        "put_object",
        Params={"Bucket": BUCKET, "Key": key, "ContentType": "application/pdf", "ACL": "private"},
        ExpiresIn=60,
    )
    assert put.startswith(f"{live.url}/s3/{BUCKET}/218/Document/")
    response = requests.put(put, data=b"%PDF live", headers={"Content-Type": "application/pdf", "x-amz-acl": "private"})
    assert response.status_code == 200, response.text
    get = boto.generate_presigned_url(
        "get_object",
        Params={"Bucket": BUCKET, "Key": key, "ResponseContentDisposition": 'attachment; filename="cv.pdf"'},
        ExpiresIn=60,
    )
    download = requests.get(get)
    assert (download.status_code, download.content) == (200, b"%PDF live")
    assert download.headers["Content-Disposition"] == 'attachment; filename="cv.pdf"'


def test_requests_without_the_signed_header_is_rejected(live: Any, boto: Any) -> None:
    put = boto.generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "k", "ServerSideEncryption": "AES256"}, ExpiresIn=60
    )
    response = requests.put(put, data=b"x")
    assert response.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in response.content


def test_boto3_presigned_post_with_requests(live: Any, boto: Any) -> None:
    form = boto.generate_presigned_post(
        BUCKET,
        "uploads/${filename}",
        Fields={"Content-Type": "application/pdf"},
        Conditions=[{"Content-Type": "application/pdf"}, ["content-length-range", 1, 100]],
        ExpiresIn=600,
    )
    response = requests.post(form["url"], data=form["fields"], files={"file": ("cv.pdf", b"%PDF post")})
    assert response.status_code == 204, response.text
    assert live.platform.s3.get_bytes(BUCKET, "uploads/cv.pdf") == b"%PDF post"
    too_big = requests.post(form["url"], data=form["fields"], files={"file": ("cv.pdf", b"x" * 101)})
    assert (too_big.status_code, b"<Code>EntityTooLarge</Code>" in too_big.content) == (400, True)
    live.platform.clock.advance(601)
    expired = requests.post(form["url"], data=form["fields"], files={"file": ("cv.pdf", b"%PDF post")})
    assert expired.status_code == 403
    assert b"<Message>Invalid according to Policy: Policy expired.</Message>" in expired.content


def test_raw_httpx_with_exact_headers(live: Any) -> None:
    s3 = live.platform.s3
    signed = {"content-type": "text/plain", "x-amz-acl": "private", "x-amz-server-side-encryption": "AES256"}
    url = s3.presign_put(bucket=BUCKET, key="raw.txt", expires_in=60, region=REGION, headers=signed)
    with httpx.Client() as http:
        assert http.put(url, content=b"raw", headers=signed).status_code == 200
        rejected = http.put(url, content=b"raw", headers={**signed, "x-amz-meta-extra": "1"})
        assert s3_error(rejected) == (
            403,
            "AccessDenied",
            "There were headers present in the request which were not signed",
        )
        live.platform.clock.advance(61)
        assert s3_error(http.put(url, content=b"raw", headers=signed)) == (403, "AccessDenied", "Request has expired")


def test_large_upload_and_download_stream_over_the_wire(live: Any) -> None:
    s3 = live.platform.s3
    data = bytes(range(256)) * (32 * 1024)  # 8 MiB
    url = s3.presign_put(bucket=BUCKET, key="big.bin", expires_in=60, region=REGION, headers={})
    response = requests.put(url, data=data)
    assert response.headers["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    get = s3.presign_get(bucket=BUCKET, key="big.bin", expires_in=60, region=REGION)
    with requests.get(get, stream=True) as download:
        assert b"".join(download.iter_content(1024 * 1024)) == data


def test_too_large_put_is_refused_before_the_body_is_read(live: Any) -> None:
    url = live.platform.s3.presign_put(bucket=LIMITED, key="k", expires_in=60, region=REGION, headers={})
    response = requests.put(url, data=b"x" * 4000)
    assert response.status_code == 400
    assert b"<ProposedSize>4000</ProposedSize><MaxSizeAllowed>1000</MaxSizeAllowed>" in response.content


def test_transport_faults_apply_to_s3(live: Any) -> None:
    s3 = live.platform.s3
    s3.put_bytes(BUCKET, "k", b"data")
    get = s3.presign_get(bucket=BUCKET, key="k", expires_in=60, region=REGION)
    with httpx.Client(base_url=live.url) as http:
        AdminClient(http).add_fault("connection_reset", vendor="s3", operation="get_object", times=1)
    with pytest.raises(requests.ConnectionError):
        requests.get(get)
    assert requests.get(get).content == b"data"
