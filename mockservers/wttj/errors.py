"""Welcome to the Jungle's error envelope, rendered in one place, and its fault scenarios.

WTTJ, "Errors and Status" (developers.welcomekit.co/errors-and-status): every error is
``{"error": "<code>", "error_description": "<text>"}``; the codes are ``validation_failed`` (400),
``unauthorized`` (401), ``invalid_scope`` (403) and ``not_found`` (404); the statuses also include
405, 500 and 503, whose codes the page does not name (inferred below).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp

from mockservers.core import errors as kinds
from mockservers.core.errors import VendorError
from mockservers.core.http import error_scenario
from mockservers.core.journal import note_error
from mockservers.core.scenarios import Scenario
from mockservers.core.statuses import REST_STATUS

VENDOR = "wttj"

STATUS: Mapping[str, int] = REST_STATUS
"""Each kind's HTTP status: WTTJ's table for 400-405, 500 and 503; Grape's (the framework WTTJ's API is
written in) for 413 and 415. 409, 422 and 429 never answer (WTTJ has none of them)."""

CODES: Mapping[str, str] = {
    kinds.INVALID_INPUT: "validation_failed",
    kinds.UNAUTHENTICATED: "unauthorized",
    kinds.FORBIDDEN: "invalid_scope",
    kinds.NOT_FOUND: "not_found",
    kinds.NO_ROUTE: "not_found",
    kinds.METHOD_NOT_ALLOWED: "method_not_allowed",
    kinds.CONFLICT: "conflict",
    kinds.TOO_LARGE: "request_entity_too_large",
    kinds.UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    kinds.UNPROCESSABLE: "validation_failed",
    kinds.RATE_LIMITED: "rate_limited",
    kinds.INTERNAL: "internal_server_error",
    kinds.UNAVAILABLE: "service_unavailable",
}
"""The envelope's ``error`` for each kind: the four documented codes, the rest inferred."""

SERVER_ERROR_MESSAGE = "We had a problem with our server. Try again later."
UNAVAILABLE_MESSAGE = "We're temporarily offline for maintenance. Please try again later."
"""The meanings of 500 and 503 on WTTJ's "Errors and Status" page."""


def error(kind: str, message: str, *, headers: Mapping[str, str] | None = None) -> VendorError:
    """A WTTJ refusal: the kind's documented code, and ``message`` as its ``error_description``."""
    return VendorError(kind, message, code=CODES[kind], headers=headers)


def invalid(message: str) -> VendorError:
    """``validation_failed``: the parameters are missing or wrong (HTTP 400)."""
    return error(kinds.INVALID_INPUT, message)


def not_found(message: str) -> VendorError:
    return error(kinds.NOT_FOUND, message)


def render(failure: VendorError, scope: MutableMapping[str, Any]) -> JSONResponse:
    """The one renderer of WTTJ errors; also notes the code on the request's journal entry."""
    code = failure.code if failure.code != failure.kind else CODES[failure.kind]
    note_error(scope, code)
    body = {"error": code, "error_description": failure.message or SERVER_ERROR_MESSAGE}
    return JSONResponse(body, status_code=STATUS[failure.kind], headers=failure.headers)


def server_error() -> VendorError:
    """What anything unexpected answers: WTTJ's 500."""
    return error(kinds.INTERNAL, SERVER_ERROR_MESSAGE)


def unavailable() -> VendorError:
    return error(kinds.UNAVAILABLE, UNAVAILABLE_MESSAGE)


def route_errors(request: Request, exc: HTTPException) -> VendorError:
    """Starlette's own 404 and 405 as Grape words them (``404 Not Found``, ``405 Not Allowed``).

    ``Allow`` lists every method of the path (``core.http.VendorApp`` gathers them from every route of
    the path, as Grape's one resource answers several methods).
    """
    if exc.status_code == 405:
        return error(kinds.METHOD_NOT_ALLOWED, "405 Not Allowed", headers=dict(exc.headers or {}))
    if exc.status_code == 404:
        return error(kinds.NO_ROUTE, "404 Not Found")
    return invalid(str(exc.detail))


def scenarios(timing_out: ASGIApp) -> tuple[Scenario, ...]:
    """WTTJ's fault scenarios; ``timing_out`` is the vendor app whose remote downloads all time out
    (``wttj.remote_fetch_timeout`` sends the request there)."""
    return (
        error_scenario(
            "wttj.server_error",
            VENDOR,
            f'HTTP 500 {{"error": "internal_server_error", "error_description": "{SERVER_ERROR_MESSAGE}"}}.',
            server_error,
            render,
            status=500,
        ),
        error_scenario(
            "wttj.unavailable",
            VENDOR,
            f'HTTP 503 {{"error": "service_unavailable", "error_description": "{UNAVAILABLE_MESSAGE}"}}.',
            unavailable,
            render,
            status=503,
        ),
        Scenario(
            "wttj.remote_fetch_timeout",
            VENDOR,
            "Every remote file URL (remote_file_urls, remote_resume_url, ...) answers as if it timed out, at once: "
            "HTTP 400 validation_failed naming the first URL and 'timed out after <total_timeout> s', the answer "
            "a real timeout gives; nothing is attached. Requests that fetch nothing answer normally.",
            status=400,
            respond=lambda: timing_out,
        ),
    )
