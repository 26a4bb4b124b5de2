"""OAuth client credentials at ``/connect/token``, bearer checks on the API, and the daily quota.

PageUp, "Authentication" (developers.pageuppeople.com/Content/authentication): OAuth 2.0 client
credentials at ``https://<login|loginuat>.<dc>.pageuppeople.com/connect/token``; each client id
belongs to one customer (tenant) and one environment. Seed 000: scopes are requested as a
space-separated list (Public.Document.Read, Public.Document.Write); "The oAuth token has an
expiry period of 300 seconds". The request and error bodies are not documented: they follow
IdentityServer, whose ``/connect/token`` path PageUp uses (inferred).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from mockservers.core import errors as kinds
from mockservers.core.clock import Clock
from mockservers.core.codecs import JSON
from mockservers.core.errors import VendorError
from mockservers.core.http import auth_scheme, basic_credentials, bearer_token
from mockservers.core.state import MemoryState, StateStore, Table
from mockservers.core.tokens import IssuedToken, TokenError, TokenIssuer
from mockservers.pageup.settings import PageUpClient, PageUpSettings

VENDOR = "pageup"
READ = "Public.Document.Read"
WRITE = "Public.Document.Write"

SCOPE_OF: Mapping[str, str] = {
    "prepareTempDirectUpload": WRITE,
    "moveFromTemp": WRITE,
    "getDocument": READ,
}
"""operationId → the scope it needs (inferred: the seed lists the two scopes but its per-endpoint
notes were not captured; uploads write, the download reads)."""

MAX_CLIENT_ID = 100
MAX_GRANT_TYPE = 100
MAX_SCOPE = 300
"""IdentityServer's default ``InputLengthRestrictions`` (inferred)."""

UNAUTHORIZED_MESSAGE = "Your API key is invalid or expired"
FORBIDDEN_MESSAGE = "You do not have permission to access the resource."
RATE_LIMIT_MESSAGE = "The daily rate limit has been exceeded"
"""The descriptions of 401, 403 and 429 on PageUp's "Error handling" page."""

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""What every token endpoint answer carries (RFC 6749 §5.1)."""


def oauth_error(kind: str, error: str, description: str, headers: Mapping[str, str] | None = None) -> VendorError:
    """A token endpoint refusal, ``error`` its OAuth code; rendered as ``{"error", "error_description"}``
    (IdentityServer style)."""
    return VendorError(kind, description, code=error, headers={**NO_STORE, **(headers or {})})


def bad_request(error: str, description: str) -> VendorError:
    """The token endpoint's 400 with OAuth code ``error`` (RFC 6749 §5.2)."""
    return oauth_error(kinds.INVALID_INPUT, error, description)


class ClientRegistry:
    """The configured OAuth clients and the scopes the authorization server knows."""

    def __init__(self, clients: Iterable[PageUpClient]) -> None:
        self.clients = {c.client_id: c for c in clients}
        known = {READ, WRITE}
        for c in self.clients.values():
            known.update(c.scopes)
        self.known_scopes = frozenset(known)


