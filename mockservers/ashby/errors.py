"""Ashby's envelope, rendered in one place, its exception handlers and its fault scenarios.

Ashby, "Responses" (developers.ashbyhq.com/docs/responses): success is ``{"success": true,
"results": ...}``; errors that "would be 4XX" answer **HTTP 200** with ``{"success": false,
"errors": [code], "errorInfo": {"code", "message", "requestId"}}``. Auth failures keep their real
401/403 statuses with the same envelope (the body is UNKNOWN; inferred), as do 404, 405, 429 and
500, which never reach Ashby's application code in a form the docs describe (inferred).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp

from mockservers.core import errors as kinds
from mockservers.core.errors import VendorError
from mockservers.core.http import error_scenario
from mockservers.core.journal import SCOPE_KEY, note_error
from mockservers.core.scenarios import Scenario

VENDOR = "ashby"

RETRY_AFTER_SECONDS = 1
"""``Retry-After`` of the rate-limit scenario (inferred: Ashby documents no per-key numbers)."""

STATUS: Mapping[str, int] = {
    kinds.INVALID_INPUT: 200,
    kinds.NOT_FOUND: 200,
    kinds.CONFLICT: 200,
    kinds.TOO_LARGE: 200,
    kinds.UNSUPPORTED_MEDIA_TYPE: 200,
    kinds.UNPROCESSABLE: 200,
    kinds.UNAUTHENTICATED: 401,
    kinds.FORBIDDEN: 403,
    kinds.NO_ROUTE: 404,
    kinds.METHOD_NOT_ALLOWED: 405,
    kinds.RATE_LIMITED: 429,
    kinds.INTERNAL: 500,
    kinds.UNAVAILABLE: 503,
}
"""Each kind's HTTP status: what "would be 4XX" is HTTP 200 with ``success: false`` (Ashby, "Responses");
auth, routing, rate limits and server errors keep their own statuses (inferred)."""

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def request_id(scope: MutableMapping[str, Any]) -> str:
    """The id the core journals and sends as ``X-Request-Id``; a fresh ULID-like id outside the core."""
    entry = scope.get(SCOPE_KEY)
    if entry is not None:
        return str(entry.id)
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def error_body(error: VendorError, scope: MutableMapping[str, Any]) -> dict[str, Any]:
    return {
        "success": False,
        "errors": [error.code],
        "errorInfo": {"code": error.code, "message": error.message, "requestId": request_id(scope)},
    }


def render(error: VendorError, scope: MutableMapping[str, Any]) -> JSONResponse:
    """The one renderer of Ashby errors; also notes the code on the request's journal entry."""
    note_error(scope, error.code)
    return JSONResponse(error_body(error, scope), status_code=STATUS[error.kind], headers=error.headers)


def success(results: Any, **extra: Any) -> JSONResponse:
    return JSONResponse({"success": True, "results": results, **extra})


def server_error() -> VendorError:
    return VendorError(kinds.INTERNAL, "An unexpected error occurred", code="internal_server_error")


def route_errors(request: Request, exc: HTTPException) -> VendorError:
    """Starlette's own 404/405 (and 400 from its form parser) in Ashby's words."""
    path = request.url.path
    if exc.status_code == 404:
        return VendorError(kinds.NO_ROUTE, f"Unknown endpoint: {request.method} {path}", code="not_found")
    if exc.status_code == 405:
        return VendorError(
            kinds.METHOD_NOT_ALLOWED,
            f"{request.method} is not allowed on {path}; every Ashby endpoint is a POST",
            headers=dict(exc.headers or {}),
        )
    return VendorError(kinds.INVALID_INPUT, f"Request payload is malformed: {exc.detail}")


def _rate_limited() -> VendorError:
    return VendorError(
        kinds.RATE_LIMITED,
        "Rate limit exceeded; try again later",
        code="rate_limit_exceeded",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def scenarios(expiring_uploads: ASGIApp) -> tuple[Scenario, ...]:
    """Ashby's fault scenarios; ``expiring_uploads`` is the vendor app whose upload handles come with an
    already expired policy (``ashby.upload_url_expired`` sends the request there)."""
    return (
        error_scenario(
            "ashby.rate_limited",
            VENDOR,
            "HTTP 429 with the envelope code rate_limit_exceeded and Retry-After: 1.",
            _rate_limited,
            render,
            status=429,
        ),
        error_scenario(
            "ashby.server_error",
            VENDOR,
            "HTTP 500 with the envelope code internal_server_error.",
            server_error,
            render,
            status=500,
        ),
        Scenario(
            "ashby.upload_url_expired",
            VENDOR,
            "On fileCreateFileUploadHandle: answer normally, but with a POST policy that has already expired, "
            "so the upload to S3 fails with 403 AccessDenied 'Invalid according to Policy: Policy expired.' "
            "Other operations answer normally.",
            status=200,
            respond=lambda: expiring_uploads,
        ),
    )
