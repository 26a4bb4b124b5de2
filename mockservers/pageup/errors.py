"""PageUp's error envelope, rendered in one place from the error's kind; its fault scenarios.

PageUp, "Error handling" (developers.pageuppeople.com/Content/error-handling): "All error responses
are returned in the form of an array of JSON objects containing a message and optional field
property", e.g. ``[{"message": "..."}, {"field": "name", "message": "Name is required"}]``.

The token endpoint is PageUp's identity server, not the API: its errors are OAuth's
``{"error", "error_description"}`` (RFC 6749 §5.2, IdentityServer style; inferred).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mockservers.core import errors as kinds
from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError
from mockservers.core.http import error_scenario
from mockservers.core.journal import note_error
from mockservers.core.scenarios import Scenario
from mockservers.core.statuses import REST_STATUS
from mockservers.pageup.auth import NO_STORE, bearer_challenge, expired_description, rate_limited, unauthorized

VENDOR = "pageup"
TOKEN_PATH = "/connect/token"

NOT_FOUND_MESSAGE = "The resource does not exist."
SERVER_ERROR_MESSAGE = "An error occurred with the API."
"""The descriptions of 404 and 50X on PageUp's "Error handling" page."""

STATUS: Mapping[str, int] = REST_STATUS
"""Each kind's HTTP status (PageUp's "Error handling" table, and ASP.NET Core's for 405, 413, 415)."""


def is_token_request(scope: MutableMapping[str, Any]) -> bool:
    return str(scope.get("path", "")).endswith(TOKEN_PATH)


def error_body(error: VendorError) -> list[dict[str, str]]:
    body = [{"message": error.message}]
    for f in error.fields:
        body.append({"message": f.message} if f.field is None else {"field": f.field, "message": f.message})
    return body


def render(error: VendorError, scope: MutableMapping[str, Any]) -> JSONResponse:
    """The one renderer of PageUp errors: the API's array, or OAuth's object on the token endpoint.

    Also notes the error's code on the request's journal entry.
    """
    note_error(scope, error.code)
    status = STATUS[error.kind]
    if is_token_request(scope):
        body = {"error": error.code, "error_description": error.message}
        return JSONResponse(body, status_code=status, headers={**NO_STORE, **error.headers})
    return JSONResponse(error_body(error), status_code=status, headers=error.headers)


def server_error() -> VendorError:
    """What anything unexpected answers: PageUp's 500, ``server_error`` on the token endpoint."""
    return VendorError(kinds.INTERNAL, SERVER_ERROR_MESSAGE, code="server_error")


def route_errors(request: Request, exc: HTTPException) -> VendorError:
    """Starlette's own 404 and 405 as ASP.NET Core words them, in PageUp's envelope (OAuth's on the token endpoint)."""
    if exc.status_code == 405:
        code = "invalid_request" if is_token_request(request.scope) else "method_not_allowed"
        message = f"The requested resource does not support http method '{request.method}'."
        return VendorError(kinds.METHOD_NOT_ALLOWED, message, code=code, headers=dict(exc.headers or {}))
    if exc.status_code == 404:
        return VendorError(kinds.NO_ROUTE, NOT_FOUND_MESSAGE, code="not_found")
    return VendorError(kinds.INVALID_INPUT, "The request is invalid.", code="invalid_request")


class InvalidTokenReply:
    """``pageup.invalid_token``: the API answers as for an expired token; a token request goes to
    ``issuing_expired`` (the vendor app that issues tokens already expired), so the next API call gets that 401."""

    def __init__(self, issuing_expired: ASGIApp, clock: Clock) -> None:
        self.issuing_expired = issuing_expired
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_token_request(scope):
            await self.issuing_expired(scope, receive, send)
            return
        error = unauthorized(bearer_challenge(expired_description(self.clock.now())))
        await render(error, scope)(scope, receive, send)


def scenarios(issuing_expired: ASGIApp, clock: Clock) -> tuple[Scenario, ...]:
    """PageUp's fault scenarios; ``issuing_expired`` is the app ``pageup.invalid_token`` sends token requests to."""
    invalid_token = InvalidTokenReply(issuing_expired, clock)
    return (
        error_scenario(
            "pageup.rate_limited",
            VENDOR,
            'HTTP 429 [{"message": "The daily rate limit has been exceeded"}] with Retry-After = seconds to the '
            "mock clock's next UTC midnight, as when the daily quota runs out. On /connect/token: 429 "
            '{"error": "rate_limit_exceeded", ...}.',
            lambda: rate_limited(clock.now()),
            render,
            status=429,
        ),
        error_scenario(
            "pageup.server_error",
            VENDOR,
            'HTTP 500 [{"message": "An error occurred with the API."}]. On /connect/token: 500 '
            '{"error": "server_error", ...}.',
            server_error,
            render,
            status=500,
        ),
        Scenario(
            "pageup.invalid_token",
            VENDOR,
            'HTTP 401 with WWW-Authenticate: Bearer error="invalid_token", error_description="The token expired '
            "at '...'\", as for an expired token. On /connect/token: answers normally, but with a token that "
            "has already expired.",
            status=401,
            error_code="invalid_token",
            respond=lambda: invalid_token,
        ),
    )