class TokenEndpoint:
    """``POST /connect/token`` with ``grant_type=client_credentials`` (RFC 6749 §4.4)."""

    def __init__(self, settings: PageUpSettings, issuer: TokenIssuer) -> None:
        self.registry = ClientRegistry(settings.clients)
        self.ttl = settings.token_ttl_seconds
        self.issuer = issuer

    def grant(
        self, form: Sequence[tuple[str, str]], authorization: str | None, *, already_expired: bool = False
    ) -> dict[str, Any]:
        """The token response, or an ``oauth_error`` in IdentityServer's order of checks.

        Client authentication comes first (HTTP Basic wins over the body, as IdentityServer's
        parsers run in that order), then ``grant_type``, then ``scope``. ``already_expired`` is
        the ``pageup.invalid_token`` scenario: a normal-looking answer whose token the API
        refuses as expired.
        """
        params: dict[str, str] = {}
        for name, value in form:
            if name in params:
                raise bad_request("invalid_request", f"The {name} parameter is included more than once.")
            params[name] = value
        client = self._authenticate(params, authorization)
        grant_type = params.get("grant_type", "")
        if not grant_type or len(grant_type) > MAX_GRANT_TYPE:
            raise bad_request("unsupported_grant_type", "The grant_type parameter is missing.")
        if grant_type != "client_credentials":
            raise bad_request("unsupported_grant_type", f"The grant type '{grant_type}' is not supported.")
        scopes = self._granted_scopes(client, params.get("scope"))
        issued = self.issuer.issue(
            VENDOR,
            client.client_id,
            scopes,
            0 if already_expired else self.ttl,
            {"tenant": client.tenant},
        )
        return {
            "access_token": issued.token,
            "expires_in": self.ttl,
            "token_type": "Bearer",
            "scope": " ".join(scopes),
        }

    def _authenticate(self, params: Mapping[str, str], authorization: str | None) -> PageUpClient:
        """The client, from HTTP Basic (401 when wrong, RFC 6749 §5.2) or the body (400 when wrong)."""
        if auth_scheme(authorization).startswith("basic"):
            basic = _basic_credentials(authorization)
            challenge = {"WWW-Authenticate": 'Basic realm="PageUp"'}
            if basic is None:
                raise oauth_error(
                    kinds.UNAUTHENTICATED, "invalid_client", "The Basic authorization header is malformed.", challenge
                )
            client = self._client(*basic)
            if client is None:
                raise oauth_error(
                    kinds.UNAUTHENTICATED, "invalid_client", "The client credentials are invalid.", challenge
                )
            return client
        client_id = params.get("client_id", "")
        if not client_id:
            raise bad_request("invalid_client", "No client credentials were found in the request.")
        client = self._client(client_id, params.get("client_secret", ""))
        if client is None:
            raise bad_request("invalid_client", "The client credentials are invalid.")
        return client

    def _client(self, client_id: str, secret: str) -> PageUpClient | None:
        if len(client_id) > MAX_CLIENT_ID:
            return None
        client = self.registry.clients.get(client_id)
        if client is None or client.client_secret != secret:
            return None
        return client

    def _granted_scopes(self, client: PageUpClient, requested: str | None) -> tuple[str, ...]:
        """Requested ∩ allowed; no ``scope`` means every allowed scope.

        An unknown scope, or a request of which nothing is allowed, is ``invalid_scope``. A known
        scope the client lacks is left out of the grant, and the answer's ``scope`` says what was
        granted (RFC 6749 §3.3; inferred: IdentityServer itself would refuse the whole request).
        """
        if requested is None:
            return client.scopes
        if len(requested) > MAX_SCOPE:
            raise bad_request("invalid_scope", "The scope parameter is too long.")
        names = requested.split()
        if not names:
            raise bad_request("invalid_scope", "The scope parameter is empty.")
        unknown = [n for n in names if n not in self.registry.known_scopes]
        if unknown:
            raise bad_request("invalid_scope", f"Unknown scope: {' '.join(unknown)}.")
        granted = tuple(s for s in client.scopes if s in names)
        if not granted:
            raise bad_request(
                "invalid_scope", f"The client is not allowed any of the requested scopes: {' '.join(names)}."
            )
        return granted


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from ``Basic base64(urlencode(id):urlencode(secret))`` (RFC 6749 §2.3.1)."""
    pair = basic_credentials(authorization)
    if pair is None or not pair[0]:
        return None
    return unquote(pair[0]), unquote(pair[1])


def bearer_challenge(error_description: str | None = None, *, error: bool = True) -> dict[str, str]:
    """``WWW-Authenticate`` as ASP.NET Core's JwtBearer handler writes it (inferred)."""
    if not error:
        return {"WWW-Authenticate": "Bearer"}
    value = 'Bearer error="invalid_token"'
    if error_description:
        value += f', error_description="{error_description}"'
    return {"WWW-Authenticate": value}


