"""Presigned PUT and GET with SigV4 query auth: each rule S3 applies, one accepted and one rejected request.

Requests are sent as a client sends them (httpx with exact headers), in-process through the front.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx
import pytest
from s3_support import BUCKET, REGION, error_detail, s3_error

from mockservers.core.clock import Clock
from mockservers.s3 import S3Service
from mockservers.s3.errors import SIGNATURE_MISMATCH

PDF = b"%PDF-1.4 atsmock\n" * 10
SIGNED = {
    "content-type": "application/pdf",
    "content-disposition": 'attachment; filename="cv.pdf"',
    "x-amz-acl": "private",
    "x-amz-server-side-encryption": "AES256",
}


def presign_put(s3: S3Service, key: str = "cv.pdf", expires_in: int = 300, **kwargs: object) -> str:
    headers = kwargs.pop("headers", SIGNED)
    return s3.presign_put(bucket=BUCKET, key=key, expires_in=expires_in, region=REGION, headers=headers, **kwargs)  # type: ignore[arg-type]


def with_param(url: str, name: str, value: str) -> str:
    """The URL with one query parameter replaced (re-encoded as botocore would)."""
    parts = urlsplit(url)
    pairs = [(k, value if k == name else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    if name not in dict(pairs):
        pairs.append((name, value))
    return parts._replace(query=urlencode(pairs, quote_via=quote, safe="")).geturl()


def without_param(url: str, name: str) -> str:
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return parts._replace(query=urlencode(pairs, quote_via=quote, safe="")).geturl()


def put(http: httpx.Client, url: str, headers: dict[str, str] | None = None, body: bytes = PDF) -> httpx.Response:
    return http.put(url, content=body, headers=SIGNED if headers is None else headers)


# -- acceptance, and what the object keeps -----------------------------------------------------------------


def test_presigned_put_with_every_signed_header_is_accepted(s3: S3Service, http: httpx.Client) -> None:
    response = put(http, presign_put(s3))
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["etag"] == f'"{hashlib.md5(PDF).hexdigest()}"'
    assert response.headers["x-amz-server-side-encryption"] == "AES256"


def test_object_keeps_the_signed_type_disposition_sse_and_acl(s3: S3Service, http: httpx.Client) -> None:
    headers = {**SIGNED, "x-amz-acl": "bucket-owner-full-control", "x-amz-server-side-encryption": "aws:kms"}
    assert put(http, presign_put(s3, headers=headers), headers).status_code == 200
    info = s3.head_object(BUCKET, "cv.pdf")
    assert info is not None
    assert (info.size, info.content_type, info.content_disposition) == (
        len(PDF),
        "application/pdf",
        SIGNED["content-disposition"],
    )
    assert (info.server_side_encryption, info.acl) == ("aws:kms", "bucket-owner-full-control")
    assert s3.get_bytes(BUCKET, "cv.pdf") == PDF


def test_presigned_get_returns_the_bytes_and_stored_headers(s3: S3Service, http: httpx.Client) -> None:
    put(http, presign_put(s3))
    response = http.get(s3.presign_get(bucket=BUCKET, key="cv.pdf", expires_in=60, region=REGION))
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == SIGNED["content-disposition"]
    assert response.headers["content-length"] == str(len(PDF))
    assert response.headers["last-modified"] == "Tue, 01 Jan 2030 00:00:00 GMT"


def test_presigned_get_honours_response_content_disposition_and_type(s3: S3Service, http: httpx.Client) -> None:
    put(http, presign_put(s3))
    url = s3.presign_get(
        bucket=BUCKET,
        key="cv.pdf",
        expires_in=60,
        region=REGION,
        response_content_disposition='inline; filename="résumé.pdf"',
        response_content_type="application/octet-stream",
    )
    response = http.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    raw = dict(response.headers.raw)
    assert raw[b"content-disposition"] == 'inline; filename="résumé.pdf"'.encode()


def test_response_override_is_covered_by_the_signature(s3: S3Service, http: httpx.Client) -> None:
    put(http, presign_put(s3))
    url = s3.presign_get(bucket=BUCKET, key="cv.pdf", expires_in=60, region=REGION, response_content_type="text/plain")
    tampered = with_param(url, "response-content-type", "text/html")
    assert s3_error(http.get(tampered))[:2] == (403, "SignatureDoesNotMatch")


def test_put_signing_response_content_disposition_as_pageup_does(s3: S3Service, http: httpx.Client) -> None:
    url = presign_put(s3, params={"response-content-disposition": 'attachment; filename="a b.pdf"'})
    assert "response-content-disposition=attachment%3B%20filename%3D%22a%20b.pdf%22" in url
    assert put(http, url).status_code == 200


@pytest.mark.parametrize(
    "key",
    [
        "a b/c d.pdf",
        "Lebenslauf \u2013 Müller.pdf",
        'quote\'s "double".pdf',
        "日本語/履歴書.pdf",
        "a+b=c&d.pdf",
        "~tilde/%25.pdf",
    ],
)
def test_keys_with_spaces_quotes_and_unicode(s3: S3Service, http: httpx.Client, key: str) -> None:
    url = presign_put(s3, key=key)
    assert url.startswith(f"http://testserver/s3/{BUCKET}/{quote(key, safe='/~')}?")
    assert put(http, url).status_code == 200
    assert s3.get_bytes(BUCKET, key) == PDF
    assert http.get(s3.presign_get(bucket=BUCKET, key=key, expires_in=60, region=REGION)).content == PDF


# -- signature -------------------------------------------------------------------------------------------


def test_tampered_signature_is_signature_does_not_match(s3: S3Service, http: httpx.Client) -> None:
    url = presign_put(s3)
    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    response = put(http, with_param(url, "X-Amz-Signature", flipped))
    assert s3_error(response) == (
        403,
        "SignatureDoesNotMatch",
        SIGNATURE_MISMATCH,
    )
    assert error_detail(response, "SignatureProvided") == flipped
    assert error_detail(response, "AWSAccessKeyId") == s3.settings.access_key
    canonical = error_detail(response, "CanonicalRequest") or ""
    assert canonical.startswith(f"PUT\n/s3/{BUCKET}/cv.pdf\n")
    assert canonical.endswith(
        "\ncontent-disposition;content-type;host;x-amz-acl;x-amz-server-side-encryption\nUNSIGNED-PAYLOAD"
    )
    assert (error_detail(response, "StringToSign") or "").startswith("AWS4-HMAC-SHA256\n20300101T000000Z\n")


def test_tampered_key_path_is_signature_does_not_match(s3: S3Service, http: httpx.Client) -> None:
    url = presign_put(s3).replace("/cv.pdf?", "/cv2.pdf?")
    assert s3_error(put(http, url))[:2] == (403, "SignatureDoesNotMatch")


def test_other_secret_is_signature_does_not_match(clock: Clock, http: httpx.Client, s3: S3Service) -> None:
    from mockservers.s3.signing import Signer

    other = Signer(s3.settings.access_key, "not-the-secret").presign_url(
        "GET", s3.object_url(BUCKET, "cv.pdf"), now=clock.now(), region=REGION, expires_in=60, headers={}, params={}
    )
    assert s3_error(http.get(other))[:2] == (403, "SignatureDoesNotMatch")


# -- signed headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["content-type", "content-disposition", "x-amz-acl", "x-amz-server-side-encryption"])
def test_signed_header_missing_is_signature_does_not_match(s3: S3Service, http: httpx.Client, name: str) -> None:
    headers = {k: v for k, v in SIGNED.items() if k != name}
    response = put(http, presign_put(s3), headers)
    assert name not in response.request.headers
    assert s3_error(response)[:2] == (403, "SignatureDoesNotMatch")
    assert f"\n{name}:\n" in (error_detail(response, "CanonicalRequest") or "")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("content-type", "text/html"),
        ("content-disposition", 'attachment; filename="other.pdf"'),
        ("x-amz-acl", "public-read"),
        ("x-amz-server-side-encryption", "aws:kms"),
        ("host", "evil.example"),
    ],
)
def test_signed_header_with_another_value_is_signature_does_not_match(
    s3: S3Service, http: httpx.Client, name: str, value: str
) -> None:
    response = put(http, presign_put(s3), {**SIGNED, name: value})
    assert s3_error(response)[:2] == (403, "SignatureDoesNotMatch")
    assert f"\n{name}:{value}\n" in (error_detail(response, "CanonicalRequest") or "")


def test_signed_header_whitespace_is_normalised_as_sigv4_says(s3: S3Service, http: httpx.Client) -> None:
    response = put(http, presign_put(s3), {**SIGNED, "content-disposition": ' attachment;  filename="cv.pdf" '})
    assert response.status_code == 200


def test_unsigned_amz_header_is_access_denied(s3: S3Service, http: httpx.Client) -> None:
    url = presign_put(s3, headers={"content-type": "application/pdf"})
    response = put(http, url, {"content-type": "application/pdf", "x-amz-acl": "public-read", "x-amz-meta-a": "1"})
    assert s3_error(response) == (
        403,
        "AccessDenied",
        "There were headers present in the request which were not signed",
    )
    assert error_detail(response, "HeadersNotSigned") == "x-amz-acl, x-amz-meta-a"


def test_unsigned_plain_header_is_accepted(s3: S3Service, http: httpx.Client) -> None:
    url = presign_put(s3, headers={"content-type": "application/pdf"})
    response = put(
        http, url, {"content-type": "application/pdf", "content-disposition": "attachment", "x-request-id": "1"}
    )
    assert response.status_code == 200
    info = s3.head_object(BUCKET, "cv.pdf")
    assert info is not None and info.content_disposition == "attachment"


def test_host_must_be_signed(s3: S3Service, http: httpx.Client) -> None:
    url = with_param(presign_put(s3, headers={}), "X-Amz-SignedHeaders", "content-type")
    response = put(http, url, {"content-type": "application/pdf"})
    assert s3_error(response)[:2] == (403, "AccessDenied")
    assert error_detail(response, "HeadersNotSigned") == "host"


# -- expiry on the mock clock ------------------------------------------------------------------------------


def test_url_works_until_its_expiry(s3: S3Service, http: httpx.Client, clock: Clock) -> None:
    url = presign_put(s3, expires_in=300)
    clock.advance(299.9)
    assert put(http, url).status_code == 200


def test_expired_url_is_access_denied(s3: S3Service, http: httpx.Client, clock: Clock) -> None:
    url = presign_put(s3, expires_in=300)
    clock.advance(300)
    response = put(http, url)
    assert s3_error(response) == (403, "AccessDenied", "Request has expired")
    assert error_detail(response, "X-Amz-Expires") == "300"
    assert error_detail(response, "Expires") == "2030-01-01T00:05:00Z"
    assert error_detail(response, "ServerTime") == "2030-01-01T00:05:00Z"
    assert s3.head_object(BUCKET, "cv.pdf") is None


def test_expired_get_is_access_denied(s3: S3Service, http: httpx.Client, clock: Clock) -> None:
    s3.put_bytes(BUCKET, "cv.pdf", PDF)
    url = s3.presign_get(bucket=BUCKET, key="cv.pdf", expires_in=60, region=REGION)
    assert http.get(url).content == PDF
    clock.advance(61)
    assert s3_error(http.get(url)) == (403, "AccessDenied", "Request has expired")


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds); that is, "
            "the given X-Amz-Expires must be less than 604800 seconds",
        ),
        ("-1", "X-Amz-Expires must be non-negative"),
        ("soon", "X-Amz-Expires should be a number"),
        ("1_0", "X-Amz-Expires should be a number"),
        (" 60", "X-Amz-Expires should be a number"),
        ("\u0666\u0660", "X-Amz-Expires should be a number"),
    ],
)
def test_expires_outside_the_range_is_a_400(s3: S3Service, http: httpx.Client, expires: str, message: str) -> None:
    response = put(http, with_param(presign_put(s3), "X-Amz-Expires", expires))
    assert s3_error(response) == (400, "AuthorizationQueryParametersError", message)


def test_a_week_is_the_longest_accepted_expiry(s3: S3Service, http: httpx.Client) -> None:
    assert put(http, presign_put(s3, expires_in=604800)).status_code == 200


def test_zero_expiry_has_expired_already(s3: S3Service, http: httpx.Client) -> None:
    assert s3_error(put(http, presign_put(s3, expires_in=0))) == (403, "AccessDenied", "Request has expired")


# -- keys and parameters ---------------------------------------------------------------------------------


def test_unknown_access_key_is_invalid_access_key_id(s3: S3Service, http: httpx.Client) -> None:
    url = presign_put(s3)
    credential = dict(parse_qsl(urlsplit(url).query))["X-Amz-Credential"]
    response = put(
        http, with_param(url, "X-Amz-Credential", credential.replace(s3.settings.access_key, "AKIAUNKNOWN0000000"))
    )
    assert s3_error(response) == (
        403,
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
    )
    assert error_detail(response, "AWSAccessKeyId") == "AKIAUNKNOWN0000000"


def test_configured_access_key_and_secret_are_used(clock: Clock) -> None:
    from s3_support import client_for

    from mockservers.config import S3Settings

    service = S3Service(S3Settings(access_key="AKIACUSTOM", secret_key="custom-secret"), clock, "http://testserver")
    service.ensure_bucket(BUCKET, REGION)
    url = service.presign_put(bucket=BUCKET, key="k", expires_in=60, region=REGION, headers={})
    assert "X-Amz-Credential=AKIACUSTOM%2F" in url
    with client_for(service.app) as http:
        assert http.put(url, content=b"x").status_code == 200


def test_no_auth_on_a_private_bucket_is_access_denied(s3: S3Service, http: httpx.Client) -> None:
    s3.put_bytes(BUCKET, "cv.pdf", PDF)
    assert s3_error(http.get(f"/s3/{BUCKET}/cv.pdf")) == (403, "AccessDenied", "Access Denied")
    assert s3_error(http.put(f"/s3/{BUCKET}/cv.pdf", content=b"x")) == (403, "AccessDenied", "Access Denied")


def test_missing_v4_parameter_is_a_400(s3: S3Service, http: httpx.Client) -> None:
    response = put(http, without_param(presign_put(s3), "X-Amz-Date"))
    assert s3_error(response) == (
        400,
        "AuthorizationQueryParametersError",
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, "
        "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    )


def test_wrong_region_is_a_400_naming_the_bucket_region(s3: S3Service, http: httpx.Client) -> None:
    url = s3.presign_put(bucket=BUCKET, key="k", expires_in=60, region="us-east-1", headers={})
    response = http.put(url, content=b"x")
    assert s3_error(response) == (
        400,
        "AuthorizationQueryParametersError",
        "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'ap-southeast-2'",
    )
    assert error_detail(response, "Region") == REGION


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA1", 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'),
        (
            "X-Amz-Date",
            "2030-01-01T00:00:00Z",
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
        ),
        (
            "X-Amz-Credential",
            "AKIAATSMOCKLOCALS3ID/20300101/ap-southeast-2/s3",
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        ),
        (
            "X-Amz-Credential",
            "AKIAATSMOCKLOCALS3ID/20300101/ap-southeast-2/sqs/aws4_request",
            'Error parsing the X-Amz-Credential parameter; incorrect service "sqs". This endpoint belongs to "s3".',
        ),
        (
            "X-Amz-Credential",
            "AKIAATSMOCKLOCALS3ID/20300102/ap-southeast-2/s3/aws4_request",
            'Invalid credential date "20300102". This date is not the same as X-Amz-Date: "20300101".',
        ),
    ],
)
def test_malformed_auth_parameters_are_a_400(
    s3: S3Service, http: httpx.Client, param: str, value: str, message: str
) -> None:
    response = put(http, with_param(presign_put(s3), param, value))
    assert s3_error(response) == (400, "AuthorizationQueryParametersError", message)


def test_query_and_header_auth_together_is_invalid_argument(s3: S3Service, http: httpx.Client) -> None:
    response = put(http, presign_put(s3), {**SIGNED, "authorization": "AWS4-HMAC-SHA256 Credential=x"})
    assert s3_error(response)[:2] == (400, "InvalidArgument")


def test_header_auth_is_not_emulated(s3: S3Service, http: httpx.Client) -> None:
    response = http.get(f"/s3/{BUCKET}/cv.pdf", headers={"authorization": "AWS4-HMAC-SHA256 Credential=x"})
    assert s3_error(response) == (
        501,
        "NotImplemented",
        "A header you provided implies functionality that is not implemented",
    )


def test_url_is_absolute_path_style_and_signs_the_mount_prefix(s3: S3Service) -> None:
    url = presign_put(s3)
    assert re.fullmatch(rf"http://testserver/s3/{BUCKET}/cv\.pdf\?X-Amz-Algorithm=AWS4-HMAC-SHA256&.+", url)
