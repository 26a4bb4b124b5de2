"""Endorsed's envelope, rendered in one place, and its fault scenarios.

Endorsed's API reference (docs.endorsed.ai/reference/api-reference, every page): success is
``{"is_error": false, "result": ...}`` (the token endpoint puts its fields beside ``is_error``);
errors are ``{"is_error": true, "error": {"code", "issues": [{"message"}]}}``, and each documented
code has one fixed message: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, INTERNAL_SERVER_ERROR.

Inferred: the HTTP statuses beyond 401 and 500 (the candidates page lists only 201, 401, 500), the
``BAD_REQUEST`` code for invalid input with one issue per problem and a ``path`` array, and the
other codes, named like the documented ones after their HTTP status. ``issues``, ``message`` and
``path`` are Zod's names for a validation failure, so an issue's ``path`` is Zod's: the keys and
array indexes that lead to the value (``["phone_numbers", 0, "type"]``).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from mockservers.core import errors as kinds
from mockservers.core.errors import HTTP_STATUS, FieldError, VendorError
from mockservers.core.http import error_scenario
from mockservers.core.journal import note_error
from mockservers.core.scenarios import Scenario

VENDOR = "endorsed"

UNAUTHENTICATED_MESSAGE = "Resource requires authentication. Please provide a valid access token."
FORBIDDEN_MESSAGE = "Access to this resource is not authorized."
NOT_FOUND_MESSAGE = "This resource entity does not exist."
INTERNAL_MESSAGE = (
    "An unexpected error occurred on our end. Please try again later, and if the problem persists, "
    "contact our support team"
)
"""The documented messages, word for word (the last has no full stop in Endorsed's examples)."""

CODE: Mapping[str, str] = {
    kinds.INVALID_INPUT: "BAD_REQUEST",
    kinds.UNAUTHENTICATED: "UNAUTHENTICATED",
    kinds.FORBIDDEN: "FORBIDDEN",
    kinds.NOT_FOUND: "NOT_FOUND",
    kinds.NO_ROUTE: "NOT_FOUND",
    kinds.METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
    kinds.CONFLICT: "CONFLICT",
    kinds.TOO_LARGE: "PAYLOAD_TOO_LARGE",
    kinds.UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
    kinds.UNPROCESSABLE: "UNPROCESSABLE_ENTITY",
    kinds.RATE_LIMITED: "TOO_MANY_REQUESTS",
    kinds.INTERNAL: "INTERNAL_SERVER_ERROR",
    kinds.UNAVAILABLE: "SERVICE_UNAVAILABLE",
}
"""Each kind's envelope code: the documented four, the rest named the same way (inferred)."""

STATUS: Mapping[str, int] = HTTP_STATUS
"""The plain HTTP status of each kind: 401, 500 documented, the rest inferred (403 and 404 as their names say)."""

_DEFAULT_MESSAGE: Mapping[str, str] = {
    kinds.UNAUTHENTICATED: UNAUTHENTICATED_MESSAGE,
    kinds.FORBIDDEN: FORBIDDEN_MESSAGE,
    kinds.NOT_FOUND: NOT_FOUND_MESSAGE,
    kinds.NO_ROUTE: NOT_FOUND_MESSAGE,
    kinds.INTERNAL: INTERNAL_MESSAGE,
}

WWW_AUTHENTICATE = {"WWW-Authenticate": "Bearer"}
"""On every 401 (RFC 6750 §3; inferred, Endorsed documents the body only)."""


def path_of(field: str) -> list[str | int]:
    """``"phone_numbers.0.type"`` as Zod's path ``["phone_numbers", 0, "type"]``."""
    return [int(part) if part.isdigit() else part for part in field.split(".")]


def issues_of(error: VendorError) -> list[dict[str, Any]]:
    """One issue per problem: each field error with its path, else the error's own message."""
    problems = error.fields or (FieldError(error.field, error.message or _DEFAULT_MESSAGE.get(error.kind, "")),)
    return [
        {"message": p.message} if p.field is None else {"message": p.message, "path": path_of(p.field)}
        for p in problems
    ]


def render(error: VendorError, scope: MutableMapping[str, Any]) -> JSONResponse:
    """The one renderer of Endorsed errors; also notes the code on the request's journal entry."""
    code = CODE[error.kind]
    note_error(scope, code)
    body = {"is_error": True, "error": {"code": code, "issues": issues_of(error)}}
    return JSONResponse(body, status_code=STATUS[error.kind], headers=error.headers)


def result(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"is_error": False, "result": value}, status_code=status)


