"""The signer's own SigV4 steps give exactly what botocore's ``AWSRequest`` + ``S3SigV4QueryAuth`` give.

``Signer.presign_url`` reproduces botocore's presigning over plain strings and leaves anything it
does not reproduce to botocore itself; the verifying front canonicalises queries and headers with
the same module. Each is compared here with botocore's own code on generated inputs.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from s3_support import FIXED_NOW, REGION

from mockservers.config import S3Settings
from mockservers.s3.signing import (
    QueryAuth,
    Signer,
    canonical_header_block,
    canonical_query,
    sigv4_timestamp,
    string_to_sign,
)

ACCESS_KEY, SECRET_KEY = S3Settings().access_key, S3Settings().secret_key
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
ASCII = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
HEADER_NAMES = st.one_of(
    st.sampled_from(
        [
            "content-type",
            "Content-Type",
            "content-disposition",
            "x-amz-acl",
            "X-Amz-Server-Side-Encryption",
            "x-amz-meta-a",
            "host",
            "Host",
            "user-agent",
            "expect",
            "x-amz-content-sha256",
            " padded ",
            "Straße",
        ]
    ),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12),
)
HEADER_VALUES = st.one_of(
    ASCII,
    st.sampled_from(["  a   b  ", "\ttab\t", "application/x-www-form-urlencoded; charset=utf-8", "café", ""]),
)
ENDPOINTS = st.sampled_from(
    [
        "http://testserver/s3",
        "http://127.0.0.1:8000/s3",
        "http://LOCALHOST:80/s3",
        "https://Mock.Example:443",
        "https://mock.example:8443/prefix",
        "http://[::1]:9000/s3",
        "http://user:pw@host:81/s3",
    ]
)
PATHS = st.lists(TEXT, min_size=1, max_size=3).map("/".join)


def botocore_presigned(signer: Signer, **request: Any) -> str:
    return signer.presign_url_with_botocore(**request)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "PUT", "HEAD", "DELETE", "get"]),
    endpoint=ENDPOINTS,
    path=PATHS,
    suffix=st.sampled_from(["", "", "", "?a=1", "#frag", "\t"]),
    headers=st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=5),
    params=st.dictionaries(TEXT, TEXT, max_size=3),
    expires=st.integers(0, 604800),
    now=st.floats(0, 4102444800, allow_nan=False),
    region=st.sampled_from([REGION, "us-east-1"]),
)
def test_presign_url_equals_botocore(
    method: str,
    endpoint: str,
    path: str,
    suffix: str,
    headers: dict[str, str],
    params: dict[str, str],
    expires: int,
    now: float,
    region: str,
) -> None:
    from urllib.parse import quote

    signer = Signer(ACCESS_KEY, SECRET_KEY)
    request: dict[str, Any] = {
        "method": method,
        "url": f"{endpoint}/{quote(path, safe='/~')}{suffix}",
        "now": now,
        "region": region,
        "expires_in": expires,
        "headers": headers,
        "params": params,
    }
    assert signer.presign_url(**request) == botocore_presigned(signer, **request)


def test_presign_url_at_successive_seconds_and_back() -> None:
    signer = Signer(ACCESS_KEY, SECRET_KEY)
    url = "http://testserver/s3/b/k"
    for now in (FIXED_NOW, FIXED_NOW + 0.999, FIXED_NOW + 1, FIXED_NOW - 86400.5, -0.5, FIXED_NOW):
        request: dict[str, Any] = {
            "method": "GET",
            "url": url,
            "now": now,
            "region": REGION,
            "expires_in": 60,
            "headers": {},
            "params": {},
        }
        ours = signer.presign_url(**request)
        assert ours == botocore_presigned(signer, **request)
        assert f"X-Amz-Date={sigv4_timestamp(now)}&" in ours


def test_the_same_request_in_the_same_second_gets_the_same_url_and_a_new_one_after() -> None:
    signer = Signer(ACCESS_KEY, SECRET_KEY)
    request: dict[str, Any] = {
        "method": "GET",
        "url": "http://testserver/s3/b/k.pdf",
        "region": REGION,
        "expires_in": 60,
        "headers": {},
        "params": {"response-content-type": "application/pdf"},
    }
    first = signer.presign_url(now=FIXED_NOW, **request)
    assert signer.presign_url(now=FIXED_NOW + 0.5, **request) == first
    assert first == botocore_presigned(signer, now=FIXED_NOW + 0.5, **request)
    other_key = {**request, "url": "http://testserver/s3/b/other.pdf"}
    assert signer.presign_url(now=FIXED_NOW, **other_key) == botocore_presigned(signer, now=FIXED_NOW, **other_key)
    later = signer.presign_url(now=FIXED_NOW + 1, **request)
    assert later != first
    assert later == botocore_presigned(signer, now=FIXED_NOW + 1, **request)
    assert signer.presign_url(now=FIXED_NOW, **request) == first  # the clock moved back


def test_a_list_parameter_is_presigned_as_botocore_repeats_it() -> None:
    signer = Signer(ACCESS_KEY, SECRET_KEY)
    request: dict[str, Any] = {
        "method": "GET",
        "url": "http://testserver/s3/b/k",
        "now": FIXED_NOW,
        "region": REGION,
        "expires_in": 60,
        "headers": {},
        "params": {"a": ["1", "2"]},
    }
    assert signer.presign_url(**request) == botocore_presigned(signer, **request)
    assert "?a=1&a=2&" in signer.presign_url(**request)


def test_a_secret_of_the_same_access_key_signs_differently() -> None:
    request: dict[str, Any] = {
        "method": "GET",
        "url": "http://testserver/s3/b/k",
        "now": FIXED_NOW,
        "region": REGION,
        "expires_in": 60,
        "headers": {},
        "params": {},
    }
    assert Signer(ACCESS_KEY, SECRET_KEY).presign_url(**request) != Signer(ACCESS_KEY, "other").presign_url(**request)


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(TEXT, TEXT), max_size=8))
def test_canonical_query_equals_botocore(pairs: list[tuple[str, str]]) -> None:
    auth: Any = Signer(ACCESS_KEY, SECRET_KEY).query_auth(ACCESS_KEY, SECRET_KEY, REGION)
    assert canonical_query(pairs) == auth._canonical_query_string_params(list(pairs))


LOWER_NAMES = st.sampled_from(["content-type", "content-md5", "host", "x-amz-acl", "x-amz-meta-x", "range"])
LATIN1_VALUES = st.text(st.characters(min_codepoint=0x09, max_codepoint=0xFF), max_size=20)


@settings(max_examples=200, deadline=None)
@given(headers=st.lists(st.tuples(LOWER_NAMES, LATIN1_VALUES), max_size=8))
def test_canonical_header_block_equals_botocore(headers: list[tuple[str, str]]) -> None:
    from botocore.compat import HTTPHeaders

    auth = Signer(ACCESS_KEY, SECRET_KEY).query_auth(ACCESS_KEY, SECRET_KEY, REGION)
    collected = HTTPHeaders()
    for name, value in headers:
        collected[name] = value
    assert canonical_header_block(headers) == auth.canonical_headers(collected)


class _Context:
    def __init__(self, timestamp: str) -> None:
        self.context = {"timestamp": timestamp}


@pytest.mark.parametrize("secret", [SECRET_KEY, "another secret"])
@pytest.mark.parametrize("region", [REGION, "eu-west-1"])
def test_sign_string_equals_botocore(secret: str, region: str) -> None:
    signer = Signer(ACCESS_KEY, SECRET_KEY)
    auth: QueryAuth = signer.query_auth(ACCESS_KEY, secret, region)
    canonical_request = "PUT\n/s3/b/k\na=1\nhost:testserver\n\nhost\nUNSIGNED-PAYLOAD"
    timestamp = sigv4_timestamp(FIXED_NOW)
    theirs = auth.string_to_sign(_Context(timestamp), canonical_request)  # type: ignore[arg-type]
    assert string_to_sign(timestamp, region, canonical_request) == theirs
    assert signer.sign_string(secret, region, timestamp, canonical_request) == (
        theirs,
        auth.signature(theirs, _Context(timestamp)),
    )


def test_what_vendors_presign_does_not_need_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = Signer(ACCESS_KEY, SECRET_KEY)
    expected = {name: signer.presign_url_with_botocore(**request) for name, request in VENDOR_REQUESTS.items()}

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("presigned through AWSRequest")

    monkeypatch.setattr(signer, "presign_url_with_botocore", refuse)
    assert {name: signer.presign_url(**request) for name, request in VENDOR_REQUESTS.items()} == expected


_DISPOSITION = "attachment;filename=\"cv.pdf\"; filename*=utf-8''cv.pdf"
VENDOR_REQUESTS: dict[str, dict[str, Any]] = {
    "pageup prepare": {
        "method": "PUT",
        "url": "http://127.0.0.1:8000/s3/pageup-storage-temp-au/218/Document/0b6f.pdf",
        "now": FIXED_NOW,
        "region": REGION,
        "expires_in": 1800,
        "headers": {
            "content-type": "application/pdf",
            "x-amz-server-side-encryption": "AES256",
            "x-amz-acl": "bucket-owner-full-control",
        },
        "params": {"response-content-disposition": _DISPOSITION},
    },
    "pageup download": {
        "method": "GET",
        "url": "http://127.0.0.1:8000/s3/pageup-storage-au/218/Document/0b6f.pdf",
        "now": FIXED_NOW,
        "region": REGION,
        "expires_in": 60,
        "headers": {},
        "params": {"response-content-disposition": _DISPOSITION, "response-content-type": "application/pdf"},
    },
}
