"""SigV4 and SigV2 as botocore computes them, at mock-clock time, with the per-request work done once.

Presigning (URLs and POST policies) and verifying (recomputing what a client signed) share this
module, so a URL it signs and a URL boto3 signs at the same instant are identical, and the front
recomputes signatures the way AWS's Python SDK does. No hand-written crypto: the HMAC chain is
botocore's ``_sign``, percent-encoding botocore's ``percent_encode``.

The SigV4 request path follows botocore's ``S3SigV4QueryAuth`` step by step over plain strings
instead of building an ``AWSRequest``, ``HTTPHeaders`` and ``Credentials`` per call (which cost
~60 us of every presign and verification): the host of each endpoint, the signing key of each
(secret, day, region), the ``X-Amz-Date`` of each second and the encoding of each query value are
computed once. Inputs outside what that path reproduces exactly (a URL with a query, a header
value that is not ASCII, ...) go through botocore's own signer; ``tests/s3/test_s3_signing.py``
holds both paths equal on generated requests, and ``test_s3_botocore.py`` holds them equal to boto3.

Importing this module imports botocore (~0.06 s); the front and ``S3Service`` do it on first use.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import botocore.auth
from botocore.auth import ISO8601, SIGNED_HEADERS_BLACKLIST, SIGV4_TIMESTAMP, HmacV1QueryAuth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials
from botocore.utils import percent_encode

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "s3"
RECENT_URLS = 1024
"""Presigned URLs remembered within one second (a document read again and again gets the same URL)."""
_UNSIGNABLE = frozenset(SIGNED_HEADERS_BLACKLIST)
_FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
"""The content type botocore drops before presigning (it sets it itself on form bodies)."""


def sigv4_timestamp(epoch: float) -> str:
    """``X-Amz-Date`` for an instant: ``yyyyMMdd'T'HHmmss'Z'``."""
    return time.strftime(SIGV4_TIMESTAMP, time.gmtime(epoch))


def iso8601(epoch: float) -> str:
    """A POST policy ``expiration`` (whole seconds, ``Z``), as botocore writes it."""
    return time.strftime(ISO8601, time.gmtime(epoch))


def _internals_of(thing: object) -> Any:
    """botocore's underscore helpers, visible (botocore-stubs leave them out)."""
    return thing


_remembered_encoding = functools.lru_cache(maxsize=1024)(percent_encode)


def encode(value: str) -> str:
    """botocore's ``percent_encode`` (RFC 3986, ``-._~`` safe). The last 1024 short values are remembered:
    the same keys, dispositions, content types and credential scopes come back request after request."""
    return str(_remembered_encoding(value) if len(value) <= 256 else percent_encode(value))


_sign = _internals_of(S3SigV4QueryAuth(Credentials("", ""), SERVICE, ""))._sign
"""botocore's HMAC-SHA256 (``SigV4Auth._sign``); it reads nothing of its signer."""
_host_from_url = _internals_of(botocore.auth)._host_from_url
"""botocore's host header of an endpoint URL (lower case, default port dropped, IPv6 in brackets)."""


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Decoded query pairs in SigV4 canonical form (RFC 3986 encoded, sorted by key, then value),
    as botocore's ``_canonical_query_string_params``."""
    return "&".join(f"{k}={v}" for k, v in sorted([(encode(k), encode(v)) for k, v in pairs]))


def canonical_header_block(headers: Sequence[tuple[str, str]]) -> str:
    """``name:value`` lines for lower-case header names (values trimmed, inner runs of white space
    collapsed, repeated names joined by commas, names sorted), as botocore's ``canonical_headers``."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name, []).append(" ".join(value.split()))
    return "\n".join(f"{name}:{','.join(grouped[name])}" for name in sorted(grouped))


def string_to_sign(timestamp: str, region: str, canonical_request: str) -> str:
    """SigV4's string to sign of a canonical request signed at ``timestamp`` (``X-Amz-Date``) in ``region``."""
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{timestamp}\n{timestamp[0:8]}/{region}/{SERVICE}/aws4_request\n{digest}"


class SigningKeys:
    """SigV4 signing keys per (secret, date, region): botocore's HMAC chain, run once per triple."""

    def __init__(self, limit: int = 64) -> None:
        self._keys: dict[tuple[str, str, str], bytes] = {}
        self._limit = limit

    def get(self, secret: str, date: str, region: str) -> bytes:
        triple = (secret, date, region)
        key = self._keys.get(triple)
        if key is None:
            k_date = _sign(f"AWS4{secret}".encode(), date)
            k_region = _sign(k_date, region)
            k_service = _sign(k_region, SERVICE)
            key = _sign(k_service, "aws4_request")
            if len(self._keys) >= self._limit:
                self._keys.clear()
            self._keys[triple] = key
        return key


