"""HMAC request signatures, checked as the api_auth gem checks them (the scheme Clinch's API uses).

Sources (``shared/vendors.md`` §4): Clinch's Knowledge Portal and support pages, the ClinchIO Ruby
client (``hmac_signing_middleware.rb``) and the api_auth gem (``lib/api_auth/base.rb``,
``headers.rb``, ``request_drivers/grape_request.rb``).

- ``Authorization: APIAuth <access id>:<signature>``, or ``APIAuth-HMAC-<DIGEST>`` (MD5, SHA1, SHA224,
  SHA256, SHA384, SHA512; bare ``APIAuth`` is SHA1), also read from ``X-HMAC-Authorization`` and
  ``X-Authorization``, which win (the gem's Grape driver order).
- signature = Base64(HMAC(secret, canonical string)); the canonical string is
  ``content-type,content-MD5,request-URI,timestamp`` (the Ruby and Node clients, the older docs) or
  the same with the HTTP method in front (the current docs, api_auth ≥ 2): both verify.
- Content type and MD5 come from ``X-HMAC-Content-Type`` / ``X-HMAC-Content-MD5`` (then ``X-Content-*``)
  before the plain headers; the timestamp from ``X-HMAC-Date``, ``X-Date``, then ``Date``, an HTTP-date
  within ±``clock_skew_seconds`` (900) of the mock clock, compared strictly as the gem does.
- A Content-MD5 that is present but does not match the body fails.
- api_auth 2.5 (its current release) sends ``X-Authorization-Content-SHA256`` (Base64 SHA-256 of the
  body) instead of Content-MD5 and signs it in the same slot of the canonical string; that verifies
  too, and a present but wrong one fails likewise.
- ``X-Original-URI`` (or ``X-HMAC-Original-URI``), when sent, is the request URI signed, in place of
  the one received (api_auth ≥ 2.2's ``original_uri``, for requests rewritten by a proxy).
- The request URI is the path and query as received on the wire (ASGI ``raw_path`` + ``?`` +
  ``query_string``), so an unmodified signer pointed at ``http://HOST:PORT/clinch/v1`` signs
  ``/clinch/v1/candidates``. The same URI without the mount prefix (``/v1/candidates``, what a
  signer computes when it is handed the vendor's own paths) verifies too.

Every failure is a 401 whose detail says which rule failed (and, for a wrong signature, the
canonical strings the mock signed), so a broken signer is found in a minute.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any
from urllib.parse import quote

from mockservers.clinch.settings import ClinchSettings
from mockservers.core import errors as kinds
from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError

AUTH_HEADER = re.compile(r"APIAuth(?:-HMAC-(MD5|SHA(?:1|224|256|384|512)?))? ([^:]+):(.+)")
"""The gem's ``AUTH_HEADER_PATTERN``, anchored at both ends (the gem's is anchored only at the end)."""

DIGESTS: Mapping[str, Callable[..., Any]] = {
    "MD5": hashlib.md5,
    "SHA1": hashlib.sha1,
    "SHA224": hashlib.sha224,
    "SHA256": hashlib.sha256,
    "SHA384": hashlib.sha384,
    "SHA512": hashlib.sha512,
}

AUTHORIZATION_HEADERS = ("x-hmac-authorization", "x-authorization", "authorization")
CONTENT_TYPE_HEADERS = ("x-hmac-content-type", "x-content-type", "content-type")
CONTENT_MD5_HEADERS = ("x-hmac-content-md5", "x-content-md5", "content-md5")
DATE_HEADERS = ("x-hmac-date", "x-date", "date")
ORIGINAL_URI_HEADERS = ("x-hmac-original-uri", "x-original-uri")
"""api_auth ≥ 2.2 (#137) signs ``original_uri || request_uri``: the ``X-Original-URI`` header a proxy sets
(the Grape driver also reads ``X-HMAC-Original-URI``, first), when present even empty, instead of the URI."""
CONTENT_SHA256_HEADER = "x-authorization-content-sha256"
"""api_auth ≥ 2.5's content hash (``headers.rb`` ``content_hash``, PR #188), in Content-MD5's place."""

_HOST = re.compile(r"https?://[^,?/]*")
"""api_auth's ``URI_WITHOUT_HOST_REGEXP``: removed wherever it occurs in the request URI (the gem does)."""


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a signature covers: the method, the request URIs it may have been computed over (the
    wire's first), the headers (lower-case names, latin-1 values as ASGI hands them over) and the body."""

    method: str
    uris: tuple[str, ...]
    headers: Mapping[str, str]
    body: bytes


def request_uris(scope: Mapping[str, Any]) -> tuple[str, ...]:
    """The request URI as received (``raw_path?query_string``) and, under a mount prefix, without it."""
    raw = scope.get("raw_path") or quote(str(scope.get("path", "/"))).encode()
    query = scope.get("query_string", b"")
    uri = raw.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
    uris = [canonical_uri(uri)]
    root = str(scope.get("root_path", ""))
    if root and uri.startswith(root + "/"):
        uris.append(canonical_uri(uri[len(root) :]))
    return tuple(uris)


def canonical_uri(uri: str) -> str:
    """api_auth's ``parse_uri``: scheme and host removed, ``/`` when nothing is left."""
    return _HOST.sub("", uri) or "/"


def canonical_strings(method: str, content_type: str, content_md5: str, uri: str, timestamp: str) -> tuple[str, str]:
    """The canonical string without the method (the Ruby and Node clients) and with it (api_auth ≥ 2)."""
    rest = f"{content_type},{content_md5},{uri},{timestamp}"
    return rest, f"{method.upper()},{rest}"


def signature(secret: str, canonical: str, digest: str = "SHA1") -> str:
    """Base64(HMAC-<digest>(secret, canonical string)), over the canonical string's latin-1 bytes."""
    mac = hmac.new(secret.encode("utf-8"), canonical.encode("latin-1", "replace"), DIGESTS[digest])
    return base64.b64encode(mac.digest()).decode("ascii")


def content_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")


def content_sha256(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def first_header(headers: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((headers[n] for n in names if n in headers), None)


# -- HTTP-date (Ruby's Time.httpdate, which the gem's time window parses with) ----------------------

_MONTHS = {m: i for i, m in enumerate(("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC").split(), 1)}
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_RFC1123 = re.compile(
    rf"\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{{2}}) {_MONTH} (\d{{4}}) (\d{{2}}):(\d{{2}}):(\d{{2}}) GMT\s*", re.I
)
_RFC850 = re.compile(
    rf"\s*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d\d)-{_MONTH}-(\d\d) "
    r"(\d\d):(\d\d):(\d\d) GMT\s*",
    re.I,
)
_ASCTIME = re.compile(
    rf"\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) {_MONTH} (\d\d| \d) (\d\d):(\d\d):(\d\d) (\d{{4}})\s*", re.I
)


def parse_http_date(value: str) -> float | None:
    """Epoch seconds of an RFC 1123, RFC 850 or asctime date (what Ruby's ``Time.httpdate`` reads), or None.

    As in Ruby, the weekday is not checked against the date; an impossible date (31 Feb) is None.
    """
    if match := _RFC1123.fullmatch(value):
        day, month, year, hh, mm, ss = match.groups()
    elif match := _RFC850.fullmatch(value):
        day, month, short_year, hh, mm, ss = match.groups()
        year = str(int(short_year) + (2000 if int(short_year) < 50 else 1900))
    elif match := _ASCTIME.fullmatch(value):
        month, day, hh, mm, ss, year = match.groups()
    else:
        return None
    fields = (int(year), _MONTHS[month.upper()], int(day), int(hh), int(mm), int(ss))
    if fields[0] < 1 or not 1 <= fields[2] <= calendar.monthrange(fields[0], fields[1])[1]:
        return None
    if fields[3] > 23 or fields[4] > 59 or fields[5] > 60:  # 60: a leap second, as Ruby's Time accepts
        return None
    return float(calendar.timegm((*fields, 0, 0, 0)))


def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


# -- the check ---------------------------------------------------------------------------------------


def unauthenticated(code: str, detail: str) -> VendorError:
    return VendorError(kinds.UNAUTHENTICATED, detail, code=code)


class HmacVerifier:
    """Checks a request's api_auth signature against the configured access id and secret, on the mock clock."""

    def __init__(self, settings: ClinchSettings, clock: Clock) -> None:
        self._secrets = {settings.access_id: settings.secret}
        self._skew = settings.clock_skew_seconds
        self._clock = clock

    def authenticate(self, request: SignedRequest) -> str:
        """The access id that signed ``request``; a 401 ``VendorError`` naming the failed rule otherwise."""
        headers = request.headers
        header = first_header(headers, AUTHORIZATION_HEADERS)
        if not header:
            raise unauthenticated(
                "missing_authorization",
                "No Authorization header: send 'Authorization: APIAuth <access id>:<signature>' "
                "(or X-HMAC-Authorization / X-Authorization)",
            )
        match = AUTH_HEADER.fullmatch(header.strip())
        if match is None:
            raise unauthenticated(
                "malformed_authorization",
                "The Authorization header is not 'APIAuth <access id>:<signature>' or "
                "'APIAuth-HMAC-<MD5|SHA1|SHA224|SHA256|SHA384|SHA512> <access id>:<signature>'",
            )
        digest_name, access_id, provided = match.group(1) or "SHA1", match.group(2), match.group(3)
        if digest_name not in DIGESTS:
            raise unauthenticated("unsupported_digest", f"APIAuth-HMAC-{digest_name} is not a digest the API supports")
        secret = self._secrets.get(access_id)
        if secret is None:
            raise unauthenticated("unknown_access_id", f"No API key has the access id {access_id!r}")
        timestamp = first_header(headers, DATE_HEADERS)
        if not timestamp:
            raise unauthenticated("missing_date", "No Date header: send Date (or X-HMAC-Date / X-Date) as an HTTP-date")
        signed_at = parse_http_date(timestamp)
        if signed_at is None:
            raise unauthenticated(
                "invalid_date", f"The date {timestamp!r} is not an HTTP-date such as 'Thu, 28 Nov 2019 09:44:23 GMT'"
            )
        md5 = first_header(headers, CONTENT_MD5_HEADERS) or ""
        if md5 and not hmac.compare_digest(md5.encode("latin-1"), content_md5(request.body).encode()):
            raise unauthenticated(
                "content_md5_mismatch",
                f"Content-MD5 {md5!r} is not the MD5 of the body ({content_md5(request.body)}, base64); "
                "send the MD5 of the exact body bytes, or no Content-MD5",
            )
        hashes = [md5]
        if sha256 := headers.get(CONTENT_SHA256_HEADER, ""):
            if not hmac.compare_digest(sha256.encode("latin-1"), content_sha256(request.body).encode()):
                raise unauthenticated(
                    "content_sha256_mismatch",
                    f"X-Authorization-Content-SHA256 {sha256!r} is not the SHA-256 of the body "
                    f"({content_sha256(request.body)}, base64); send the SHA-256 of the exact body bytes, "
                    "or no X-Authorization-Content-SHA256",
                )
            hashes.append(sha256)
        content_type = first_header(headers, CONTENT_TYPE_HEADERS) or ""
        original = first_header(headers, ORIGINAL_URI_HEADERS)
        uris = request.uris if original is None else (canonical_uri(original),)
        tried = [
            c
            for digest in hashes
            for uri in uris
            for c in canonical_strings(request.method, content_type, digest, uri, timestamp)
        ]
        expected = provided.encode("latin-1")
        matches = [hmac.compare_digest(expected, signature(secret, c, digest_name).encode()) for c in tried]
        if not any(matches):
            shown = "; ".join(repr(c) for c in tried)
            raise unauthenticated(
                "signature_mismatch",
                f"The HMAC-{digest_name} signature does not match any canonical string this request has: {shown}",
            )
        now = self._clock.now()
        if not now - self._skew < signed_at < now + self._skew:
            raise unauthenticated(
                "date_outside_window",
                f"The request date {timestamp!r} is {abs(now - signed_at):.0f} seconds from the server time "
                f"{http_date(now)}; it must be less than {self._skew} seconds away",
            )
        return access_id
