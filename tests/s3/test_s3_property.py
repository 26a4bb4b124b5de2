"""The property S3's checks must have: the untouched presigned request is accepted; any single-character
change to its signature, any change of a signed header's value, or any clock moved past its expiry is rejected.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from s3_support import BASE_URL, BUCKET, REGION, client_for, s3_error

from mockservers.config import S3Settings
from mockservers.core.clock import Clock
from mockservers.s3 import S3Service

FIXED_NOW = 1_893_456_000.5
SIGNED_HEADERS = ("content-type", "content-disposition", "x-amz-acl", "x-amz-server-side-encryption", "host")
VISIBLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
KEY_CHARS = st.one_of(
    st.sampled_from("abcXYZ019 -_.,'\"+=&%~!()[]@$;:"),
    st.characters(categories=["Lu", "Ll", "Lo"], max_codepoint=0x9FFF),
)
KEYS = st.lists(st.text(KEY_CHARS, min_size=1, max_size=12), min_size=1, max_size=3).map("/".join)

MUTATIONS = st.one_of(
    st.tuples(st.just("none")),
    st.tuples(st.just("signature"), st.integers(0, 63), VISIBLE),
    st.tuples(st.just("header"), st.sampled_from(SIGNED_HEADERS), st.text(VISIBLE, min_size=1, max_size=30)),
    st.tuples(st.just("clock"), st.floats(0, 10 * 604800, allow_nan=False)),
)


def normalised(value: str) -> str:
    """A header value as SigV4 canonicalises it (trimmed, inner runs of spaces collapsed)."""
    return " ".join(value.split())


def with_signature(url: str, signature: str) -> str:
    parts = urlsplit(url)
    pairs = [(k, signature if k == "X-Amz-Signature" else v) for k, v in parse_qsl(parts.query)]
    return parts._replace(query=urlencode(pairs, quote_via=quote, safe="")).geturl()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=KEYS,
    expires=st.integers(1, 604800),
    content_type=st.sampled_from(["application/pdf", "text/plain; charset=utf-8", "image/png"]),
    acl=st.sampled_from(["private", "bucket-owner-full-control"]),
    body=st.binary(max_size=64),
    mutation=MUTATIONS,
)
def test_only_the_untouched_request_is_accepted(
    key: str, expires: int, content_type: str, acl: str, body: bytes, mutation: tuple[object, ...]
) -> None:
    assume(not any(part in (".", "..") for part in key.split("/")))
    clock = Clock()
    clock.freeze()
    clock.set(FIXED_NOW)
    s3 = S3Service(S3Settings(), clock, BASE_URL)
    s3.ensure_bucket(BUCKET, REGION)
    signed = {
        "content-type": content_type,
        "content-disposition": 'attachment; filename="cv.pdf"',
        "x-amz-acl": acl,
        "x-amz-server-side-encryption": "AES256",
    }
    url = s3.presign_put(bucket=BUCKET, key=key, expires_in=expires, region=REGION, headers=signed)
    headers = dict(signed)
    kind = mutation[0]
    if kind == "signature":
        index, char = mutation[1], mutation[2]
        assert isinstance(index, int) and isinstance(char, str)
        signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
        assume(signature[index] != char)
        url = with_signature(url, signature[:index] + char + signature[index + 1 :])
    elif kind == "header":
        name, value = mutation[1], mutation[2]
        assert isinstance(name, str) and isinstance(value, str)
        original = "testserver" if name == "host" else headers[name]
        assume(normalised(value) != normalised(original))
        headers[name] = value
    elif kind == "clock":
        delay = mutation[1]
        assert isinstance(delay, float)
        clock.advance(expires + delay)

    with client_for(s3.app) as http:
        response = http.put(url, content=body, headers=headers)
    if kind == "none":
        assert response.status_code == 200, response.text
        assert s3.get_bytes(BUCKET, key) == body
    elif kind == "clock":
        assert s3_error(response) == (403, "AccessDenied", "Request has expired")
    else:
        assert s3_error(response)[:2] == (403, "SignatureDoesNotMatch")
    if kind != "none":
        assert s3.head_object(BUCKET, key) is None
