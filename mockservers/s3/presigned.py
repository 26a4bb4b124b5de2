"""Verifying query-string authentication (presigned URLs), SigV4 and SigV2, the way S3 does.

``authenticate`` either returns who signed the request or raises the ``S3Error`` S3 would answer.
Checks run in S3's order as far as it shows: parameters present and well-formed (400
AuthorizationQueryParametersError), access key known (403 InvalidAccessKeyId), not expired
(403 AccessDenied "Request has expired"), every ``x-amz-*`` header signed (403 AccessDenied), and
finally the signature recomputed as botocore computes it over what was actually sent (403
SignatureDoesNotMatch, with the canonical request and string to sign in the body as S3 gives them).
Expiry reads only the mock clock.
"""

from __future__ import annotations

import calendar
import functools
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockservers.s3 import errors
from mockservers.s3.errors import S3Error
from mockservers.s3.request import S3Request

if TYPE_CHECKING:
    from mockservers.s3.signing import Signer

V4_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)
V2_PARAMS = ("AWSAccessKeyId", "Signature", "Expires")
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
MAX_EXPIRES = 604800
"""Seven days: the longest a SigV4 presigned URL may live."""

_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_EPOCH_RANGE = (-62135596800.0, 253402300799.0)
"""0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z: what an error body can show (a SigV2 ``Expires`` may be anything)."""
_CREDENTIAL_DATE = re.compile(r"\d{8}")
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class Authenticated:
    """Who signed a request, and which headers the signature covers (empty for SigV2, which has no list)."""

    access_key: str
    version: int
    signed_headers: frozenset[str] = frozenset()


def iso_time(epoch: float) -> str:
    """``yyyy-MM-ddTHH:mm:ssZ``, clamped to years 1..9999."""
    t = time.gmtime(min(max(epoch, _EPOCH_RANGE[0]), _EPOCH_RANGE[1]))
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}Z"


def authenticate(
    request: S3Request, signer: Signer, secrets: Mapping[str, str], now: float, bucket_region: str
) -> Authenticated:
    """Verify the request's presigned query; without one, a private bucket answers 403 AccessDenied."""
    params = request.params
    has_v4 = any(name in params for name in V4_PARAMS)
    has_v2 = "AWSAccessKeyId" in params or "Signature" in params
    authorization = request.header("authorization")
    if (has_v4 or has_v2) and authorization is not None:
        raise errors.invalid_argument(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
            "parameter or the Authorization header should be specified",
            "Authorization",
            authorization,
        )
    if has_v4:
        return verify_sigv4(request, signer, secrets, now, bucket_region)
    if has_v2:
        return verify_sigv2(request, signer, secrets, now)
    if authorization is not None:
        # Header authentication is not emulated: presigned requests are what vendors hand out.
        raise errors.not_implemented("Authorization")
    raise errors.access_denied()


