"""Presigned URLs with SigV2 query auth (``AWSAccessKeyId``, ``Expires``, ``Signature``), as boto3 makes them.

botocore's SigV2 signer reads the wall clock for ``Expires``, so these tests run the mock clock
unfrozen at real time and move it forward to expire URLs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx
import pytest
from s3_support import BASE_URL, REGION, boto3_client, client_for, error_detail, s3_error

from mockservers.config import S3Settings
from mockservers.core.clock import Clock
from mockservers.s3 import S3Service

BUCKET = "atsmock-v2"


@pytest.fixture(scope="module")
def boto_v2() -> Any:
    return boto3_client(signature_version="s3")


@pytest.fixture
def wall_clock() -> Clock:
    return Clock()


@pytest.fixture
def v2(wall_clock: Clock) -> S3Service:
    service = S3Service(S3Settings(), wall_clock, BASE_URL)
    service.ensure_bucket(BUCKET, REGION)
    service.put_bytes(BUCKET, "cv.pdf", b"%PDF v2", "application/pdf")
    return service


@pytest.fixture
def v2_http(v2: S3Service) -> Iterator[httpx.Client]:
    with client_for(v2.app) as client:
        yield client


def replace_param(url: str, name: str, value: str | None) -> str:
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    if value is not None:
        pairs.append((name, value))
    return parts._replace(query=urlencode(pairs, quote_via=quote, safe="")).geturl()


def get_url(boto: Any, **params: Any) -> str:
    return str(
        boto.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "cv.pdf", **params}, ExpiresIn=60)
    )


def test_v2_presigned_get_is_accepted(boto_v2: Any, v2_http: httpx.Client) -> None:
    url = get_url(boto_v2)
    assert "AWSAccessKeyId=" in url and "Signature=" in url and "X-Amz-" not in url
    response = v2_http.get(url)
    assert (response.status_code, response.content) == (200, b"%PDF v2")


def test_v2_signs_response_overrides(boto_v2: Any, v2_http: httpx.Client) -> None:
    url = get_url(boto_v2, ResponseContentDisposition='attachment; filename="a b.pdf"')
    assert v2_http.get(url).headers["content-disposition"] == 'attachment; filename="a b.pdf"'
    tampered = replace_param(url, "response-content-disposition", "inline")
    assert s3_error(v2_http.get(tampered))[:2] == (403, "SignatureDoesNotMatch")


def test_v2_tampered_signature_is_signature_does_not_match(boto_v2: Any, v2_http: httpx.Client) -> None:
    url = get_url(boto_v2)
    signature = dict(parse_qsl(urlsplit(url).query))["Signature"]
    response = v2_http.get(replace_param(url, "Signature", ("A" if signature[0] != "A" else "B") + signature[1:]))
    assert s3_error(response)[:2] == (403, "SignatureDoesNotMatch")
    expires = dict(parse_qsl(urlsplit(url).query))["Expires"]
    assert error_detail(response, "StringToSign") == f"GET\n\n\n{expires}\n/{BUCKET}/cv.pdf"


def test_v2_put_signs_content_type(boto_v2: Any, v2_http: httpx.Client, v2: S3Service) -> None:
    url = boto_v2.generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "new.txt", "ContentType": "text/plain"}, ExpiresIn=60
    )
    assert s3_error(v2_http.put(url, content=b"x", headers={"content-type": "text/html"}))[:2] == (
        403,
        "SignatureDoesNotMatch",
    )
    assert v2_http.put(url, content=b"x", headers={"content-type": "text/plain"}).status_code == 200
    info = v2.head_object(BUCKET, "new.txt")
    assert info is not None and info.content_type == "text/plain"


def test_v2_amz_headers_are_part_of_the_signature(boto_v2: Any, v2_http: httpx.Client) -> None:
    url = boto_v2.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "n"}, ExpiresIn=60)
    assert v2_http.put(url, content=b"x").status_code == 200
    assert s3_error(v2_http.put(url, content=b"x", headers={"x-amz-acl": "public-read"}))[:2] == (
        403,
        "SignatureDoesNotMatch",
    )


def test_v2_expires_on_the_mock_clock(boto_v2: Any, v2_http: httpx.Client, wall_clock: Clock) -> None:
    url = get_url(boto_v2)
    assert v2_http.get(url).status_code == 200
    wall_clock.advance(120)
    response = v2_http.get(url)
    assert s3_error(response) == (403, "AccessDenied", "Request has expired")
    assert error_detail(response, "ServerTime") is not None


def test_v2_expires_before_year_one_is_expired_not_a_crash(boto_v2: Any, v2_http: httpx.Client) -> None:
    response = v2_http.get(replace_param(get_url(boto_v2), "Expires", "-99999999999999999999"))
    assert s3_error(response) == (403, "AccessDenied", "Request has expired")
    assert error_detail(response, "Expires") == "0001-01-01T00:00:00Z"


def test_v2_unknown_access_key_is_invalid_access_key_id(boto_v2: Any, v2_http: httpx.Client) -> None:
    response = v2_http.get(replace_param(get_url(boto_v2), "AWSAccessKeyId", "AKIANOBODY"))
    assert s3_error(response)[:2] == (403, "InvalidAccessKeyId")


def test_v2_missing_expires_is_access_denied(boto_v2: Any, v2_http: httpx.Client) -> None:
    response = v2_http.get(replace_param(get_url(boto_v2), "Expires", None))
    assert s3_error(response) == (
        403,
        "AccessDenied",
        "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
    )
