"""Clinch's error documents, rendered in one place; its route errors and fault scenarios.

Seed 003 names the statuses (401 "Invalid API credentials", 404 "Not found", 422 "Unprocessable
entity") but no error body. Inferred: JSON:API 1.0 error objects, as a Rails JSON:API application
answers, ``{"errors": [{"status", "code", "title", "detail", "source": {"pointer" | "parameter"}}]}``
with ``Content-Type: application/vnd.api+json``: ``title`` is the seed's description of the status,
``detail`` says what was wrong, ``code`` is atsmock's error code (also in the journal), ``source``
points at the attribute (``/data/attributes/email``) or names the query parameter at fault.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from mockservers.core import errors as kinds
from mockservers.core.errors import VendorError
from mockservers.core.http import error_scenario
from mockservers.core.journal import note_error
from mockservers.core.scenarios import Scenario
from mockservers.core.statuses import REST_STATUS

VENDOR = "clinch"
JSON_API = "application/vnd.api+json"

STATUS: Mapping[str, int] = REST_STATUS
"""Each kind's HTTP status: the seed's 401, 404 and 422, and the plain REST status (Rails') for the others."""

TITLES: Mapping[str, str] = {
    kinds.INVALID_INPUT: "Bad request",
    kinds.UNAUTHENTICATED: "Invalid API credentials",
    kinds.FORBIDDEN: "Forbidden",
    kinds.NOT_FOUND: "Not found",
    kinds.NO_ROUTE: "Not found",
    kinds.METHOD_NOT_ALLOWED: "Method not allowed",
    kinds.CONFLICT: "Conflict",
    kinds.TOO_LARGE: "Payload too large",
    kinds.UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
    kinds.UNPROCESSABLE: "Unprocessable entity",
    kinds.RATE_LIMITED: "Too many requests",
    kinds.INTERNAL: "Internal server error",
    kinds.UNAVAILABLE: "Service unavailable",
}
"""``title`` of each kind: the seed's response descriptions where it has one (401, 404, 422)."""

SERVER_ERROR_DETAIL = "We're sorry, but something went wrong."
"""Rails' own words for a 500 (``public/500.html``)."""


class JsonApiResponse(JSONResponse):
    """JSON with JSON:API's media type (``application/vnd.api+json``, no parameters, as the spec requires)."""

    media_type = JSON_API


def error_object(error: VendorError, status: int, detail: str, source: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"status": str(status), "code": error.code, "title": TITLES[error.kind], "detail": detail}
    if source is not None:
        item["source"] = {"pointer": source} if source == "" or source.startswith("/") else {"parameter": source}
    return item


def error_document(error: VendorError) -> dict[str, Any]:
    status = STATUS[error.kind]
    if error.fields:
        return {"errors": [error_object(error, status, f.message, f.field) for f in error.fields]}
    detail = error.message or (SERVER_ERROR_DETAIL if error.kind == kinds.INTERNAL else TITLES[error.kind])
    return {"errors": [error_object(error, status, detail, error.field)]}


def render(error: VendorError, scope: MutableMapping[str, Any]) -> JSONResponse:
    """The one renderer of Clinch errors; also notes the code on the request's journal entry."""
    note_error(scope, error.code)
    return JsonApiResponse(error_document(error), status_code=STATUS[error.kind], headers=error.headers)


def server_error() -> VendorError:
    return VendorError(kinds.INTERNAL, SERVER_ERROR_DETAIL, code="internal_server_error")


def route_errors(request: Request, exc: HTTPException) -> VendorError:
    """Starlette's own 404 and 405 as a Rails router answers both: 404 "No route matches [GET] /path" (Rails
    matches the path and the verb together, so another method on a known path is no route either; inferred)."""
    if exc.status_code in (404, 405):
        return VendorError(kinds.NO_ROUTE, f"No route matches [{request.method}] {request.url.path}", code="no_route")
    return VendorError(kinds.INVALID_INPUT, str(exc.detail))


def _unprocessable() -> VendorError:
    return VendorError(
        kinds.UNPROCESSABLE,
        "The request could not be processed (atsmock fault clinch.unprocessable)",
        code="unprocessable",
        field="/data",
    )


def scenarios() -> tuple[Scenario, ...]:
    return (
        error_scenario(
            "clinch.server_error",
            VENDOR,
            'HTTP 500 {"errors": [{"status": "500", "code": "internal_server_error", "title": "Internal server error", '
            "...}]} (application/vnd.api+json).",
            server_error,
            render,
            status=500,
        ),
        error_scenario(
            "clinch.unprocessable",
            VENDOR,
            'HTTP 422 {"errors": [{"status": "422", "code": "unprocessable", "title": "Unprocessable entity", '
            '"source": {"pointer": "/data"}, ...}]} (application/vnd.api+json).',
            _unprocessable,
            render,
            status=422,
        ),
    )