class QueryAuth(S3SigV4QueryAuth):
    """botocore's presigned-URL signer, told the time (the mock clock's) and using cached signing keys.

    ``Signer`` uses it for the requests its own path does not take, and the POST front for policies.
    """

    def __init__(self, credentials: Credentials, region: str, expires: int, keys: SigningKeys) -> None:
        super().__init__(credentials, SERVICE, region, expires)
        self._keys = keys

    def signature(self, string_to_sign: str, request: Any) -> str:
        return self.sign_policy(request.context["timestamp"][0:8], string_to_sign)

    def presign(self, request: AWSRequest, timestamp: str) -> None:
        """``add_auth`` with ``timestamp`` instead of the wall clock (the same steps, in botocore's order)."""
        botocore = _internals_of(self)
        request.context["timestamp"] = timestamp
        botocore._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        botocore._inject_signature_to_request(request, self.signature(string_to_sign, request))

    def sign_policy(self, date: str, policy: str) -> str:
        """The signature of ``policy`` (a base64 POST policy, or a SigV4 string to sign) with the key of ``date``."""
        botocore = _internals_of(self)
        key = self._keys.get(botocore.credentials.secret_key, date, botocore._region_name)
        return str(_sign(key, policy, hex=True))


class _V2QueryAuth(HmacV1QueryAuth):
    """botocore's SigV2 query signer with ``Expires`` given rather than computed from the wall clock."""

    def __init__(self, credentials: Credentials, expires: str) -> None:
        super().__init__(credentials)
        self._expires_value = expires

    def _get_date(self) -> str:
        return self._expires_value


