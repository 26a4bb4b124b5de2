"""The admin API under ``/__admin``: clock, reset, health, journal (and its live stream), faults, scenarios,
what each vendor holds, and the dashboard page (``/__admin/ui``, in ``mockservers/ui/``).

Nouns and shapes follow WireMock where they fit (``/__admin/requests`` answers
``{"requests": [...], "meta": {"total": N}}``). Note: ``/__admin/scenarios`` lists *fault*
scenarios here, not WireMock's stateful-behaviour scenarios.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mockservers import ui, vendor_state
from mockservers.core.clock import format_iso
from mockservers.core.errors import AdminError
from mockservers.core.faults import shown
from mockservers.core.http import InvalidJSON, OpenApiEndpoint, parse_json, read_body
from mockservers.core.platform import Platform
from mockservers.request_stream import RequestFeed, RequestFilter


def create_admin_app(platform: Platform) -> ASGIApp:
    """The admin Starlette app; wrapped in a bearer-token check when an admin token is set."""
    feed = RequestFeed(platform.journal)
    platform.on_shutdown.append(feed.shutdown)

    def error(exc: AdminError) -> JSONResponse:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status)

    async def read_json(request: Request, *, optional: bool = False) -> Any:
        body = await read_body(request, MAX_BODY_BYTES, _too_large)
        if not body.strip():
            if optional:
                return {}
            raise AdminError(400, "invalid_request", "a JSON body is required")
        try:
            return parse_json(body)
        except InvalidJSON as exc:
            raise AdminError(400, "invalid_json", exc.reason) from None

    async def health(request: Request) -> JSONResponse:
        ready = await platform.ready()
        ok = all(ready.values())
        payload = {"status": "ok" if ok else "unavailable", "components": ready, "now": platform.clock.isoformat()}
        return JSONResponse(payload, status_code=200 if ok else 503)

    def request_filter(request: Request) -> RequestFilter:
        """The journal filters of ``GET /requests`` and its stream: a known ``vendor``, a known ``operation``
        (a vendor's own name for it finds its operationId; an unknown one is the 400 faults answer, since
        matching nothing would let a misspelt ``assert_request_made(..., times=0)`` pass), ``status``."""
        q = request.query_params
        vendor = known_vendor(q.get("vendor") or None)
        operation = q.get("operation") or None
        if operation is not None:
            canonical = platform.faults.operation(vendor, operation)
            if canonical is None:
                where = f" for vendor '{vendor}'" if vendor else ""
                valid = platform.faults.valid_operations(vendor)
                message = f"unknown operation '{shown(operation)}'{where}; valid: {valid}"
                raise AdminError(400, "unknown_operation", message)
            operation = canonical
        return RequestFilter(vendor, operation, _int_param(q.get("status"), "status"))

    def known_vendor(vendor: str | None) -> str | None:
        """``vendor`` if it names a mounted vendor or ``s3``; None if absent; else the admin API's 400."""
        if vendor is not None and vendor not in platform.faults.targets:
            raise AdminError(400, "unknown_vendor", f"unknown vendor '{shown(vendor)}'")
        return vendor

    async def reset(request: Request) -> JSONResponse:
        vendor = known_vendor(request.query_params.get("vendor"))
        platform.reset(vendor)
        return JSONResponse({"reset": vendor or "all"})

    async def get_clock(request: Request) -> JSONResponse:
        return JSONResponse(platform.clock.state())

    async def advance_clock(request: Request) -> JSONResponse:
        body = await read_json(request)
        seconds = body.get("seconds") if isinstance(body, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds != seconds:
            raise AdminError(400, "invalid_request", "seconds must be a number")
        try:
            format_iso(platform.clock.now() + seconds)
        except (OverflowError, ValueError, OSError):
            # Accepting it would break every later read of the clock, not just this answer.
            raise AdminError(400, "invalid_request", "seconds would move the clock beyond the years 1..9999") from None
        platform.clock.advance(float(seconds))
        return JSONResponse(platform.clock.state())

    async def freeze_clock(request: Request) -> JSONResponse:
        platform.clock.freeze()
        return JSONResponse(platform.clock.state())

    async def unfreeze_clock(request: Request) -> JSONResponse:
        platform.clock.unfreeze()
        return JSONResponse(platform.clock.state())

    async def reset_clock(request: Request) -> JSONResponse:
        platform.clock.reset()
        return JSONResponse(platform.clock.state())

    async def list_requests(request: Request) -> JSONResponse:
        wanted = request_filter(request)
        limit = _int_param(request.query_params.get("limit"), "limit")
        if limit is not None and limit < 0:
            raise AdminError(400, "invalid_request", "limit must be an integer >= 0")
        entries, total = platform.journal.find(wanted.vendor, wanted.operation, wanted.status, limit)
        return JSONResponse({"requests": [platform.journal.render(e) for e in entries], "meta": {"total": total}})

    async def stream_requests(request: Request) -> Response:
        return feed.stream(request_filter(request))

    async def get_request(request: Request) -> JSONResponse:
        entry = platform.journal.get(request.path_params["id"])
        if entry is None:
            raise AdminError(404, "not_found", f"no request with id '{request.path_params['id']}' in the journal")
        return JSONResponse(platform.journal.render(entry))

    async def clear_requests(request: Request) -> Response:
        platform.journal.clear()
        return Response(status_code=204)

    async def add_fault(request: Request) -> JSONResponse:
        fault = platform.faults.add(await read_json(request))
        return JSONResponse({"id": fault.id, **fault.as_json()}, status_code=201)

    async def list_faults(request: Request) -> JSONResponse:
        return JSONResponse({"faults": [f.as_json() for f in platform.faults.list()]})

    async def delete_fault(request: Request) -> Response:
        if not platform.faults.remove(request.path_params["id"]):
            raise AdminError(404, "not_found", f"no fault with id '{request.path_params['id']}'")
        return Response(status_code=204)

    async def clear_faults(request: Request) -> Response:
        platform.faults.clear()
        return Response(status_code=204)

    async def list_scenarios(request: Request) -> JSONResponse:
        return JSONResponse({"scenarios": [s.as_json() for s in platform.faults.scenarios]})

    async def list_vendors(request: Request) -> JSONResponse:
        return JSONResponse(vendor_state.vendors_json(platform, request.scope.get("root_path", "")))

    async def download_vendor_file(request: Request) -> Response:
        q = request.query_params
        bucket, key = q.get("bucket"), q.get("key")
        if not bucket or not key:
            raise AdminError(400, "invalid_request", "bucket and key are required")
        held = vendor_state.held_file(platform, request.path_params["vendor"], bucket, key)
        return await vendor_state.download(platform, held)

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        return error(AdminError(404, "not_found", f"no admin endpoint {request.method} {request.url.path}"))

    async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        return error(AdminError(405, "method_not_allowed", f"{request.method} is not allowed on {request.url.path}"))

    async def admin_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AdminError)
        return error(exc)

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/clock", get_clock, methods=["GET"]),
        Route("/clock/advance", advance_clock, methods=["POST"]),
        Route("/clock/freeze", freeze_clock, methods=["POST"]),
        Route("/clock/unfreeze", unfreeze_clock, methods=["POST"]),
        Route("/clock/reset", reset_clock, methods=["POST"]),
        Route("/requests", list_requests, methods=["GET"]),
        Route("/requests", clear_requests, methods=["DELETE"]),
        Route("/requests/stream", stream_requests, methods=["GET"]),
        Route("/requests/{id}", get_request, methods=["GET"]),
        Route("/faults", add_fault, methods=["POST"]),
        Route("/faults", list_faults, methods=["GET"]),
        Route("/faults", clear_faults, methods=["DELETE"]),
        Route("/faults/{id}", delete_fault, methods=["DELETE"]),
        Route("/scenarios", list_scenarios, methods=["GET"]),
        Route("/vendors", list_vendors, methods=["GET"]),
        Route("/vendors/{vendor}/files/download", download_vendor_file, methods=["GET"]),
        Route("/ui", ui.ui_page, methods=["GET"]),
        Route("/ui/{asset}", ui.ui_asset, methods=["GET"]),
        Route("/openapi.json", OpenApiEndpoint("admin"), methods=["GET"], name="openapi"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: method_not_allowed, AdminError: admin_error},
    )
    token = platform.settings.server.admin_token
    return AdminTokenGate(app, token) if token else app


