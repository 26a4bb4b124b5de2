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
from collections.abc import MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mockservers.core.errors import VendorError
from mockservers.core.journal import SCOPE_KEY, note_error
from mockservers.core.scenarios import Scenario

EXPIRED_UPLOAD_FLAG = "atsmock.ashby.expired_upload"
"""Scope key the ``ashby.upload_url_expired`` scenario sets before the request reaches the routes."""

RETRY_AFTER_SECONDS = 1
"""``Retry-After`` of the rate-limit scenario (inferred: Ashby documents no per-key numbers)."""

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
    return JSONResponse(error_body(error, scope), status_code=error.status, headers=error.headers)


def success(results: Any, **extra: Any) -> JSONResponse:
    return JSONResponse({"success": True, "results": results, **extra})


async def vendor_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VendorError)
    return render(exc, request.scope)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (and 400 from its form parser) in Ashby's envelope."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error = VendorError(404, "not_found", f"Unknown endpoint: {request.method} {request.url.path}")
    elif exc.status_code == 405:
        error = VendorError(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed on {request.url.path}; every Ashby endpoint is a POST",
            headers=dict(exc.headers or {}),
        )
    else:
        error = VendorError(200, "invalid_input", f"Request payload is malformed: {exc.detail}")
    return render(error, request.scope)


async def server_error(request: Request, exc: Exception) -> Response:
    return render(VendorError(500, "internal_server_error", "An unexpected error occurred"), request.scope)


EXCEPTION_HANDLERS = {
    VendorError: vendor_error,
    HTTPException: http_error,
    Exception: server_error,
}


class EnvelopeReply(Response):
    """A scenario's canned error, rendered when sent so ``requestId`` is the request's own id."""

    def __init__(self, error: VendorError) -> None:
        super().__init__(status_code=error.status)
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await render(self.error, scope)(scope, receive, send)


class ExpiredUploadReply(Response):
    """Lets the request through to the routes, flagged so an upload handle gets an expired policy."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(status_code=200)
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app({**scope, EXPIRED_UPLOAD_FLAG: True}, receive, send)


def _rate_limited() -> Response:
    return EnvelopeReply(
        VendorError(
            429,
            "rate_limit_exceeded",
            "Rate limit exceeded; try again later",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    )


def _server_error() -> Response:
    return EnvelopeReply(VendorError(500, "internal_server_error", "An unexpected error occurred"))


def scenarios(app: ASGIApp) -> tuple[Scenario, ...]:
    """Ashby's fault scenarios; ``app`` is the vendor app the expired-upload scenario lets through."""
    return (
        Scenario(
            "ashby.rate_limited",
            "ashby",
            "HTTP 429 with the envelope code rate_limit_exceeded and Retry-After: 1.",
            status=429,
            error_code="rate_limit_exceeded",
            respond=_rate_limited,
        ),
        Scenario(
            "ashby.server_error",
            "ashby",
            "HTTP 500 with the envelope code internal_server_error.",
            status=500,
            error_code="internal_server_error",
            respond=_server_error,
        ),
        Scenario(
            "ashby.upload_url_expired",
            "ashby",
            "On fileCreateFileUploadHandle: answer normally, but with a POST policy that has already expired, "
            "so the upload to S3 fails with 403 AccessDenied 'Invalid according to Policy: Policy expired.' "
            "Other operations answer normally.",
            status=200,
            respond=lambda: ExpiredUploadReply(app),
        ),
    )
