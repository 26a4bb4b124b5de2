"""Errors as facts. Vendors raise these below their HTTP layer; each vendor renders them once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """A problem with one input field (``field`` None for a request-wide message)."""

    field: str | None
    message: str


class VendorError(Exception):
    """A rejection with the facts every envelope needs: HTTP status, vendor error code, message.

    ``fields`` lists per-field problems (PageUp's error array, Ashby's message naming the field);
    ``headers`` are extra response headers such as ``Retry-After`` or ``WWW-Authenticate``.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = tuple(fields)
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"VendorError({self.status}, {self.code!r}, {self.message!r})"


class AdminError(Exception):
    """A bad admin API request: rendered as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