def verify_sigv4(
    request: S3Request, signer: Signer, secrets: Mapping[str, str], now: float, bucket_region: str
) -> Authenticated:
    params = request.params
    if any(name not in params for name in V4_PARAMS):
        raise errors.query_parameters_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
    if params["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        raise errors.query_parameters_error('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    access_key, date, region = parse_credential(params["X-Amz-Credential"], bucket_region)
    amz_date = params["X-Amz-Date"]
    signed_at = parse_amz_date(amz_date)
    if signed_at is None:
        raise errors.query_parameters_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    expires = parse_expires(params["X-Amz-Expires"])
    if date != amz_date[:8]:
        raise errors.query_parameters_error(
            f'Invalid credential date "{date}". This date is not the same as X-Amz-Date: "{amz_date[:8]}".'
        )
    secret = secrets.get(access_key)
    if secret is None:
        raise errors.invalid_access_key(access_key)
    if now >= signed_at + expires:
        raise errors.access_denied(
            "Request has expired",
            {
                "X-Amz-Expires": str(expires),
                "Expires": iso_time(signed_at + expires),
                "ServerTime": iso_time(now),
            },
        )
    signed_list = params["X-Amz-SignedHeaders"]
    signed = frozenset(name.strip().lower() for name in signed_list.split(";") if name.strip())
    unsigned = sorted({name for name, _ in request.headers if name.startswith("x-amz-") and name not in signed})
    if "host" not in signed:
        unsigned.insert(0, "host")
    if unsigned:
        raise errors.access_denied(
            "There were headers present in the request which were not signed",
            {"HeadersNotSigned": ", ".join(unsigned)},
        )
    from mockservers.s3.signing import canonical_header_block, canonical_query

    values = [(name, value) for name, value in request.headers if name in signed]
    present = {name for name, _ in values}
    values.extend((name, "") for name in signed - present)
    payload = UNSIGNED_PAYLOAD
    if "x-amz-content-sha256" in signed:
        payload = request.header("x-amz-content-sha256") or ""
    canonical_request = "\n".join(
        (
            request.method,
            request.canonical_uri,
            canonical_query([(k, v) for k, v in request.query if k != "X-Amz-Signature"]),
            canonical_header_block(values) + "\n",
            signed_list,
            payload,
        )
    )
    string_to_sign, expected = signer.sign_string(secret, region, amz_date, canonical_request)
    provided = params["X-Amz-Signature"]
    if not hmac.compare_digest(expected.encode(), provided.encode("utf-8", "replace")):
        raise signature_mismatch(access_key, string_to_sign, provided, canonical_request)
    return Authenticated(access_key, 4, signed)


def verify_sigv2(request: S3Request, signer: Signer, secrets: Mapping[str, str], now: float) -> Authenticated:
    params = request.params
    if any(name not in params for name in V2_PARAMS):
        raise errors.access_denied(
            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
        )
    access_key = params["AWSAccessKeyId"]
    secret = secrets.get(access_key)
    if secret is None:
        raise errors.invalid_access_key(access_key)
    raw_expires = params["Expires"]
    try:
        expires = parse_integer(raw_expires)
    except ValueError:
        raise errors.access_denied(f"Invalid date (should be seconds since epoch): {raw_expires}") from None
    if now > expires:
        raise errors.access_denied("Request has expired", {"Expires": iso_time(expires), "ServerTime": iso_time(now)})
    from mockservers.s3.signing import sigv2_string_to_sign

    credentials = signer.credentials(access_key, secret)
    string_to_sign, expected = sigv2_string_to_sign(
        credentials, request.method, request.resource, request.raw_query, request.headers, raw_expires
    )
    provided = params["Signature"]
    if not hmac.compare_digest(expected.encode(), provided.encode("utf-8", "replace")):
        raise signature_mismatch(access_key, string_to_sign, provided)
    return Authenticated(access_key, 2)


def parse_credential(credential: str, bucket_region: str) -> tuple[str, str, str]:
    """(access key, date, region) from ``AKID/yyyyMMdd/region/s3/aws4_request``, or S3's 400."""
    prefix = "Error parsing the X-Amz-Credential parameter; "
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts):
        raise errors.query_parameters_error(
            prefix + 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
        )
    access_key, date, region, service, terminal = parts
    if not _CREDENTIAL_DATE.fullmatch(date) or _parse_time(date, "%Y%m%d") is None:
        raise errors.query_parameters_error(
            prefix + f'incorrect date format "{date}". This date in the credential must be in the format "yyyyMMdd".'
        )
    if region != bucket_region:
        raise errors.query_parameters_error(
            prefix + f"the region '{region}' is wrong; expecting '{bucket_region}'", {"Region": bucket_region}
        )
    if service != "s3":
        raise errors.query_parameters_error(prefix + f'incorrect service "{service}". This endpoint belongs to "s3".')
    if terminal != "aws4_request":
        raise errors.query_parameters_error(
            prefix + f'incorrect terminal "{terminal}". This endpoint uses "aws4_request".'
        )
    return access_key, date, region


def parse_amz_date(value: str) -> float | None:
    """Epoch seconds of an ``X-Amz-Date`` (``yyyyMMdd'T'HHmmss'Z'``), None when malformed."""
    if not _AMZ_DATE.fullmatch(value):
        return None
    return _parse_time(value, "%Y%m%dT%H%M%SZ")


def parse_integer(value: str) -> int:
    """An integer as S3's Java parser reads one: optional sign, ASCII digits, nothing else.

    Python's ``int`` would also take spaces, ``1_0`` and non-ASCII digits, which S3 refuses.
    """
    if _INTEGER.fullmatch(value) is None:
        raise ValueError(value)
    return int(value)


def parse_expires(value: str) -> int:
    """``X-Amz-Expires`` as seconds; S3's 400 when not a number, negative or over a week.

    Zero is accepted here and then fails as expired, as S3 answers a URL presigned for 0 seconds.
    """
    try:
        expires = parse_integer(value)
    except ValueError:
        raise errors.query_parameters_error("X-Amz-Expires should be a number") from None
    if expires < 0:
        raise errors.query_parameters_error("X-Amz-Expires must be non-negative")
    if expires > MAX_EXPIRES:
        raise errors.query_parameters_error(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
            "less than 604800 seconds"
        )
    return expires


def signature_mismatch(
    access_key: str, string_to_sign: str, provided: str, canonical_request: str | None = None
) -> S3Error:
    """403 SignatureDoesNotMatch with what S3 shows to help debugging: the strings it signed, and their bytes."""
    details = {
        "AWSAccessKeyId": access_key,
        "StringToSign": string_to_sign,
        "SignatureProvided": provided,
        "StringToSignBytes": _hex_bytes(string_to_sign),
    }
    if canonical_request is not None:
        details["CanonicalRequest"] = canonical_request
        details["CanonicalRequestBytes"] = _hex_bytes(canonical_request)
    return S3Error(403, "SignatureDoesNotMatch", errors.SIGNATURE_MISMATCH, details)


def _hex_bytes(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode())


@functools.lru_cache(maxsize=256)
def _parse_time(value: str, fmt: str) -> float | None:
    # Remembered: every presigned request carries a credential date and an X-Amz-Date, and strptime costs ~6 us.
    try:
        return float(calendar.timegm(time.strptime(value, fmt)))
    except ValueError:
        return None
