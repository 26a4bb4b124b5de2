"""The contract suites' authentication, one class per kind, chosen by a document's ``x-atsmock-auth``.

Every vendor document names its kind (``oauth2-client-credentials``, ``basic-key``, ``bearer-key``,
``hmac``, ``endorsed-token``), the token path where it has one, and the credential fields it needs.
``for_document`` builds a ``requests`` auth from that and a credential mapping: the mock's own
defaults (``mock_credentials``) or a vendor's real ones from a TOML file (contracts/credentials.py).
Schemathesis sends through ``requests`` both in process and over a socket, so one auth object
serves every target. Token kinds fetch through a ``post_form`` callable the target supplies, so a
token is only ever asked of the base URL under test.
"""

from __future__ import annotations

import base64
import itertools
import time
from collections.abc import Callable, Mapping
from email.utils import formatdate
from typing import Any

import requests

from client.clinch import body_md5, canonical_string, hmac_signature

PostForm = Callable[[str, Mapping[str, str]], Mapping[str, Any]]
"""POST a form to a path under the target's base URL and answer the JSON body (raises on non-2xx)."""
Now = Callable[[], float]
"""Seconds since the epoch: the mock's clock in process, ``time.time`` against a real vendor."""

KINDS = ("oauth2-client-credentials", "basic-key", "bearer-key", "hmac", "endorsed-token")


class AuthError(ValueError):
    """A document names no known auth kind, or the credentials lack a field the kind needs."""


def declared(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The document's ``x-atsmock-auth`` extension, checked for a known kind."""
    spec = document.get("x-atsmock-auth")
    if not isinstance(spec, Mapping) or spec.get("kind") not in KINDS:
        raise AuthError(f"x-atsmock-auth must name one of {', '.join(KINDS)}")
    return spec


def required_fields(document: Mapping[str, Any]) -> tuple[str, ...]:
    """The credential fields the document's auth kind needs, in the document's order."""
    return tuple(str(field) for field in declared(document).get("credentials", ()))


class _Header(requests.auth.AuthBase):
    """A fixed ``Authorization`` header (the key kinds)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self.value
        return request


class ClientCredentialsToken(requests.auth.AuthBase):
    """A bearer token from a client-credentials form POST, fetched once and renewed as it nears expiry.

    Expiry is measured on the wall clock (``time.monotonic``): against the mock, whose clock only
    moves when a test says so, the token simply lasts the run.
    """

    def __init__(self, post_form: PostForm, token_path: str, client_id: str, client_secret: str) -> None:
        self.post_form = post_form
        self.token_path = token_path
        self.form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        self._token: str | None = None
        self._renew_at = 0.0
        self.fetched = 0
        """How many tokens it has asked for (a test proves the cache)."""

    def token(self) -> str:
        if self._token is None or time.monotonic() >= self._renew_at:
            answer = self.post_form(self.token_path, self.form)
            self._token = str(answer["access_token"])
            lifetime = float(answer.get("expires_in") or 300)
            self._renew_at = time.monotonic() + max(lifetime - 30, lifetime / 2)
            self.fetched += 1
        return self._token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        return request


class ApiAuthSigner(requests.auth.AuthBase):
    """api_auth HMAC signing (Clinch) of each prepared request, alternating the two canonical forms.

    It signs the final body bytes and the path and query as sent, with the reference client's own
    canonical string and HMAC (``client.clinch``); every other request puts the HTTP method in
    front, so both forms the vendor accepts are exercised. The date comes from ``now``.
    """

    def __init__(self, access_id: str, secret: str, now: Now) -> None:
        self.access_id = access_id
        self.secret = secret
        self.now = now
        self._turn = itertools.count()
        self.signed = 0
        """How many requests it has signed (the run's generated requests)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        raw = body.encode("utf-8") if isinstance(body, str) else body if isinstance(body, bytes) else b""
        date = formatdate(self.now(), usegmt=True)
        md5 = body_md5(raw)
        request.headers["Date"] = date
        request.headers["Content-MD5"] = md5
        self.signed += 1
        canonical = canonical_string(
            str(request.method),
            str(request.headers.get("Content-Type", "")),
            md5,
            request.path_url,
            date,
            with_method=next(self._turn) % 2 == 1,
        )
        request.headers["Authorization"] = f"APIAuth {self.access_id}:{hmac_signature(self.secret, canonical)}"
        return request


def for_document(
    document: Mapping[str, Any], credentials: Mapping[str, str], *, post_form: PostForm, now: Now = time.time
) -> requests.auth.AuthBase:
    """The ``requests`` auth the document's ``x-atsmock-auth`` names, built from ``credentials``."""
    spec = declared(document)
    missing = [field for field in required_fields(document) if not credentials.get(field)]
    if missing:
        raise AuthError(f"credentials lack {', '.join(missing)} (needed by {spec['kind']})")
    kind = spec["kind"]
    if kind == "basic-key":
        return _Header("Basic " + base64.b64encode(f"{credentials['api_key']}:".encode()).decode())
    if kind == "bearer-key":
        return _Header(f"Bearer {credentials['token']}")
    if kind == "hmac":
        return ApiAuthSigner(credentials["access_id"], credentials["secret"], now)
    # oauth2-client-credentials and endorsed-token: the same form grant at the vendor's own path.
    return ClientCredentialsToken(
        post_form, str(spec["token_path"]), credentials["client_id"], credentials["client_secret"]
    )


def mock_credentials(vendor: str, settings: Any) -> dict[str, str]:
    """The credentials a suite uses against atsmock: the vendor's first (or most capable) default."""
    if vendor == "pageup":
        client = settings.pageup.clients[0]
        return {"client_id": client.client_id, "client_secret": client.client_secret, "tenant": client.tenant}
    if vendor == "ashby":
        key = max(settings.ashby.api_keys, key=lambda k: len(k.permissions))
        return {"api_key": key.api_key}
    if vendor == "wttj":
        return {"token": settings.wttj.tokens[0].token}
    if vendor == "clinch":
        return {"access_id": settings.clinch.access_id, "secret": settings.clinch.secret}
    if vendor == "endorsed":
        client = settings.endorsed.clients[0]
        return {"client_id": client.client_id, "client_secret": client.client_secret}
    raise AuthError(f"no mock credentials for {vendor!r}")
