"""PageUp's error envelope, rendered in one place; its exception handlers and fault scenarios.

PageUp, "Error handling" (developers.pageuppeople.com/Content/error-handling): "All error responses
are returned in the form of an array of JSON objects containing a message and optional field
property", e.g. ``[{"message": "..."}, {"field": "name", "message": "Name is required"}]``.

The token endpoint is PageUp's identity server, not the API: its errors are OAuth's
``{"error", "error_description"}`` (RFC 6749 §5.2, IdentityServer style; inferred).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError
from mockservers.core.journal import note_error
from mockservers.core.scenarios import Scenario
from mockservers.pageup.auth import NO_STORE, bearer_challenge, expired_description, rate_limited, unauthorized

TOKEN_PATH = "/connect/token"
EXPIRED_TOKEN_FLAG = "atsmock.pageup.expired_token"
"""Scope key the ``pageup.invalid_token`` scenario sets on a token request it lets through."""

NOT_FOUND_MESSAGE = "The resource does not exist."
SERVER_ERROR_MESSAGE = "An error occurred with the API."
"""The descriptions of 404 and 50X on PageUp's "Error handling" page."""


def error_body(error: VendorError) -> list[dict[str, str]]:
    body = [{"message": error.message}]
    for f in error.fields:
        body.append({"message": f.message} if f.field is None else {"field": f.field, "message": f.message})
    return body


def render(error: VendorError, scope: MutableMapping[str, Any]) -> JSONResponse:
    """The one renderer of PageUp API errors; also notes the code on the request's journal entry."""
    note_error(scope, error.code)
    return JSONResponse(error_body(error), status_code=error.status, headers=error.headers)


def render_oauth(error: VendorError, scope: MutableMapping[str, Any]) -> JSONResponse:
    """The token endpoint's renderer: ``{"error": code, "error_description": message}``."""
    note_error(scope, error.code)
    body = {"error": error.code, "error_description": error.message}
    return JSONResponse(body, status_code=error.status, headers={**NO_STORE, **error.headers})


def _is_token_request(scope: MutableMapping[str, Any]) -> bool:
    return str(scope.get("path", "")).endswith(TOKEN_PATH)


def render_any(error: VendorError, scope: MutableMapping[str, Any]) -> JSONResponse:
    return render_oauth(error, scope) if _is_token_request(scope) else render(error, scope)


async def vendor_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VendorError)
    return render_any(exc, request.scope)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 and 405 in PageUp's envelope (or OAuth's, on the token endpoint)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        token = _is_token_request(request.scope)
        code = "invalid_request" if token else "method_not_allowed"
        message = f"The requested resource does not support http method '{request.method}'."
        error = VendorError(405, code, message, headers=dict(exc.headers or {}))
    elif exc.status_code == 404:
        error = VendorError(404, "not_found", NOT_FOUND_MESSAGE)
    else:
        error = VendorError(exc.status_code, "invalid_request", "The request is invalid.")
    return render_any(error, request.scope)


async def server_error(request: Request, exc: Exception) -> Response:
    return render_any(VendorError(500, "server_error", SERVER_ERROR_MESSAGE), request.scope)


EXCEPTION_HANDLERS: dict[Any, Callable[[Request, Exception], Any]] = {
    VendorError: vendor_error,
    HTTPException: http_error,
    Exception: server_error,
}


class ErrorReply(Response):
    """A scenario's canned error, rendered when sent: PageUp's array on the API, OAuth's on the token endpoint."""

    def __init__(self, make: Callable[[], VendorError]) -> None:
        super().__init__(status_code=500)
        self.make = make

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await render_any(self.make(), scope)(scope, receive, send)


class InvalidTokenReply(Response):
    """``pageup.invalid_token``: the API answers as for an expired token; a token request is let
    through and answers a token that is already expired, so the next API call gets that 401."""

    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        super().__init__(status_code=401)
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _is_token_request(scope):
            await self.app({**scope, EXPIRED_TOKEN_FLAG: True}, receive, send)
            return
        error = unauthorized(bearer_challenge(expired_description(self.clock.now())))
        await render(error, scope)(scope, receive, send)


def scenarios(app: ASGIApp, clock: Clock) -> tuple[Scenario, ...]:
    """PageUp's fault scenarios; ``app`` is the vendor app ``pageup.invalid_token`` lets token requests through to."""

    def server() -> VendorError:
        return VendorError(500, "server_error", SERVER_ERROR_MESSAGE)

    return (
        Scenario(
            "pageup.rate_limited",
            "pageup",
            'HTTP 429 [{"message": "The daily rate limit has been exceeded"}] with Retry-After = seconds to the '
            "mock clock's next UTC midnight, as when the daily quota runs out. On /connect/token: 429 "
            '{"error": "rate_limit_exceeded", ...}.',
            status=429,
            error_code="rate_limit_exceeded",
            respond=lambda: ErrorReply(lambda: rate_limited(clock.now())),
        ),
        Scenario(
            "pageup.server_error",
            "pageup",
            'HTTP 500 [{"message": "An error occurred with the API."}]. On /connect/token: 500 '
            '{"error": "server_error", ...}.',
            status=500,
            error_code="server_error",
            respond=lambda: ErrorReply(server),
        ),
        Scenario(
            "pageup.invalid_token",
            "pageup",
            'HTTP 401 with WWW-Authenticate: Bearer error="invalid_token", error_description="The token expired '
            "at '...'\", as for an expired token. On /connect/token: answers normally, but with a token that "
            "has already expired.",
            status=401,
            error_code="invalid_token",
            respond=lambda: InvalidTokenReply(app, clock),
        ),
    )
