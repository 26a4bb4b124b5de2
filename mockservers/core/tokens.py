"""Bearer tokens for every vendor that issues them: real JWTs, checked against the mock clock.

A token is valid only if this issuer made it and has not forgotten it (reset), so verification
is a dictionary look-up; PyJWT is imported on first issue only. The signing key and the issued
tokens live in the platform's state (``core/state.py``), so they survive a restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockservers.core.clock import Clock
from mockservers.core.codecs import codec
from mockservers.core.state import MemoryState, StateStore, Table, stored_secret


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


class TokenIssuer:
    def __init__(self, clock: Clock, state: StateStore | None = None) -> None:
        self.clock = clock
        self._state = state = state or MemoryState()
        self._key_cell = state.cell("tokens.key", "")
        self._key = stored_secret(self._key_cell)
        self._issued: Table[str, IssuedToken] = state.table("tokens.issued", codec(IssuedToken))

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
        self._issued.put(token, issued)
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
            self._key = stored_secret(self._key_cell, renew=True)
        else:
            with self._state.atomic():
                for token in [t for t, i in self._issued.items() if i.vendor == vendor]:
                    self._issued.delete(token)

    def _prune(self, now: int) -> None:
        # Bound memory under token-per-request clients: drop tokens expired for over a day.
        if len(self._issued) > 10_000:
            with self._state.atomic():
                for token in [t for t, i in self._issued.items() if i.expires_at <= now - 86_400]:
                    self._issued.delete(token)
