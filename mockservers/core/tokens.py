"""Bearer tokens for every vendor that issues them: real JWTs, checked against the mock clock.

A token is valid only if this issuer made it and has not forgotten it (reset), so verification
is a dictionary look-up; PyJWT is imported on first issue only. The signing key and the issued
tokens live in the platform's state (``core/state.py``), so they survive a restart. Tokens are kept only while they
are live (at most ``MAX_LIVE_TOKENS``): an expired one is dropped as new ones are issued, and
recognised afterwards by its signature, so it is still refused as ``expired``, not ``invalid``.
"""

from __future__ import annotations

import heapq
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


MAX_LIVE_TOKENS = 100_000
"""Live tokens kept at once; past it the soonest to expire are forgotten (then refused as ``invalid``)."""


class TokenIssuer:
    def __init__(self, clock: Clock, state: StateStore | None = None) -> None:
        self.clock = clock
        self._state = state = state or MemoryState()
        self._key_cell = state.cell("tokens.key", "")
        self._key = stored_secret(self._key_cell)
        self._issued: Table[str, IssuedToken] = state.table("tokens.issued", codec(IssuedToken))
        self._expiries: list[tuple[int, str]] = [(i.expires_at, t) for t, i in self._issued.items()]
        heapq.heapify(self._expiries)
        """A heap of (expiry, token): the next token to drop is always on top (O(log n) per issue)."""

    def issue(
        self,
        vendor: str,
        client_id: str,
        scopes: Sequence[str],
        ttl_seconds: int,
        extra_claims: Mapping[str, Any] | None = None,
        *,
        scope_claim: str | list[str] | None = None,
        claims_only: bool = False,
    ) -> IssuedToken:
        """Sign a HS256 JWT for ``client_id`` that expires ``ttl_seconds`` after mock now.

        ``claims_only`` leaves out the standard claims (iss, sub, client_id, scope, nbf, jti): the
        payload is ``extra_claims`` then ``iat`` and ``exp``, for a vendor whose documented payload
        has nothing else (Endorsed's ``{data, iat, exp}``). Two such tokens with the same claims
        issued in the same second are the same token.
        """
        import jwt  # lazy: ~80 ms of imports that start-up does not need

        now = int(self.clock.now())
        claims: dict[str, Any]
        if claims_only:
            claims = {**(extra_claims or {}), "iat": now, "exp": now + ttl_seconds}
        else:
            claims = {
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
        self._drop_expired(now)
        self._issued.put(token, issued)
        heapq.heappush(self._expiries, (issued.expires_at, token))
        while len(self._issued) > MAX_LIVE_TOKENS:
            self._issued.delete(heapq.heappop(self._expiries)[1])
        return issued

    def verify(self, vendor: str, token: str | None) -> IssuedToken:
        """The issued token, or ``TokenError`` saying why it is refused."""
        if not token:
            raise TokenError("missing", "no access token")
        issued = self._issued.get(token)
        if issued is None or issued.vendor != vendor:
            if token.count(".") != 2:
                raise TokenError("malformed", "the access token is not a JWT")
            if issued is None and self._expired_of(vendor, token):
                raise TokenError("expired", "the access token has expired")
            raise TokenError("invalid", "the access token signature is invalid or unknown")
        if issued.expires_at <= self.clock.now():
            raise TokenError("expired", "the access token has expired")
        return issued

    def _expired_of(self, vendor: str, token: str) -> bool:
        """Whether ``token`` is one this issuer signed for ``vendor`` that has expired (and so was dropped)."""
        import jwt

        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
            )
        except jwt.PyJWTError:
            return False
        expires_at = claims.get("exp")
        issuer = claims.get("iss")
        if issuer is not None and issuer != f"atsmock/{vendor}":
            return False
        return isinstance(expires_at, int | float) and expires_at <= self.clock.now()

    def forget(self, vendor: str | None = None) -> None:
        """Revoke every token (of one vendor); used by reset. A full reset also changes the signing key."""
        if vendor is None:
            self._issued.clear()
            self._expiries.clear()
            self._key = stored_secret(self._key_cell, renew=True)
        else:
            with self._state.atomic():
                for token in [t for t, i in self._issued.items() if i.vendor == vendor]:
                    self._issued.delete(token)
            self._expiries = [(e, t) for e, t in self._expiries if t in self._issued]
            heapq.heapify(self._expiries)

    def _drop_expired(self, now: float) -> None:
        expiries = self._expiries
        while expiries and expiries[0][0] <= now:
            self._issued.delete(heapq.heappop(expiries)[1])

    def __len__(self) -> int:
        return len(self._issued)
