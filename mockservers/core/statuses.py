"""The HTTP status each error kind answers with in a plain REST API, for vendors that answer that way.

A vendor's ``errors.STATUS`` maps every kind in ``core.errors.KINDS`` to its status; most vendors
answer the usual one for each (400 for bad input, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500,
503) and can use this table instead of writing it again. Vendors that differ (Ashby answers input
errors with HTTP 200) keep their own.
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
assert set(REST_STATUS) == kinds.KINDS