# -- the errors themselves ------------------------------------------------------------------------


def fact(kind: str, message: str = "", **details: Any) -> VendorError:
    """A VendorError whose ``code`` is already the envelope's, so the journal and scenarios record it."""
    return VendorError(kind, message, code=CODE[kind], **details)


def bad_request(*issues: FieldError) -> VendorError:
    """BAD_REQUEST with one issue per problem (inferred code and status)."""
    return fact(kinds.INVALID_INPUT, issues[0].message, fields=issues)


def invalid(field: str | None, message: str) -> VendorError:
    return bad_request(FieldError(field, message))


def unauthenticated() -> VendorError:
    return fact(kinds.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE, headers=WWW_AUTHENTICATE)


def forbidden() -> VendorError:
    return fact(kinds.FORBIDDEN, FORBIDDEN_MESSAGE)


def not_found(field: str | None = None) -> VendorError:
    """NOT_FOUND with the documented message; ``field`` names the input that points nowhere."""
    return fact(kinds.NOT_FOUND, NOT_FOUND_MESSAGE, field=field)


def conflict(message: str, field: str | None = None) -> VendorError:
    return fact(kinds.CONFLICT, message, field=field)


def too_large(message: str, field: str | None = None) -> VendorError:
    return fact(kinds.TOO_LARGE, message, field=field)


def unsupported_media_type(message: str) -> VendorError:
    return fact(kinds.UNSUPPORTED_MEDIA_TYPE, message)


def server_error() -> VendorError:
    """What anything unexpected answers: the documented INTERNAL_SERVER_ERROR."""
    return fact(kinds.INTERNAL, INTERNAL_MESSAGE)


def route_errors(request: Request, exc: HTTPException) -> VendorError:
    """Starlette's own refusals in Endorsed's envelope: no route is NOT_FOUND, a wrong method 405."""
    if exc.status_code == 404:
        return fact(kinds.NO_ROUTE, NOT_FOUND_MESSAGE)
    if exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
        # core.http.VendorApp's Allow names every method some route of the path takes.
        return fact(kinds.METHOD_NOT_ALLOWED, message, headers=dict(exc.headers or {}))
    return invalid(None, str(exc.detail))


def scenarios() -> tuple[Scenario, ...]:
    """``endorsed.internal_error`` and ``endorsed.unauthenticated`` (the issue's names), plus
    ``endorsed.server_error``, the same answer as ``internal_error`` under the name every vendor has."""
    internal = (
        "HTTP 500 INTERNAL_SERVER_ERROR with Endorsed's message ('An unexpected error occurred on our end. "
        "Please try again later, ...')."
    )
    return (
        error_scenario("endorsed.internal_error", VENDOR, internal, server_error, render, status=500),
        error_scenario(
            "endorsed.unauthenticated",
            VENDOR,
            "HTTP 401 UNAUTHENTICATED ('Resource requires authentication. Please provide a valid access token.'), "
            "as for an expired or revoked token; on /auth/tokens too.",
            unauthenticated,
            render,
            status=401,
        ),
        error_scenario(
            "endorsed.server_error",
            VENDOR,
            f"The same as endorsed.internal_error: {internal}",
            server_error,
            render,
            status=500,
        ),
    )