class Signer:
    """Presigns for atsmock's own key pair and recomputes signatures for any known key."""

    def __init__(self, access_key: str, secret_key: str) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.keys = SigningKeys()
        self._credentials: dict[str, Credentials] = {}
        self._hosts: dict[tuple[str, str], str] = {}
        self._stamp: tuple[int, str] = (0, sigv4_timestamp(0))
        self._this_second: tuple[int, dict[tuple[Any, ...], str]] = (0, {})
        """The URLs presigned during the last second presigned in (the same request signs the same until it ends)."""

    def credentials(self, access_key: str, secret_key: str) -> Credentials:
        found = self._credentials.get(access_key)
        if found is None or found.secret_key != secret_key:
            found = self._credentials[access_key] = Credentials(access_key, secret_key)
        return found

    def query_auth(self, access_key: str, secret_key: str, region: str, expires: int = 3600) -> QueryAuth:
        return QueryAuth(self.credentials(access_key, secret_key), region, expires, self.keys)

    def timestamp(self, now: float) -> str:
        """``sigv4_timestamp(now)``, formatted once per second."""
        second = math.floor(now)
        stamp = self._stamp
        if stamp[0] != second:
            stamp = self._stamp = (second, sigv4_timestamp(second))
        return stamp[1]

    def sign_string(self, secret_key: str, region: str, timestamp: str, canonical_request: str) -> tuple[str, str]:
        """(string to sign, signature) of a canonical request signed at ``timestamp`` with ``secret_key``."""
        to_sign = string_to_sign(timestamp, region, canonical_request)
        return to_sign, self.sign_policy(secret_key, timestamp[0:8], region, to_sign)

    def sign_policy(self, secret_key: str, date: str, region: str, policy: str) -> str:
        """The signature of ``policy`` (a base64 POST policy, or a string to sign) with the key of ``date``."""
        return str(_sign(self.keys.get(secret_key, date, region), policy, hex=True))

    def presign_url(
        self,
        method: str,
        url: str,
        *,
        now: float,
        region: str,
        expires_in: int,
        headers: Mapping[str, str],
        params: Mapping[str, str],
    ) -> str:
        """A SigV4 presigned URL signing ``headers`` (plus host) and ``params``, dated ``now``."""
        second = math.floor(now)
        recent = self._this_second
        if recent[0] != second:
            recent = self._this_second = (second, {})
        request = (method, url, region, expires_in, tuple(headers.items()), tuple(params.items()))
        try:
            presigned = recent[1].get(request)
        except TypeError:  # an unhashable parameter value: not remembered
            return self._presign_url(method, url, now, region, expires_in, headers, params)
        if presigned is None:
            presigned = self._presign_url(method, url, now, region, expires_in, headers, params)
            if len(recent[1]) < RECENT_URLS:
                recent[1][request] = presigned
        return presigned

    def _presign_url(
        self,
        method: str,
        url: str,
        now: float,
        region: str,
        expires_in: int,
        headers: Mapping[str, str],
        params: Mapping[str, str],
    ) -> str:
        parts = urlsplit(url)
        signed = self._headers_to_sign(parts, url, headers)
        if signed is None or parts.query or parts.fragment or not all(isinstance(v, str) for v in params.values()):
            return self.presign_url_with_botocore(
                method, url, now=now, region=region, expires_in=expires_in, headers=headers, params=params
            )
        # botocore's _modify_request_before_signing: operation params, then the auth params, in this order.
        timestamp = self.timestamp(now)
        names = sorted(signed)
        signed_headers = ";".join(names)
        credential = f"{self.access_key}/{timestamp[0:8]}/{region}/{SERVICE}/aws4_request"
        pairs = [(encode(k), encode(v)) for k, v in params.items()]
        pairs += (
            ("X-Amz-Algorithm", ALGORITHM),
            ("X-Amz-Credential", encode(credential)),
            ("X-Amz-Date", timestamp),
            ("X-Amz-Expires", encode(str(expires_in))),
            ("X-Amz-SignedHeaders", encode(signed_headers)),
        )
        query = "&".join([f"{k}={v}" for k, v in pairs])
        # botocore's canonical_request: the query as the URL now carries it, sorted; UNSIGNED-PAYLOAD.
        canonical_request = "\n".join(
            (
                method.upper(),
                parts.path,
                "&".join([f"{k}={v}" for k, v in sorted(pairs)]),
                "".join([f"{name}:{signed[name]}\n" for name in names]),
                signed_headers,
                UNSIGNED_PAYLOAD,
            )
        )
        _, signature = self.sign_string(self.secret_key, region, timestamp, canonical_request)
        return f"{urlunsplit((parts.scheme, parts.netloc, parts.path, query, ''))}&X-Amz-Signature={signature}"

    def _headers_to_sign(self, parts: SplitResult, url: str, headers: Mapping[str, str]) -> dict[str, str] | None:
        """botocore's ``headers_to_sign`` then ``canonical_headers`` values, by lower-case name; None when
        ``presign_url`` must leave the request to botocore (anything its own steps do not reproduce exactly)."""
        if not parts.netloc or "\t" in url or "\n" in url or "\r" in url:
            return None
        grouped: dict[str, list[str]] = {}
        for name, value in headers.items():
            if not (isinstance(name, str) and isinstance(value, str) and name.isascii() and value.isascii()):
                return None
            lname = name.lower()
            if lname != lname.strip() or lname == "x-amz-content-sha256":
                return None
            if lname == "content-type" and "content-type" not in grouped and value == _FORM_CONTENT_TYPE:
                return None
            if lname not in _UNSIGNABLE:
                grouped.setdefault(lname, []).append(" ".join(value.split()))
        signed = {name: ",".join(values) for name, values in grouped.items()}
        if "host" not in signed:
            endpoint = (parts.scheme, parts.netloc)
            host = self._hosts.get(endpoint)
            if host is None:
                host = self._hosts[endpoint] = str(_host_from_url(url))
            signed["host"] = host
        return signed

    def presign_url_with_botocore(
        self,
        method: str,
        url: str,
        *,
        now: float,
        region: str,
        expires_in: int,
        headers: Mapping[str, str],
        params: Mapping[str, str],
    ) -> str:
        """``presign_url`` through botocore's ``AWSRequest`` and ``S3SigV4QueryAuth`` (slower; any input)."""
        request = AWSRequest(method=method, url=url, headers=dict(headers), params=dict(params))
        self.query_auth(self.access_key, self.secret_key, region, expires_in).presign(request, sigv4_timestamp(now))
        return str(request.url)

    def presign_post(
        self,
        *,
        now: float,
        region: str,
        bucket: str,
        key: str,
        expires_in: int,
        fields: Mapping[str, str],
        conditions: Sequence[Any],
    ) -> dict[str, str]:
        """The form fields of a SigV4 POST policy, built as botocore's ``generate_presigned_post`` builds them."""
        form = dict(fields)
        rules = list(conditions)
        rules.append({"bucket": bucket})
        if key.endswith("${filename}"):
            rules.append(["starts-with", "$key", key[: -len("${filename}")]])
        else:
            rules.append({"key": key})
        form["key"] = key
        timestamp = sigv4_timestamp(now)
        scope = f"{self.access_key}/{timestamp[:8]}/{region}/{SERVICE}/aws4_request"
        for name, value in (("x-amz-algorithm", ALGORITHM), ("x-amz-credential", scope), ("x-amz-date", timestamp)):
            form[name] = value
            rules.append({name: value})
        policy = {"expiration": iso8601(now + expires_in), "conditions": rules}
        form["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()
        form["x-amz-signature"] = self.sign_policy(self.secret_key, timestamp[:8], region, form["policy"])
        return form


def sigv2_string_to_sign(
    credentials: Credentials,
    method: str,
    resource: str,
    raw_query: str,
    headers: Sequence[tuple[str, str]],
    expires: str,
) -> tuple[str, str]:
    """(string to sign, signature) of a SigV2 query-auth request, by botocore's HmacV1 code.

    ``resource`` is the path-style ``/bucket/key`` as sent (SigV2 signs it without any endpoint
    prefix); ``raw_query`` is the query as sent, from which the sub-resources S3 signs are taken.
    """
    auth = _V2QueryAuth(credentials, expires)
    collected: Any = HTTPHeaders()
    for name, value in headers:
        if name in ("content-md5", "content-type") or name.startswith("x-amz-"):
            collected[name] = value
    split = SplitResult("", "", resource, raw_query, "")
    string_to_sign = str(auth.canonical_string(method, split, collected, auth_path=resource))
    return string_to_sign, str(auth.sign_string(string_to_sign))


def sigv2_policy_signature(credentials: Credentials, policy: str) -> str:
    """The ``signature`` field of a SigV2 POST policy."""
    return str(HmacV1QueryAuth(credentials).sign_string(policy))
