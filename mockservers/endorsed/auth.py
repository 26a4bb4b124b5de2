"""Access tokens at ``POST /auth/tokens``, and the bearer token and scope every API call needs.

Endorsed, "Access Tokens" (docs.endorsed.ai/reference/api-reference/access-tokens): the body is
form-encoded (the default) or JSON, with ``client_id`` (a UUID), ``client_secret``, ``grant_type``
(only ``client_credentials``) and an optional ``scope`` of ``all:read`` / ``all:write``, space
separated in a form and an array in JSON, both by default. The answer is ``{"is_error": false,
"access_token", "token_type": "Bearer", "expires_in": "1209600", "scope": [...]}`` with
``expires_in`` a *string*; the example token is HS256 with the payload ``{data: {client_id,
scope}, iat, exp}`` and nothing else. API calls send ``Authorization: Bearer <ACCESS_TOKEN>``.

Inferred (not documented): the token endpoint's errors (BAD_REQUEST per invalid field, 401
UNAUTHENTICATED for wrong credentials, 403 FORBIDDEN for a scope the client may not have), that a
client's default scope is what it may have, that a JSON ``scope`` may also be a string (the page's
type column says "string[] OR string"), and that reading needs ``all:read`` and writing ``all:write``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from mockservers.core import errors as kinds
from mockservers.core.http import bearer_token
from mockservers.core.tokens import IssuedToken, TokenError, TokenIssuer
from mockservers.endorsed.errors import VENDOR, fact, forbidden, unauthenticated
from mockservers.endorsed.inputs import MISSING, Issues, lookup, received
from mockservers.endorsed.settings import EndorsedClient, EndorsedSettings

READ = "all:read"
WRITE = "all:write"
SCOPES = (READ, WRITE)
GRANT_TYPES = ("client_credentials",)

INVALID_CLIENT_MESSAGE = "Invalid client credentials."
"""401 for an unknown client or a wrong secret (inferred wording; Endorsed documents none)."""

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""What a token answer carries (RFC 6749 §5.1)."""


class TokenEndpoint:
    """``POST /auth/tokens`` (grant ``client_credentials``) over the platform's one token issuer."""

    def __init__(self, settings: EndorsedSettings, issuer: TokenIssuer) -> None:
        self.clients: dict[str, EndorsedClient] = {c.client_id.lower(): c for c in settings.clients}
        self.ttl = settings.token_ttl_seconds
        self.issuer = issuer

    def grant(self, body: Mapping[str, Any], *, form: bool) -> dict[str, Any]:
        """The token answer for a parsed body (``form``: it was form-encoded), or a VendorError.

        Every field problem is reported at once (400); then the credentials (401); then the scope
        (403). The client id is matched case-insensitively, as a UUID is; the secret exactly.
        """
        issues = Issues()
        client_id = issues.uuid(lookup(body, "client_id"), "client_id")
        secret = issues.string(lookup(body, "client_secret"), "client_secret")
        issues.enum(lookup(body, "grant_type"), "grant_type", GRANT_TYPES)
        requested = _requested_scopes(issues, lookup(body, "scope"), form=form)
        issues.raise_any()
        assert client_id is not None and secret is not None
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
            raise fact(kinds.UNAUTHENTICATED, INVALID_CLIENT_MESSAGE, headers=NO_STORE)
        scopes = tuple(s for s in SCOPES if s in client.scopes) if requested is None else requested
        if not scopes or any(s not in client.scopes for s in scopes):
            raise forbidden()
        data = {"client_id": client.client_id, "scope": list(scopes)}
        issued = self.issuer.issue(VENDOR, client.client_id, scopes, self.ttl, {"data": data}, claims_only=True)
        return {
            "is_error": False,
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": str(self.ttl),
            "scope": list(scopes),
        }


def _requested_scopes(issues: Issues, value: Any, *, form: bool) -> tuple[str, ...] | None:
    """The scopes asked for, in Endorsed's order and without repeats; None when ``scope`` is absent."""
    if value is MISSING or (value is None and not form):
        return None
    if isinstance(value, str):
        names: list[Any] = value.split()
    elif isinstance(value, list) and not form:
        names = value
    else:
        issues.add("scope", f"Expected {'string' if form else 'array'}, received {received(value)}")
        return None
    if not names:
        empty = "String must contain at least 1 character(s)" if form else "Array must contain at least 1 element(s)"
        issues.add("scope", empty)
        return None
    for index, name in enumerate(names):
        issues.enum(name, f"scope.{index}", SCOPES)
    return tuple(s for s in SCOPES if s in names)


class ApiGuard:
    """Every API call: a bearer token this mock issued, unexpired on the mock clock, with the scope needed."""

    def __init__(self, issuer: TokenIssuer) -> None:
        self.issuer = issuer

    def authorize(self, authorization: str | None, scope: str) -> IssuedToken:
        """The caller's token, or 401 UNAUTHENTICATED (no, unknown or expired token) / 403 FORBIDDEN (scope)."""
        try:
            issued = self.issuer.verify(VENDOR, bearer_token(authorization))
        except TokenError:
            raise unauthenticated() from None
        if scope not in issued.scopes:
            raise forbidden()
        return issued