MAX_BODY_BYTES = 64 * 1024
"""Largest admin request body read: a fault or a clock move is a few hundred bytes."""


def _too_large() -> AdminError:
    return AdminError(413, "too_large", f"the admin API reads request bodies of at most {MAX_BODY_BYTES} bytes")


def _int_param(raw: str | None, name: str) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise AdminError(400, "invalid_request", f"{name} must be an integer") from None


OPEN_PATHS = frozenset({"/health", *ui.OPEN_PATHS})
"""Admin paths answered without the token, exactly (``/requests/health`` or ``/ui/x`` still need it)."""


class AdminTokenGate:
    """Requires ``Authorization: Bearer <admin token>`` on every admin request but the health check and the
    dashboard's page and files.

    Health stays open so container health checks and load balancers need no secret; it reveals
    nothing and changes nothing. The dashboard's files are the same static bytes for everyone (a
    browser cannot send a bearer token when it opens a page); the page then asks for the token,
    and every call it makes carries it.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        root = scope.get("root_path", "")
        if scope["type"] == "http" and not (path.startswith(root) and path[len(root) :] in OPEN_PATHS):
            given = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
            if not hmac.compare_digest(given, self.expected):
                response = JSONResponse(
                    {
                        "error": {
                            "code": "unauthorized",
                            "message": "the admin API needs Authorization: Bearer <admin token>",
                        }
                    },
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="atsmock-admin"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