def expired_description(epoch_seconds: float) -> str:
    """JwtBearer's ``The token expired at '<InvariantCulture date>'``."""
    stamp = datetime.fromtimestamp(epoch_seconds, UTC).strftime("%m/%d/%Y %H:%M:%S")
    return f"The token expired at '{stamp}'"


def unauthorized(headers: Mapping[str, str]) -> VendorError:
    return VendorError(kinds.UNAUTHENTICATED, UNAUTHORIZED_MESSAGE, code="invalid_token", headers=headers)


@dataclass
class DailyQuota:
    """Requests per client per mock-clock UTC day; ``limit`` 0 is off.

    PageUp, "Error handling": 429 "The daily rate limit has been exceeded". The number is not
    public (configurable here); the window is the UTC calendar day and ``Retry-After`` gives the
    seconds to its end (inferred). A refused request does not count. With a durable state the
    counts survive a restart (a restart is not a new day).
    """

    limit: int
    clock: Clock
    state: StateStore = field(default_factory=MemoryState)

    def __post_init__(self) -> None:
        self._used: Table[str, tuple[int, int]] = self.state.table("pageup.quota", JSON)
        """client id -> (mock-clock UTC day, requests that day); a restart reads back lists, which unpack alike."""

    def charge(self, client_id: str) -> None:
        if not self.limit:
            return
        now = self.clock.now()
        day = int(now // 86_400)
        used_day, used = self._used.get(client_id) or (day, 0)
        if used_day != day:
            used = 0
        if used >= self.limit:
            raise rate_limited(now)
        self._used.put(client_id, (day, used + 1))

    def reset(self) -> None:
        self._used.clear()


def seconds_to_midnight(now: float) -> int:
    """Whole seconds until the next UTC midnight (at least 1)."""
    return max(1, int(86_400 - (now % 86_400) + 0.999999))


def rate_limited(now: float) -> VendorError:
    return VendorError(
        kinds.RATE_LIMITED,
        RATE_LIMIT_MESSAGE,
        code="rate_limit_exceeded",
        headers={"Retry-After": str(seconds_to_midnight(now))},
    )


class ApiGuard:
    """Every API call: a valid bearer token, of the URL's tenant, under quota, with the scope."""

    def __init__(
        self, settings: PageUpSettings, issuer: TokenIssuer, clock: Clock, state: StateStore | None = None
    ) -> None:
        self.issuer = issuer
        self.clock = clock
        self.quota = DailyQuota(settings.daily_quota, clock, state or MemoryState())

    def authorize(self, authorization: str | None, tenant: str, operation: str) -> IssuedToken:
        """The caller's token, or a VendorError: 401 (token, tenant), 429 (quota), 403 (scope).

        Seed 000: "authentication credentials used in your API calls must match" the tenant in the
        URL; a token of another tenant is refused like an invalid one (inferred: 401).
        """
        token = bearer_token(authorization)
        if token is None:
            raise unauthorized(bearer_challenge(error=False))
        try:
            issued = self.issuer.verify(VENDOR, token)
        except TokenError as exc:
            if exc.reason == "expired":
                expires_at = _claimed_expiry(token) or self.clock.now()
                raise unauthorized(bearer_challenge(expired_description(expires_at))) from None
            if exc.reason == "invalid":
                raise unauthorized(bearer_challenge("The signature is invalid")) from None
            raise unauthorized(bearer_challenge()) from None
        if issued.claims.get("tenant") != tenant:
            # The URL's tenant is not echoed: a header value must stay printable ASCII without quotes.
            raise unauthorized(bearer_challenge("The token was issued for another tenant"))
        self.quota.charge(issued.client_id)
        needed = SCOPE_OF[operation]
        if needed not in issued.scopes:
            raise VendorError(kinds.FORBIDDEN, f"{FORBIDDEN_MESSAGE} This action requires the {needed} scope.")
        return issued


def _claimed_expiry(token: str) -> float | None:
    """The ``exp`` claim of a token the issuer knows (so its payload needs no second check)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None
