"""The HTTP status a plain REST API answers each error kind with (RFC 9110 and RFC 4918's 422).

A vendor whose API answers like this takes ``REST_STATUS`` as its ``STATUS`` instead of writing the
table again; a vendor that differs (Ashby's HTTP 200 for input errors) keeps its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from mockservers.core import errors as kinds

REST_STATUS: Mapping[str, int] = MappingProxyType(
    {
        kinds.INVALID_INPUT: 400,
        kinds.UNAUTHENTICATED: 401,
        kinds.FORBIDDEN: 403,
        kinds.NOT_FOUND: 404,
        kinds.NO_ROUTE: 404,
        kinds.METHOD_NOT_ALLOWED: 405,
        kinds.CONFLICT: 409,
        kinds.TOO_LARGE: 413,
        kinds.UNSUPPORTED_MEDIA_TYPE: 415,
        kinds.UNPROCESSABLE: 422,
        kinds.RATE_LIMITED: 429,
        kinds.INTERNAL: 500,
        kinds.UNAVAILABLE: 503,
    }
)
