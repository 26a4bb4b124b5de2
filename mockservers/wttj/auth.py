"""API tokens and the scopes each endpoint needs.

WTTJ, "Authentication": the OAuth token goes in ``Authorization: Bearer WK_API_KEY`` or in the query
string, ``?access_token=WK_API_KEY``; tokens are granted by WTTJ with scopes, and a wrong token answers
401 ``unauthorized``, a token without the endpoint's scope 403 ``invalid_scope`` ("Errors and Status").
Each endpoint page says which scopes it needs; ``*_rw`` includes ``*_r`` (the "Scopes" page: "Read and
Write access"). ``my_candidates_*`` reach only the candidates that token created ("Create a candidate").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.requests import Request

from mockservers.core import errors as kinds
from mockservers.core.http import auth_scheme, bearer_token
from mockservers.wttj.errors import error
from mockservers.wttj.params import Params
from mockservers.wttj.settings import BearerToken


@dataclass(frozen=True, slots=True)
class Requirement:
    """Every one of ``all_of`` groups must be met by one of its scopes; ``sentence`` is the docs' wording."""

    all_of: tuple[frozenset[str], ...]
    sentence: str


def _needs(sentence: str, *groups: str) -> Requirement:
    return Requirement(tuple(frozenset(g.split()) for g in groups), sentence)


_READ_CANDIDATES = "candidates_r candidates_rw my_candidates_r my_candidates_rw"
_WRITE_CANDIDATES = "candidates_rw my_candidates_rw"

REQUIREMENTS: Mapping[str, Requirement] = {
    "createCandidate": _needs("This endpoint requires candidates_rw or my_candidates_rw scope.", _WRITE_CANDIDATES),
    "getCandidate": _needs("This endpoint requires candidates_r or my_candidates_r scope.", _READ_CANDIDATES),
    "listCandidates": _needs("This endpoint requires candidates_r or my_candidates_r scope.", _READ_CANDIDATES),
    "listDocuments": _needs(
        "This endpoint requires documents_r, and candidates_r or my_candidates_r scopes.",
        "documents_r documents_rw",
        _READ_CANDIDATES,
    ),
    "attachDocuments": _needs(
        "This endpoint requires documents_rw, and my_candidates_rw or candidates_rw scope.",
        "documents_rw",
        _WRITE_CANDIDATES,
    ),
}
"""operationId → the scopes it needs, in each endpoint page's own sentence (the attach page's
"my_candidtates_rw" typo corrected)."""

MISSING = "The access token is missing"
INVALID = "The access token is invalid"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="WelcomeKit"'}
"""The 401 descriptions and challenge (inferred: WTTJ documents only the code, ``unauthorized``)."""


@dataclass(frozen=True, slots=True)
class Caller:
    """The token a request was made with: what it may do, and whether it sees every candidate."""

    token: str
    scopes: frozenset[str]

    @property
    def sees_all_candidates(self) -> bool:
        """``candidates_*`` reach every candidate; a token with only ``my_candidates_*`` reaches its own."""
        return bool(self.scopes & {"candidates_r", "candidates_rw"})


class TokenRing:
    """The configured API tokens."""

    def __init__(self, tokens: Iterable[BearerToken]) -> None:
        self._tokens = {t.token: frozenset(t.scopes) for t in tokens}

    def authorize(self, request: Request, params: Params, operation: str) -> Caller:
        """The caller of ``operation``, from the Bearer header or else the ``access_token`` parameter."""
        token = token_of(request, params)
        if token is None:
            raise error(kinds.UNAUTHENTICATED, MISSING, headers=CHALLENGE)
        scopes = self._tokens.get(token)
        if scopes is None:
            raise error(kinds.UNAUTHENTICATED, INVALID, headers=CHALLENGE)
        needed = REQUIREMENTS[operation]
        if not all(group & scopes for group in needed.all_of):
            raise error(kinds.FORBIDDEN, needed.sentence)
        return Caller(token, scopes)


def token_of(request: Request, params: Params) -> str | None:
    """``Authorization: Bearer <token>`` first; a request without that header may use ``access_token``.

    Another scheme in the header (``Basic ...``) is no token, as Doorkeeper (Rails' OAuth server) reads it.
    """
    header = request.headers.get("authorization")
    if header is not None and auth_scheme(header) == "bearer":
        return bearer_token(header)
    value = params.values.get("access_token")
    return value if isinstance(value, str) and value else None
