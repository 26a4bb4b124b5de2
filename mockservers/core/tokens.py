"""Bearer tokens for every vendor that issues them: real JWTs, checked against the mock clock.

A token is valid only if this issuer made it and has not forgotten it (reset), so verification
is a dictionary look-up; PyJWT is imported on first issue only.
"""

from __future__ import annotations

import math
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockservers.core.clock import Clock


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    vendor: str
    client_id: str
    scopes: tuple[str, ...]
    issued_at: int
    expires_at: int
    claims: Mapping[str, Any]


class TokenError(Exception):
    """Why a presented token is refused: ``missing``, ``malformed``, ``invalid`` or ``expired``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


PRUNE_FROM = 10_000
"""Tokens kept before the issuer starts dropping those expired for over a day."""
RETAIN_EXPIRED_SECONDS = 86_400
"""How long an expired token is still known (and refused as ``expired`` rather than ``invalid``)."""


class TokenIssuer:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._issued: dict[str, IssuedToken] = {}
        self._prune_above = PRUNE_FROM
        self._first_drop = math.inf
        """The earliest mock instant at which a kept token has been expired for a day."""

    def issue(
        self,
        vendor: str,
        client_id: str,
        scopes: Sequence[str],
        ttl_seconds: int,
        extra_claims: Mapping[str, Any] | None = None,
        *,
        scope_claim: str | list[str] | None = None,
    ) -> IssuedToken:
        """Sign a HS256 JWT for ``client_id`` that expires ``ttl_seconds`` after mock now."""
        import jwt  # lazy: ~80 ms of imports that start-up does not need

        now = int(self.clock.now())
        claims: dict[str, Any] = {
            "iss": f"atsmock/{vendor}",
            "sub": client_id,
            "client_id": client_id,
            "scope": scope_claim if scope_claim is not None else list(scopes),
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        if extra_claims:
            claims.update(extra_claims)
        token = jwt.encode(claims, self._key, algorithm="HS256")
        issued = IssuedToken(token, vendor, client_id, tuple(scopes), now, now + ttl_seconds, claims)
        self._issued[token] = issued
        self._first_drop = min(self._first_drop, issued.expires_at + RETAIN_EXPIRED_SECONDS)
        self._prune(now)
        return issued

    def verify(self, vendor: str, token: str | None) -> IssuedToken:
        """The issued token, or ``TokenError`` saying why it is refused."""
        if not token:
            raise TokenError("missing", "no access token")
        issued = self._issued.get(token)
        if issued is None or issued.vendor != vendor:
            if token.count(".") != 2:
                raise TokenError("malformed", "the access token is not a JWT")
            raise TokenError("invalid", "the access token signature is invalid or unknown")
        if issued.expires_at <= self.clock.now():
            raise TokenError("expired", "the access token has expired")
        return issued

    def forget(self, vendor: str | None = None) -> None:
        """Revoke every token (of one vendor); used by reset."""
        if vendor is None:
            self._issued.clear()
            self._key = secrets.token_bytes(32)
            self._prune_above, self._first_drop = PRUNE_FROM, math.inf
        else:
            self._issued = {t: i for t, i in self._issued.items() if i.vendor != vendor}

    def _prune(self, now: int) -> None:
        # Bound memory under token-per-request clients: drop tokens expired for over a day. Scan only
        # when one can go, and then not again until the kept tokens have doubled: past 10,000 live
        # tokens a scan per issue made every issue cost ~1 ms.
        if len(self._issued) > self._prune_above and now >= self._first_drop:
            self._drop_expired(now - RETAIN_EXPIRED_SECONDS)

    def _drop_expired(self, cutoff: float) -> None:
        kept = {t: i for t, i in self._issued.items() if i.expires_at > cutoff}
        self._issued = kept
        self._first_drop = min((i.expires_at for i in kept.values()), default=math.inf) + RETAIN_EXPIRED_SECONDS
        self._prune_above = max(PRUNE_FROM, 2 * len(kept))
