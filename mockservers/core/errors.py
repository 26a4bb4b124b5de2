"""Errors as facts. Vendors raise these below their HTTP layer; each vendor renders them once.

A ``VendorError`` says *what* went wrong (its ``kind``, a message, the field, the vendor's own code
where it has several for one kind) and never *how it is answered*: the vendor's ``errors.py`` maps
each kind to its HTTP status and envelope in one render function (Ashby answers most kinds with
HTTP 200 and ``success: false``; PageUp with a 4xx and an array).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

INVALID_INPUT: Final = "invalid_input"
UNAUTHENTICATED: Final = "unauthenticated"
FORBIDDEN: Final = "forbidden"
NOT_FOUND: Final = "not_found"
"""A resource the request names does not exist."""
NO_ROUTE: Final = "no_route"
"""No endpoint answers this path (Starlette's 404)."""
METHOD_NOT_ALLOWED: Final = "method_not_allowed"
CONFLICT: Final = "conflict"
TOO_LARGE: Final = "too_large"
UNSUPPORTED_MEDIA_TYPE: Final = "unsupported_media_type"
UNPROCESSABLE: Final = "unprocessable"
RATE_LIMITED: Final = "rate_limited"
INTERNAL: Final = "internal"
UNAVAILABLE: Final = "unavailable"

KINDS: Final = frozenset(
    {
        INVALID_INPUT,
        UNAUTHENTICATED,
        FORBIDDEN,
        NOT_FOUND,
        NO_ROUTE,
        METHOD_NOT_ALLOWED,
        CONFLICT,
        TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        UNPROCESSABLE,
        RATE_LIMITED,
        INTERNAL,
        UNAVAILABLE,
    }
)
"""Every kind a vendor's renderer must map to a status."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """A problem with one input field (``field`` None for a request-wide message)."""

    field: str | None
    message: str


class VendorError(Exception):
    """A rejection, as facts: its ``kind`` (one of ``KINDS``), a message, and what the envelope needs.

    ``code`` is the vendor's own error code when one kind has several (Ashby's ``candidate_not_found``
    and ``file_handle_not_found`` are both ``not_found``); it defaults to the kind. ``field`` names
    the input at fault, ``fields`` lists per-field problems (PageUp's error array), ``headers`` are
    extra response headers such as ``Retry-After`` or ``WWW-Authenticate``. An empty message lets
    the renderer use the vendor's own text for the kind.
    """

    def __init__(
        self,
        kind: str,
        message: str = "",
        *,
        code: str | None = None,
        field: str | None = None,
        fields: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown error kind {kind!r}")
        super().__init__(message or kind)
        self.kind = kind
        self.message = message
        self.code = code or kind
        self.field = field
        self.fields = tuple(fields)
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"VendorError({self.kind!r}, {self.message!r}, code={self.code!r})"


class AdminError(Exception):
    """A bad admin API request: rendered as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# Each kind's usual HTTP status, for a vendor that answers every kind with its plain status (a vendor
# with its own rules, e.g. HTTP 200 for input errors, writes its own table).
HTTP_STATUS: Final[Mapping[str, int]] = {
    INVALID_INPUT: 400,
    UNAUTHENTICATED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    NO_ROUTE: 404,
    METHOD_NOT_ALLOWED: 405,
    CONFLICT: 409,
    TOO_LARGE: 413,
    UNSUPPORTED_MEDIA_TYPE: 415,
    UNPROCESSABLE: 422,
    RATE_LIMITED: 429,
    INTERNAL: 500,
    UNAVAILABLE: 503,
}
