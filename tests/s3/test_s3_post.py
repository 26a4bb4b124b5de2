"""Presigned POST (browser-form uploads with a policy document, as Ashby hands out), checked as S3 checks it."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from s3_support import BUCKET, REGION, SMALL_BUCKET, SMALL_LIMIT, error_detail, s3_error

from mockservers.core.clock import Clock
from mockservers.s3 import S3Service
from mockservers.s3.errors import SIGNATURE_MISMATCH

PDF = b"%PDF-1.4 form upload\n" * 5
KEY = "CandidateFiles/42/cv.pdf"


def presign(
    s3: S3Service, key: str = KEY, expires_in: int = 600, bucket: str = BUCKET, **kwargs: Any
) -> tuple[str, dict[str, str]]:
    fields = kwargs.pop("fields", {"Content-Type": "application/pdf"})
    conditions = kwargs.pop(
        "conditions", [{"Content-Type": "application/pdf"}, ["content-length-range", len(PDF), len(PDF)]]
    )
    return s3.presign_post(
        bucket=bucket, key=key, expires_in=expires_in, region=REGION, fields=fields, conditions=conditions
    )


def post(
    http: httpx.Client, url: str, fields: dict[str, str], data: bytes = PDF, name: str = "cv.pdf"
) -> httpx.Response:
    return http.post(url, data=fields, files={"file": (name, data, "application/pdf")})


def multipart(parts: list[tuple[str, str | bytes]], boundary: str = "atsmock-boundary") -> tuple[bytes, dict[str, str]]:
    """A form body with the parts in exactly this order (``bytes`` values are sent as the file)."""
    out = b""
    for name, value in parts:
        if isinstance(value, bytes):
            head = f'Content-Disposition: form-data; name="{name}"; filename="cv.pdf"\r\nContent-Type: application/pdf'
            out += f"--{boundary}\r\n{head}\r\n\r\n".encode() + value + b"\r\n"
        else:
            out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    out += f"--{boundary}--\r\n".encode()
    return out, {"content-type": f"multipart/form-data; boundary={boundary}"}


def policy_of(fields: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(fields["policy"])))


def resign(s3: S3Service, fields: dict[str, str], policy: dict[str, Any]) -> dict[str, str]:
    """The fields with a changed policy, correctly signed (to test the policy rules, not the signature)."""
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    auth = s3.signer().query_auth(s3.settings.access_key, s3.settings.secret_key, REGION)
    return {**fields, "policy": encoded, "x-amz-signature": auth.sign_policy(fields["x-amz-date"][:8], encoded)}


# -- success ---------------------------------------------------------------------------------------------


def test_post_with_the_policy_fields_and_the_file_last_is_204(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    assert url == f"http://testserver/s3/{BUCKET}"
    response = post(http, url, fields)
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["location"] == f"http://testserver/s3/{BUCKET}/CandidateFiles/42/cv.pdf"
    assert response.headers["etag"].startswith('"')
    info = s3.head_object(BUCKET, KEY)
    assert info is not None and (info.size, info.content_type) == (len(PDF), "application/pdf")
    assert s3.get_bytes(BUCKET, KEY) == PDF


def test_success_action_status_201_answers_post_response_xml(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3, conditions=[{"Content-Type": "application/pdf"}, {"success_action_status": "201"}])
    response = post(http, url, {**fields, "success_action_status": "201"})
    assert response.status_code == 201
    assert (
        b"<PostResponse><Location>http://testserver/s3/atsmock-test/CandidateFiles/42/cv.pdf</Location>"
        in response.content
    )
    assert f"<Key>{KEY}</Key>".encode() in response.content


def test_success_action_status_200_is_empty(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(
        s3, conditions=[["starts-with", "$success_action_status", ""], ["starts-with", "$Content-Type", ""]]
    )
    response = post(http, url, {**fields, "success_action_status": "200"})
    assert (response.status_code, response.content) == (200, b"")


def test_success_action_redirect_is_303_with_bucket_key_etag(s3: S3Service, http: httpx.Client) -> None:
    done = "https://app.example/done?x=1"
    url, fields = presign(
        s3, conditions=[{"success_action_redirect": done}, ["starts-with", "$Content-Type", "application/"]]
    )
    response = post(http, url, {**fields, "success_action_redirect": done})
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.netloc == "app.example"
    query = parse_qs(location.query)
    assert (query["x"], query["bucket"], query["key"]) == (["1"], [BUCKET], [KEY])
    assert query["etag"][0].startswith('"')


def test_filename_placeholder_takes_the_uploaded_name(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3, key="uploads/${filename}", conditions=[["starts-with", "$Content-Type", ""]])
    assert policy_of(fields)["conditions"][2] == ["starts-with", "$key", "uploads/"]
    assert post(http, url, fields, name="Mein Lebenslauf.pdf").status_code == 204
    assert s3.get_bytes(BUCKET, "uploads/Mein Lebenslauf.pdf") == PDF


@pytest.mark.parametrize(
    ("disposition", "stored"),
    [
        ('filename="文件.pdf"'.encode(), "文件.pdf"),  # RFC 7578: raw UTF-8, as browsers, curl and httpx send it
        ('filename="cv🚀.pdf"'.encode(), "cv🚀.pdf"),
        (b"filename*=UTF-8''%E6%96%87%E4%BB%B6.pdf", "文件.pdf"),  # RFC 5987, as urllib3 1.x (old requests) sends it
        (b"filename=\"cv.pdf\"; filename*=UTF-8''cv%F0%9F%9A%80.pdf", "cv🚀.pdf"),  # both: the extended one wins
        (b'filename="C:\\Users\\me\\cv.pdf"', "cv.pdf"),  # an old browser's whole path
    ],
)
def test_a_utf8_or_rfc5987_file_name_fills_the_filename_placeholder(
    s3: S3Service, http: httpx.Client, disposition: bytes, stored: str
) -> None:
    url, fields = presign(s3, key="uploads/${filename}", conditions=[["starts-with", "$Content-Type", ""]])
    boundary = b"atsmock-boundary"
    body = b"".join(
        b"--"
        + boundary
        + b'\r\nContent-Disposition: form-data; name="'
        + k.encode()
        + b'"\r\n\r\n'
        + v.encode()
        + b"\r\n"
        for k, v in fields.items()
    )
    body += b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; ' + disposition
    body += b"\r\nContent-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--" + boundary + b"--\r\n"
    response = http.post(
        url, content=body, headers={"content-type": f"multipart/form-data; boundary={boundary.decode()}"}
    )
    assert (response.status_code, response.content) == (204, b"")
    assert s3.get_bytes(BUCKET, f"uploads/{stored}") == PDF
    download = http.get(s3.presign_get(bucket=BUCKET, key=f"uploads/{stored}", expires_in=60, region=REGION))
    assert (download.status_code, download.content) == (200, PDF)


def test_meta_acl_and_sse_fields_are_stored_when_the_policy_allows_them(s3: S3Service, http: httpx.Client) -> None:
    extra = {"x-amz-meta-candidate": "42", "acl": "private", "x-amz-server-side-encryption": "aws:kms"}
    conditions = [{"Content-Type": "application/pdf"}, *({k: v} for k, v in extra.items())]
    url, fields = presign(s3, conditions=conditions)
    assert post(http, url, {**fields, **extra}).status_code == 204
    info = s3.head_object(BUCKET, KEY)
    assert info is not None
    assert (info.metadata, info.acl, info.server_side_encryption) == ({"candidate": "42"}, "private", "aws:kms")


# -- expiration and signature ----------------------------------------------------------------------------


def test_policy_valid_until_its_expiration(s3: S3Service, http: httpx.Client, clock: Clock) -> None:
    url, fields = presign(s3, expires_in=600)
    clock.advance(600)
    assert post(http, url, fields).status_code == 204


def test_expired_policy_is_access_denied(s3: S3Service, http: httpx.Client, clock: Clock) -> None:
    url, fields = presign(s3, expires_in=600)
    clock.advance(601)
    assert s3_error(post(http, url, fields)) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    assert s3.head_object(BUCKET, KEY) is None


def test_policy_presigned_already_expired(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3, expires_in=-1)
    assert s3_error(post(http, url, fields)) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")


def test_tampered_signature_is_signature_does_not_match(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    signature = fields["x-amz-signature"]
    response = post(http, url, {**fields, "x-amz-signature": ("f" if signature[0] != "f" else "e") + signature[1:]})
    assert s3_error(response) == (403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH)
    assert error_detail(response, "StringToSign") == fields["policy"]


def test_policy_changed_after_signing_is_signature_does_not_match(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    policy = policy_of(fields)
    policy["conditions"][1] = ["content-length-range", 0, 10**9]
    forged = base64.b64encode(json.dumps(policy).encode()).decode()
    assert s3_error(post(http, url, {**fields, "policy": forged}))[:2] == (403, "SignatureDoesNotMatch")


def test_unknown_access_key_is_invalid_access_key_id(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    credential = fields["x-amz-credential"].replace(s3.settings.access_key, "AKIANOBODY")
    assert s3_error(post(http, url, {**fields, "x-amz-credential": credential}))[:2] == (403, "InvalidAccessKeyId")


def test_form_without_signature_is_access_denied(s3: S3Service, http: httpx.Client) -> None:
    response = post(http, f"/s3/{BUCKET}", {"key": KEY, "Content-Type": "application/pdf"})
    assert s3_error(response) == (403, "AccessDenied", "Access Denied")


def test_v2_policy_signature_is_verified(s3: S3Service, http: httpx.Client) -> None:
    from mockservers.s3.signing import sigv2_policy_signature

    url, v4 = presign(s3)
    policy = {**policy_of(v4), "conditions": [{"bucket": BUCKET}, {"key": KEY}, {"Content-Type": "application/pdf"}]}
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    credentials = s3.signer().credentials(s3.settings.access_key, s3.settings.secret_key)
    fields = {
        "key": KEY,
        "Content-Type": "application/pdf",
        "AWSAccessKeyId": s3.settings.access_key,
        "policy": encoded,
        "signature": sigv2_policy_signature(credentials, encoded),
    }
    assert post(http, url, fields).status_code == 204
    assert s3_error(post(http, url, {**fields, "signature": "AAAA" + fields["signature"][4:]}))[:2] == (
        403,
        "SignatureDoesNotMatch",
    )


# -- conditions -------------------------------------------------------------------------------------------


def test_exact_match_condition_failure_is_quoted_as_eq(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    response = post(http, url, {**fields, "Content-Type": "text/html"})
    assert s3_error(response) == (
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "application/pdf"]',
    )


def test_eq_condition(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3, conditions=[["eq", "$Content-Type", "application/pdf"], ["eq", "$x-amz-meta-a", "1"]])
    assert post(http, url, {**fields, "x-amz-meta-a": "1"}).status_code == 204
    assert s3_error(post(http, url, {**fields, "x-amz-meta-a": "2"}))[2] == (
        'Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-a", "1"]'
    )


def test_starts_with_condition(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3, key="uploads/a.pdf", conditions=[["starts-with", "$Content-Type", "application/"]])
    assert post(http, url, fields).status_code == 204
    assert s3_error(post(http, url, {**fields, "Content-Type": "text/plain"}))[2] == (
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "application/"]'
    )


def test_key_condition(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    assert s3_error(post(http, url, {**fields, "key": "elsewhere/cv.pdf"}))[2] == (
        f'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "{KEY}"]'
    )


def test_bucket_condition_names_the_bucket_of_the_url(s3: S3Service, http: httpx.Client) -> None:
    _, fields = presign(s3)
    s3.ensure_bucket("atsmock-other", REGION)
    assert s3_error(post(http, "/s3/atsmock-other", fields))[2] == (
        f'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "{BUCKET}"]'
    )


def test_field_names_match_conditions_case_insensitively(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    fields["content-type"] = fields.pop("Content-Type")
    assert post(http, url, fields).status_code == 204


def test_extra_input_field_is_access_denied(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    response = post(http, url, {**fields, "x-amz-meta-note": "hi", "Cache-Control": "no-cache"})
    assert s3_error(response) == (
        403,
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-note, cache-control",
    )


def test_x_ignore_fields_need_no_condition(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    assert post(http, url, {**fields, "x-ignore-tracking": "1"}).status_code == 204


def test_content_length_range(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    too_large = post(http, url, fields, PDF + b"x")
    assert s3_error(too_large) == (400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
    assert (error_detail(too_large, "ProposedSize"), error_detail(too_large, "MaxSizeAllowed")) == (
        str(len(PDF) + 1),
        str(len(PDF)),
    )
    too_small = post(http, url, fields, PDF[:-1])
    assert s3_error(too_small) == (
        400,
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed size",
    )
    assert error_detail(too_small, "MinSizeAllowed") == str(len(PDF))
    assert s3.head_object(BUCKET, KEY) is None
    assert post(http, url, fields).status_code == 204


def test_bucket_size_limit_applies_to_posts(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3, bucket=SMALL_BUCKET, conditions=[["starts-with", "$Content-Type", ""]])
    response = post(http, url, fields, b"x" * (SMALL_LIMIT + 1))
    assert s3_error(response)[:2] == (400, "EntityTooLarge")
    assert error_detail(response, "MaxSizeAllowed") == str(SMALL_LIMIT)
    assert post(http, url, fields, b"x" * SMALL_LIMIT).status_code == 204


# -- the form itself ------------------------------------------------------------------------------------


def test_fields_after_the_file_are_ignored(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    before = [(k, v) for k, v in fields.items() if k != "key"]
    body, headers = multipart([*before, ("file", PDF), ("key", fields["key"])])
    response = http.post(url, content=body, headers=headers)
    assert s3_error(response) == (
        400,
        "InvalidArgument",
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
    )
    assert error_detail(response, "ArgumentName") == "key"


def test_file_last_in_a_hand_built_form_is_accepted(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    body, headers = multipart([*fields.items(), ("file", PDF), ("x-amz-meta-late", "ignored")])
    assert http.post(url, content=body, headers=headers).status_code == 204
    info = s3.head_object(BUCKET, KEY)
    assert info is not None and info.metadata == {}


def test_form_without_a_file(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    response = http.post(url, data=fields, files={"other": ("x", b"y")})
    assert s3_error(response) == (400, "InvalidArgument", "POST requires exactly one file upload per request.")


def test_post_must_be_multipart(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    response = http.post(url, data=fields)
    assert s3_error(response) == (
        400 + 12,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    )
    assert error_detail(response, "Condition") == "Bucket POST must be of the enclosure-type multipart/form-data"


def test_truncated_form_is_malformed(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    body, headers = multipart([*fields.items(), ("file", PDF)])
    response = http.post(url, content=body[: len(body) - 10], headers=headers)
    assert s3_error(response)[:2] == (400, "MalformedPOSTRequest")


def test_oversized_fields_before_the_file(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    response = post(http, url, {**fields, "x-ignore-padding": "x" * 30_000})
    assert s3_error(response) == (
        400,
        "MaxPostPreDataLengthExceeded",
        "Your POST request fields preceding the upload file were too large.",
    )


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"conditions": []}, "Invalid Policy: Policy missing expiration."),
        ({"expiration": "2031-01-01T00:00:00Z"}, "Invalid Policy: Policy missing conditions."),
        ({"expiration": "tomorrow", "conditions": []}, "Invalid Policy: Invalid 'expiration' value: 'tomorrow'"),
        (
            {"expiration": "2031-01-01T00:00:00Z", "conditions": {}},
            "Invalid Policy: Invalid 'conditions' value: must be a List.",
        ),
        (
            {"expiration": "2031-01-01T00:00:00Z", "conditions": [["content-length-range", 0, float("inf")]]},
            "Invalid Policy: Invalid content-length-range: expecting two non-negative integers, min <= max.",
        ),
        (
            {"expiration": "2031-01-01T00:00:00Z", "conditions": [["content-length-range", 0.5, 10]]},
            "Invalid Policy: Invalid content-length-range: expecting two non-negative integers, min <= max.",
        ),
        (
            {"expiration": "2031-01-01T00:00:00Z", "conditions": [["content-length-range", True, 10]]},
            "Invalid Policy: Invalid content-length-range: expecting two non-negative integers, min <= max.",
        ),
    ],
)
def test_malformed_policy_is_invalid_policy_document(
    s3: S3Service, http: httpx.Client, policy: dict[str, Any], message: str
) -> None:
    url, fields = presign(s3)
    response = post(http, url, resign(s3, fields, policy))
    assert s3_error(response) == (400, "InvalidPolicyDocument", message)


def test_a_signed_policy_nested_too_deeply_is_invalid_json(s3: S3Service, http: httpx.Client) -> None:
    """Signed with the mock's well-known secret, so the policy itself is judged: S3's "Invalid JSON.", not the
    MalformedPOSTRequest the parser's RecursionError became."""
    url, fields = presign(s3)
    document = b'{"expiration": "2031-01-01T00:00:00Z", "conditions": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    encoded = base64.b64encode(document).decode()
    auth = s3.signer().query_auth(s3.settings.access_key, s3.settings.secret_key, REGION)
    signed = {**fields, "policy": encoded, "x-amz-signature": auth.sign_policy(fields["x-amz-date"][:8], encoded)}
    response = post(http, url, signed)
    assert s3_error(response) == (400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")


def test_post_to_an_unknown_bucket_is_no_such_bucket(s3: S3Service, http: httpx.Client) -> None:
    _, fields = presign(s3)
    assert s3_error(post(http, "/s3/atsmock-nope", fields))[:2] == (404, "NoSuchBucket")


def test_content_length_range_bounds_may_be_strings(s3: S3Service, http: httpx.Client) -> None:
    url, fields = presign(s3)
    policy = policy_of(fields)
    policy["conditions"][1] = ["content-length-range", str(len(PDF)), str(len(PDF))]
    signed = resign(s3, fields, policy)
    assert s3_error(post(http, url, signed, PDF + b"x"))[:2] == (400, "EntityTooLarge")
    assert post(http, url, signed).status_code == 204
