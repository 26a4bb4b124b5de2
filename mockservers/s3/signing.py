"""SigV4 and SigV2 through botocore's own signer classes, at mock-clock time, with cached signing keys.

Presigning (URLs and POST policies) and verifying (recomputing what a client signed) share these
classes, so a URL this module signs and a URL boto3 signs at the same instant are identical, and
the front recomputes signatures with the very code AWS's Python SDK uses. No hand-written crypto:
the HMAC chain is botocore's ``_sign``; only the timestamp (the mock clock's) and the key cache
(one derivation per secret, day and region) are ours.

Importing this module imports botocore (~0.06 s); the front and ``S3Service`` do it on first use.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import SplitResult

from botocore.auth import ISO8601, SIGV4_TIMESTAMP, HmacV1QueryAuth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "s3"


def sigv4_timestamp(epoch: float) -> str:
    """``X-Amz-Date`` for an instant: ``yyyyMMdd'T'HHmmss'Z'``."""
    return time.strftime(SIGV4_TIMESTAMP, time.gmtime(epoch))


def iso8601(epoch: float) -> str:
    """A POST policy ``expiration`` (whole seconds, ``Z``), as botocore writes it."""
    return time.strftime(ISO8601, time.gmtime(epoch))


class SigningKeys:
    """SigV4 signing keys per (secret, date, region): botocore's HMAC chain, run once per triple."""

    def __init__(self, limit: int = 64) -> None:
        self._keys: dict[tuple[str, str, str], bytes] = {}
        self._limit = limit

    def get(self, auth: S3SigV4QueryAuth, secret: str, date: str, region: str) -> bytes:
        triple = (secret, date, region)
        key = self._keys.get(triple)
        if key is None:
            sign = _internals(auth)._sign
            k_date = sign(f"AWS4{secret}".encode(), date)
            k_region = sign(k_date, region)
            k_service = sign(k_region, SERVICE)
            key = sign(k_service, "aws4_request")
            if len(self._keys) >= self._limit:
                self._keys.clear()
            self._keys[triple] = key
        return key


def _internals(auth: object) -> Any:
    """The signer with botocore's underscore helpers visible (botocore-stubs leave them out)."""
    return auth


class _Context:
    """The one thing botocore's ``string_to_sign`` reads from a request: its context timestamp."""

    def __init__(self, timestamp: str) -> None:
        self.context = {"timestamp": timestamp}


class QueryAuth(S3SigV4QueryAuth):
    """botocore's presigned-URL signer, told the time (the mock clock's) and using cached signing keys."""

    def __init__(self, credentials: Credentials, region: str, expires: int, keys: SigningKeys) -> None:
        super().__init__(credentials, SERVICE, region, expires)
        self._keys = keys

    def signature(self, string_to_sign: str, request: Any) -> str:
        return self.sign_policy(request.context["timestamp"][0:8], string_to_sign)

    def presign(self, request: AWSRequest, timestamp: str) -> None:
        """``add_auth`` with ``timestamp`` instead of the wall clock (the same steps, in botocore's order)."""
        botocore = _internals(self)
        request.context["timestamp"] = timestamp
        botocore._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        botocore._inject_signature_to_request(request, self.signature(string_to_sign, request))

    def canonical_query(self, pairs: Iterable[tuple[str, str]]) -> str:
        """Decoded query pairs in SigV4 canonical form (RFC 3986 encoded, sorted)."""
        return str(_internals(self)._canonical_query_string_params(list(pairs)))

    def canonical_header_block(self, headers: Sequence[tuple[str, str]]) -> str:
        """``name:value`` lines (trimmed, repeated names joined by commas, sorted) for the signed headers."""
        collected = HTTPHeaders()
        for name, value in headers:
            collected[name] = value
        return str(self.canonical_headers(collected))

    def sign_string(self, timestamp: str, canonical_request: str) -> tuple[str, str]:
        """(string to sign, signature) for a canonical request signed at ``timestamp``."""
        context: Any = _Context(timestamp)
        string_to_sign = str(self.string_to_sign(context, canonical_request))
        return string_to_sign, self.signature(string_to_sign, context)

    def sign_policy(self, date: str, policy: str) -> str:
        """The signature of ``policy`` (a base64 POST policy, or a SigV4 string to sign) with the key of ``date``."""
        botocore = _internals(self)
        key = self._keys.get(self, botocore.credentials.secret_key, date, botocore._region_name)
        return str(botocore._sign(key, policy, hex=True))


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

    def credentials(self, access_key: str, secret_key: str) -> Credentials:
        found = self._credentials.get(access_key)
        if found is None or found.secret_key != secret_key:
            found = self._credentials[access_key] = Credentials(access_key, secret_key)
        return found

    def query_auth(self, access_key: str, secret_key: str, region: str, expires: int = 3600) -> QueryAuth:
        return QueryAuth(self.credentials(access_key, secret_key), region, expires, self.keys)

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
        auth = self.query_auth(self.access_key, self.secret_key, region)
        scope = f"{self.access_key}/{timestamp[:8]}/{region}/{SERVICE}/aws4_request"
        for name, value in (("x-amz-algorithm", ALGORITHM), ("x-amz-credential", scope), ("x-amz-date", timestamp)):
            form[name] = value
            rules.append({name: value})
        policy = {"expiration": iso8601(now + expires_in), "conditions": rules}
        form["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()
        form["x-amz-signature"] = auth.sign_policy(timestamp[:8], form["policy"])
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
