"""The api_auth signature check, without HTTP: the shared test vectors, every header rule, the time window,
and a property over the reference signer (what it signs verifies; any one changed byte does not)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import string
from typing import Any

import httpx
import pytest
from clinch_support import assert_error
from hypothesis import given
from hypothesis import strategies as st

from client.clinch import ClinchAuth
from mockservers.clinch.auth import (
    HmacVerifier,
    SignedRequest,
    canonical_uri,
    parse_http_date,
    request_uris,
)
from mockservers.clinch.settings import ClinchSettings
from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError

EPOCH_1970 = "Thu, 01 Jan 1970 00:00:00 GMT"
RUBY_DATE = "Wed, 01 Jan 2014 01:01:01 GMT"
RUBY_EPOCH = 1388538061
JSON_API = "application/vnd.api+json"
EMPTY_MD5 = "1B2M2Y8AsgTpgAmY7PhCfg=="
STEVE = (
    b'{"data":{"type":"candidates","attributes":{"first_name":"Steve","last_name":"Jobs",'
    b'"email":"steve.jobs@example.com"}}}'
)


def verifier(secret: str, at: float, access_id: str = "access_id") -> HmacVerifier:
    clock = Clock()
    clock.freeze()
    clock.set(at)
    return HmacVerifier(ClinchSettings(access_id=access_id, secret=secret), clock)


def signed(method: str, uri: str, body: bytes = b"", **headers: str) -> SignedRequest:
    return SignedRequest(method, (uri,), {k.replace("_", "-").lower(): v for k, v in headers.items()}, body)


# -- the shared test vectors (shared/vendors.md §4) ----------------------------------------------------------

VECTORS = [
    pytest.param(
        "YOUR-SECRET",
        0,
        "GET",
        "/v1/resource",
        b"",
        {},
        "APIAuth access_id:8SIVQDCMltzKc16AvB3/UivbqNU=",
        id="node-resource",
    ),
    pytest.param(
        "YOUR-SECRET",
        0,
        "GET",
        "/v1/candidates",
        b"",
        {},
        "APIAuth access_id:cgLyS9HCvKFQMvoidj3sWphhYLk=",
        id="node-candidates",
    ),
    pytest.param(
        "secret",
        RUBY_EPOCH,
        "GET",
        "/v1/candidates",
        b"",
        {"content_type": JSON_API, "content_md5": EMPTY_MD5},
        "APIAuth access_id:BNBb+1TD1ZW2v2KInKm0EtDCrdg=",
        id="ruby-get",
    ),
    pytest.param(
        "secret",
        RUBY_EPOCH,
        "POST",
        "/v1/candidates",
        STEVE,
        {"content_type": JSON_API, "content_md5": "BHelHgS90QHICtQEYCK1CA=="},
        "APIAuth access_id:GpqVWbyL6re9hA4PVFciK9JGXtE=",
        id="ruby-post",
    ),
    pytest.param(
        "secret",
        RUBY_EPOCH,
        "GET",
        "/v1/candidates?include=social_profile",
        b"",
        {"content_type": JSON_API, "content_md5": EMPTY_MD5},
        "APIAuth access_id:mCPWePkgbJo3G9JSDrtdtQrKGek=",
        id="ruby-get-with-query",
    ),
    pytest.param(
        "secret",
        RUBY_EPOCH,
        "POST",
        "/v1/candidates",
        b'{"data":{"type":"candidates","attributes":{}}}',
        {"content_type": JSON_API, "content_md5": "hy9ALXrYXtG7YZXuVdXzjA=="},
        "APIAuth access_id:P9RDanGcxbHK/aWLPC/T6Eitplc=",
        id="ruby-post-no-attributes",
    ),
    pytest.param(
        "YOUR-SECRET",
        0,
        "GET",
        "/v1/candidates",
        b"",
        {},
        "APIAuth access_id:gYzq0dTgFzbX8X1CC854RjlE/pg=",
        id="with-method-sha1",
    ),
    pytest.param(
        "YOUR-SECRET",
        0,
        "GET",
        "/v1/candidates",
        b"",
        {},
        "APIAuth-HMAC-SHA256 access_id:SaJT83z+/Z4l0UMKZsCIqhKZLStURHE3gflVIJ+yOZw=",
        id="with-method-sha256",
    ),
]


@pytest.mark.parametrize(("secret", "at", "method", "uri", "body", "headers", "authorization"), VECTORS)
def test_the_shared_vectors_verify(
    secret: str, at: float, method: str, uri: str, body: bytes, headers: dict[str, str], authorization: str
) -> None:
    date = RUBY_DATE if at else EPOCH_1970
    request = signed(method, uri, body, date=date, authorization=authorization, **headers)
    assert verifier(secret, at).authenticate(request) == "access_id"


@pytest.mark.parametrize(("secret", "at", "method", "uri", "body", "headers", "authorization"), VECTORS)
def test_the_shared_vectors_fail_with_another_secret(
    secret: str, at: float, method: str, uri: str, body: bytes, headers: dict[str, str], authorization: str
) -> None:
    date = RUBY_DATE if at else EPOCH_1970
    request = signed(method, uri, body, date=date, authorization=authorization, **headers)
    with pytest.raises(VendorError) as exc:
        verifier(secret + "x", at).authenticate(request)
    assert (exc.value.code, exc.value.message.split(":")[0]) == (
        "signature_mismatch",
        f"The HMAC-{'SHA256' if 'SHA256' in authorization else 'SHA1'} signature does not match any canonical string "
        "this request has",
    )


def test_a_mismatch_names_the_canonical_strings_it_tried() -> None:
    request = signed("GET", "/v1/candidates", date=EPOCH_1970, authorization="APIAuth access_id:AAAA")
    with pytest.raises(VendorError) as exc:
        verifier("YOUR-SECRET", 0).authenticate(request)
    assert_error(
        exc,
        401,
        "signature_mismatch",
        "The HMAC-SHA1 signature does not match any canonical string this request has: "
        f"',,/v1/candidates,{EPOCH_1970}'; 'GET,,,/v1/candidates,{EPOCH_1970}'",
    )


# -- headers ------------------------------------------------------------------------------------------------


def _sig(canonical: str, digest: Any = hashlib.sha1, secret: str = "YOUR-SECRET") -> str:
    import base64

    return base64.b64encode(hmac.new(secret.encode(), canonical.encode(), digest).digest()).decode()


@pytest.mark.parametrize(
    ("name", "digest"),
    [("MD5", hashlib.md5), ("SHA224", hashlib.sha224), ("SHA384", hashlib.sha384), ("SHA512", hashlib.sha512)],
)
def test_every_digest_the_gem_names_verifies(name: str, digest: Any) -> None:
    header = f"APIAuth-HMAC-{name} access_id:{_sig(f',,/v1/candidates,{EPOCH_1970}', digest)}"
    assert verifier("YOUR-SECRET", 0).authenticate(
        signed("GET", "/v1/candidates", date=EPOCH_1970, authorization=header)
    )


@pytest.mark.parametrize(
    ("authorization", "code", "message"),
    [
        (
            "Basic YWNjZXNzX2lkOllPVVItU0VDUkVU",
            "malformed_authorization",
            "The Authorization header is not 'APIAuth <access id>:<signature>' or "
            "'APIAuth-HMAC-<MD5|SHA1|SHA224|SHA256|SHA384|SHA512> <access id>:<signature>'",
        ),
        (
            "apiauth access_id:x",
            "malformed_authorization",
            "The Authorization header is not 'APIAuth <access id>:<signature>' or "
            "'APIAuth-HMAC-<MD5|SHA1|SHA224|SHA256|SHA384|SHA512> <access id>:<signature>'",
        ),
        ("APIAuth-HMAC-SHA access_id:x", "unsupported_digest", "APIAuth-HMAC-SHA is not a digest the API supports"),
        ("APIAuth someone-else:x", "unknown_access_id", "No API key has the access id 'someone-else'"),
    ],
)
def test_an_unreadable_or_foreign_authorization_is_a_401(authorization: str, code: str, message: str) -> None:
    with pytest.raises(VendorError) as exc:
        verifier("YOUR-SECRET", 0).authenticate(signed("GET", "/v1/x", date=EPOCH_1970, authorization=authorization))
    assert_error(exc, 401, code, message)


def test_no_authorization_is_a_401() -> None:
    with pytest.raises(VendorError) as exc:
        verifier("YOUR-SECRET", 0).authenticate(signed("GET", "/v1/x", date=EPOCH_1970))
    assert_error(
        exc,
        401,
        "missing_authorization",
        "No Authorization header: send 'Authorization: APIAuth <access id>:<signature>' "
        "(or X-HMAC-Authorization / X-Authorization)",
    )


def test_x_hmac_headers_win_over_the_plain_ones() -> None:
    """The Grape driver's order: X-HMAC-Authorization, X-Authorization, Authorization; X-HMAC-Date,
    X-Date, Date; X-HMAC-Content-Type and -MD5 before the plain headers."""
    canonical = f"text/plain,{EMPTY_MD5},/v1/candidates,{EPOCH_1970}"
    good = f"APIAuth access_id:{_sig(canonical)}"
    request = signed(
        "GET",
        "/v1/candidates",
        x_hmac_authorization=good,
        x_authorization="APIAuth access_id:wrong",
        authorization="APIAuth access_id:wrong",
        x_hmac_date=EPOCH_1970,
        date="Fri, 02 Jan 1970 00:00:00 GMT",
        x_hmac_content_type="text/plain",
        content_type=JSON_API,
        x_hmac_content_md5=EMPTY_MD5,
        content_md5="bm90IHRoZSBtZDU=",
    )
    assert verifier("YOUR-SECRET", 0).authenticate(request) == "access_id"
    second = signed(
        "GET",
        "/v1/candidates",
        x_authorization=good,
        x_date=EPOCH_1970,
        content_type="text/plain",
        x_content_md5=EMPTY_MD5,
    )
    assert verifier("YOUR-SECRET", 0).authenticate(second) == "access_id"


def test_a_present_but_wrong_content_md5_fails_and_an_absent_one_is_fine() -> None:
    canonical = f"{JSON_API},{EMPTY_MD5},/v1/candidates,{EPOCH_1970}"
    header = f"APIAuth access_id:{_sig(canonical)}"
    check = verifier("YOUR-SECRET", 0)
    with pytest.raises(VendorError) as exc:
        check.authenticate(
            signed(
                "POST",
                "/v1/candidates",
                b"{}",
                date=EPOCH_1970,
                authorization=header,
                content_type=JSON_API,
                content_md5=EMPTY_MD5,
            )
        )
    assert_error(
        exc,
        401,
        "content_md5_mismatch",
        "Content-MD5 '1B2M2Y8AsgTpgAmY7PhCfg==' is not the MD5 of the body (mZFLkyvTelC5g8XnyQrpOw==, base64); "
        "send the MD5 of the exact body bytes, or no Content-MD5",
    )
    unmd5 = f"APIAuth access_id:{_sig(f'{JSON_API},,/v1/candidates,{EPOCH_1970}')}"
    assert check.authenticate(
        signed("POST", "/v1/candidates", b"{}", date=EPOCH_1970, authorization=unmd5, content_type=JSON_API)
    )


def test_a_post_as_api_auth_2_5_signs_it_verifies_with_its_content_sha256() -> None:
    """api_auth 2.5 (the gem's current release, PR #188) puts Base64(SHA-256(body)) in
    ``X-Authorization-Content-SHA256`` instead of Content-MD5, and in the canonical string's hash slot,
    always with the method in front; a present but wrong one fails as a wrong Content-MD5 does."""
    sha = base64.b64encode(hashlib.sha256(STEVE).digest()).decode()
    assert sha == "jOLwmq0mWIk1nCoOCmEPjHGCwrgGuXHkKDB+1I1vQ3o="  # computed independently (printf ... | sha256sum)
    canonical = f"POST,{JSON_API},{sha},/v1/candidates,{RUBY_DATE}"
    request = signed(
        "POST",
        "/v1/candidates",
        STEVE,
        date=RUBY_DATE,
        authorization=f"APIAuth-HMAC-SHA256 access_id:{_sig(canonical, hashlib.sha256, 'secret')}",
        content_type=JSON_API,
        x_authorization_content_sha256=sha,
    )
    assert verifier("secret", RUBY_EPOCH).authenticate(request) == "access_id"
    wrong = signed(
        "POST", "/v1/candidates", STEVE + b" ", **{k.replace("-", "_"): v for k, v in request.headers.items()}
    )
    with pytest.raises(VendorError) as exc:
        verifier("secret", RUBY_EPOCH).authenticate(wrong)
    assert_error(
        exc,
        401,
        "content_sha256_mismatch",
        f"X-Authorization-Content-SHA256 {sha!r} is not the SHA-256 of the body "
        "(uzEHics3R0Y7ciKsINekhHGbU0PB4sm9xPuF9bcSlOc=, base64); send the SHA-256 of the exact body bytes, "
        "or no X-Authorization-Content-SHA256",
    )


# -- the date -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "epoch"),
    [
        ("Wed, 01 Jan 2014 01:01:01 GMT", RUBY_EPOCH),
        ("  wed, 01 jan 2014 01:01:01 gmt ", RUBY_EPOCH),
        ("Sun, 01 Jan 2014 01:01:01 GMT", RUBY_EPOCH),
        ("Wednesday, 01-Jan-14 01:01:01 GMT", RUBY_EPOCH),
        ("Wed Jan  1 01:01:01 2014", RUBY_EPOCH),
        ("Thu, 31 Dec 1998 23:59:60 GMT", 915148800),
        ("Thu, 29 Feb 2001 00:00:00 GMT", None),
        ("Thu, 01 Jan 1970 24:00:00 GMT", None),
        ("Thu, 01 Jan 0000 00:00:00 GMT", None),
        ("2014-01-01T01:01:01Z", None),
        ("Wed, 01 Jan 2014 01:01:01 +0000", None),
        ("", None),
    ],
)
def test_http_dates_are_read_as_ruby_time_httpdate_reads_them(value: str, epoch: float | None) -> None:
    assert parse_http_date(value) == epoch


def _at(offset: float) -> tuple[HmacVerifier, SignedRequest]:
    canonical = f",,/v1/candidates,{RUBY_DATE}"
    request = signed(
        "GET", "/v1/candidates", date=RUBY_DATE, authorization=f"APIAuth access_id:{_sig(canonical, secret='s')}"
    )
    return verifier("s", RUBY_EPOCH + offset), request


@pytest.mark.parametrize("offset", [-899, -0.5, 0, 899.9])
def test_a_date_less_than_900_seconds_from_the_mock_clock_is_accepted(offset: float) -> None:
    check, request = _at(offset)
    assert check.authenticate(request) == "access_id"


@pytest.mark.parametrize(("offset", "shown"), [(900, "900"), (-900, "900"), (86400, "86400")])
def test_a_date_900_seconds_or_more_away_is_a_401(offset: float, shown: str) -> None:
    check, request = _at(offset)
    with pytest.raises(VendorError) as exc:
        check.authenticate(request)
    now = (
        "Wed, 01 Jan 2014 01:16:01 GMT"
        if offset == 900
        else ("Wed, 01 Jan 2014 00:46:01 GMT" if offset < 0 else "Thu, 02 Jan 2014 01:01:01 GMT")
    )
    assert_error(
        exc,
        401,
        "date_outside_window",
        f"The request date '{RUBY_DATE}' is {shown} seconds from the server time {now}; "
        "it must be less than 900 seconds away",
    )


@pytest.mark.parametrize(
    ("headers", "code", "message"),
    [
        ({}, "missing_date", "No Date header: send Date (or X-HMAC-Date / X-Date) as an HTTP-date"),
        (
            {"date": "yesterday"},
            "invalid_date",
            "The date 'yesterday' is not an HTTP-date such as 'Thu, 28 Nov 2019 09:44:23 GMT'",
        ),
    ],
)
def test_a_missing_or_unreadable_date_is_a_401(headers: dict[str, str], code: str, message: str) -> None:
    request = signed("GET", "/v1/x", authorization="APIAuth access_id:x", **headers)
    with pytest.raises(VendorError) as exc:
        verifier("YOUR-SECRET", 0).authenticate(request)
    assert_error(exc, 401, code, message)


# -- the request URI ----------------------------------------------------------------------------------------


def test_the_uri_is_the_wire_path_and_query_and_also_without_the_mount_prefix() -> None:
    scope = {
        "raw_path": b"/clinch/v1/candidates",
        "query_string": b"filter%5Bemail%5D%5Beq%5D=a%40b.c",
        "root_path": "/clinch",
    }
    assert request_uris(scope) == (
        "/clinch/v1/candidates?filter%5Bemail%5D%5Beq%5D=a%40b.c",
        "/v1/candidates?filter%5Bemail%5D%5Beq%5D=a%40b.c",
    )
    assert request_uris({"raw_path": b"/v1/candidates", "query_string": b"", "root_path": ""}) == ("/v1/candidates",)
    assert request_uris({"path": "/v1/caf\u00e9", "root_path": ""}) == ("/v1/caf%C3%A9",)


@pytest.mark.parametrize("header", ["X-Original-URI", "X-HMAC-Original-URI"])
def test_an_x_original_uri_is_the_uri_signed_instead_of_the_one_received(header: str) -> None:
    """api_auth ≥ 2.2 signs ``original_uri || request_uri`` (headers.rb ``canonical_string``; #137)."""
    canonical = f",,/v1/before-the-proxy?a=1,{EPOCH_1970}"
    sent = {header.lower(): "http://api.clinchtalent.com/v1/before-the-proxy?a=1", "date": EPOCH_1970}
    good = SignedRequest("GET", ("/v1/candidates",), {**sent, "authorization": f"APIAuth id:{_sig(canonical)}"}, b"")
    assert verifier("YOUR-SECRET", 0, "id").authenticate(good) == "id"
    over_the_wire = f",,/v1/candidates,{EPOCH_1970}"
    wire = SignedRequest(
        "GET", ("/v1/candidates",), {**sent, "authorization": f"APIAuth id:{_sig(over_the_wire)}"}, b""
    )
    with pytest.raises(VendorError) as refused:
        verifier("YOUR-SECRET", 0, "id").authenticate(wire)
    assert refused.value.code == "signature_mismatch"
    empty = {"x-original-uri": "", "date": EPOCH_1970, "authorization": f"APIAuth id:{_sig(f',,/,{EPOCH_1970}')}"}
    assert verifier("YOUR-SECRET", 0, "id").authenticate(SignedRequest("GET", ("/v1/x",), empty, b"")) == "id"


def test_the_uri_loses_any_scheme_and_host_as_the_gem_strips_them() -> None:
    assert canonical_uri("http://api.clinchtalent.com/v1/candidates?a=1") == "/v1/candidates?a=1"
    assert canonical_uri("/v1/x?next=https://example.com/y") == "/v1/x?next=/y"
    assert canonical_uri("https://api.clinchtalent.com") == "/"


def test_every_canonical_string_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """All four candidates (two URIs x two forms) are compared with ``hmac.compare_digest``, none skipped."""
    import mockservers.clinch.auth as auth

    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", recording)
    request = SignedRequest(
        "GET", ("/clinch/v1/c", "/v1/c"), {"date": EPOCH_1970, "authorization": "APIAuth access_id:x"}, b""
    )
    with pytest.raises(VendorError):
        verifier("YOUR-SECRET", 0).authenticate(request)
    assert [a for a, _ in calls] == [b"x"] * 4


# -- the property: what the reference signer signs verifies, and one changed byte does not -------------------

SAFE = string.ascii_letters + string.digits + "-._~"
MOUNT = "/clinch"
segments = st.lists(st.text(SAFE, min_size=1, max_size=8), min_size=1, max_size=4)
queries = st.lists(st.tuples(st.text(SAFE, min_size=1, max_size=6), st.text(SAFE, max_size=6)), max_size=3)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@st.composite
def signed_requests(draw: st.DrawFn) -> tuple[SignedRequest, bool]:
    """A request as the reference signer (``ClinchAuth``) sends it to the mounted mock, and its form."""
    method = draw(st.sampled_from(METHODS))
    path = "/v1/" + "/".join(draw(segments))
    query = "&".join(f"{k}={v}" for k, v in draw(queries))
    body = draw(st.binary(max_size=64)) if method in ("POST", "PUT", "PATCH") else b""
    headers = (
        {"Content-Type": draw(st.sampled_from([JSON_API, "application/json", "text/plain; charset=utf-8"]))}
        if body
        else {}
    )
    with_method = draw(st.booleans())
    auth = ClinchAuth(
        "atsmock-clinch",
        "s3cr3t",
        digest=draw(st.sampled_from(["SHA1", "SHA256"])),
        with_method=with_method,
        clock=lambda: RUBY_EPOCH,
    )
    prefixed = draw(
        st.booleans()
    )  # a signer given the mock's URL signs the prefix; one given the vendor's paths does not
    url = f"http://testserver{MOUNT if prefixed else ''}{path}" + (f"?{query}" if query else "")
    request = auth.sign(httpx.Request(method, url, content=body, headers=headers))
    sent = request.url.raw_path if prefixed else MOUNT.encode() + request.url.raw_path
    raw_path, _, raw_query = sent.partition(b"?")
    scope = {"raw_path": raw_path, "query_string": raw_query, "root_path": MOUNT}
    wire = {k.decode().lower(): v.decode("latin-1") for k, v in request.headers.raw}
    return SignedRequest(method, request_uris(scope), wire, body), with_method


PROPERTY_VERIFIER = verifier("s3cr3t", RUBY_EPOCH, "atsmock-clinch")


@given(signed_requests())
def test_whatever_the_reference_signer_signs_verifies(case: tuple[SignedRequest, bool]) -> None:
    request, _ = case
    assert PROPERTY_VERIFIER.authenticate(request) == "atsmock-clinch"


def _changed(text: str, index: int, replacement: str) -> str:
    return text[:index] + replacement + text[index + 1 :]


@st.composite
def one_byte_changed(draw: st.DrawFn) -> tuple[SignedRequest, str]:
    """A signed request with exactly one byte changed in its method, path, query, body, date or a signed header."""
    request, with_method = draw(signed_requests())
    wire_path, _, wire_query = request.uris[0].partition("?")
    parts = ["path", "date", "content-md5", "authorization"]
    parts += ["method"] * with_method + ["query"] * bool(wire_query) + ["body"] * bool(request.body)
    parts += ["content-type"] * ("content-type" in request.headers)
    part = draw(st.sampled_from(parts))
    headers, body, method, uris = dict(request.headers), request.body, request.method, request.uris
    if part == "method":
        i = draw(st.integers(0, len(method) - 1))
        method = _changed(method, i, draw(st.sampled_from([c for c in string.ascii_uppercase if c != method[i]])))
    elif part in ("path", "query"):
        target = wire_path if part == "path" else wire_query
        i = draw(st.integers(0, len(target) - 1))
        new = _changed(target, i, draw(st.sampled_from([c for c in SAFE if c != target[i]])))
        raw = (new + ("?" + wire_query if wire_query else "")) if part == "path" else f"{wire_path}?{new}"
        path_bytes, _, query_bytes = raw.encode().partition(b"?")
        uris = request_uris({"raw_path": path_bytes, "query_string": query_bytes, "root_path": MOUNT})
    elif part == "body":
        i = draw(st.integers(0, len(body) - 1))
        body = body[:i] + bytes([draw(st.integers(0, 255).filter(lambda b: b != body[i]))]) + body[i + 1 :]
    else:
        value = headers[part]
        i = draw(st.integers(0, len(value) - 1))
        headers[part] = _changed(value, i, draw(st.sampled_from([c for c in string.printable[:94] if c != value[i]])))
    return SignedRequest(method, uris, headers, body), part


@given(one_byte_changed())
def test_any_one_changed_byte_of_a_signed_request_fails(case: tuple[SignedRequest, str]) -> None:
    request, part = case
    with pytest.raises(VendorError) as exc:
        PROPERTY_VERIFIER.authenticate(request)
    assert exc.value.kind == "unauthenticated", part


def test_the_form_without_the_method_does_not_cover_the_method() -> None:
    """The legacy canonical string (the Ruby and Node clients') has no method in it: a GET's signature
    verifies on a DELETE of the same URI. The property above changes the method only in the with-method form."""
    auth = ClinchAuth("atsmock-clinch", "s3cr3t", clock=lambda: RUBY_EPOCH)
    request = auth.sign(httpx.Request("GET", "http://testserver/v1/candidates/abc"))
    wire = {k.decode().lower(): v.decode() for k, v in request.headers.raw}
    assert PROPERTY_VERIFIER.authenticate(SignedRequest("DELETE", ("/v1/candidates/abc",), wire, b""))
    with_method = ClinchAuth("atsmock-clinch", "s3cr3t", with_method=True, clock=lambda: RUBY_EPOCH)
    request = with_method.sign(httpx.Request("GET", "http://testserver/v1/candidates/abc"))
    wire = {k.decode().lower(): v.decode() for k, v in request.headers.raw}
    with pytest.raises(VendorError):
        PROPERTY_VERIFIER.authenticate(SignedRequest("DELETE", ("/v1/candidates/abc",), wire, b""))
