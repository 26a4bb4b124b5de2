"""The ``echo`` vendor: a whole vendor through the public interface, whose answers the platform tests know.

Platform behaviour (dispatch, journal, faults, admin, the CLI) is vendor-agnostic; testing it
through a tiny vendor we control keeps those tests exact and independent of the real vendors.
``ECHO`` is handed to ``create_app`` / ``make_app`` / ``cli.main`` as ``vendors=[ECHO]``, never
patched into the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mockservers.core.journal import note_error
from mockservers.core.operations import OperationTable
from mockservers.core.scenarios import Scenario
from mockservers.core.vendor import Credential, Vendor, VendorMount

ECHO_OPERATIONS = frozenset({"create_thing", "get_thing", "get_blob", "refuse", "crash"})
ECHO_SERVER_ERROR_BODY = b'{"echo_error":"server_error"}'


def _server_error() -> Response:
    return Response(
        ECHO_SERVER_ERROR_BODY, status_code=503, media_type="application/json", headers={"Retry-After": "7"}
    )


ECHO_SCENARIOS = (
    Scenario(
        "echo.server_error",
        "echo",
        "Answer 503 with the echo envelope.",
        status=503,
        error_code="server_error",
        respond=_server_error,
    ),
)


class EchoVendor:
    """State of one echo mount: how often it was reset, and whether it reports itself ready."""

    def __init__(self) -> None:
        self.resets = 0
        self.is_ready = True

    def reset(self) -> None:
        self.resets += 1

    def ready(self) -> bool:
        return self.is_ready


async def create_thing(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"size": len(body)}, status_code=201)


async def get_thing(request: Request) -> JSONResponse:
    return JSONResponse({"id": request.path_params["id"]})


async def get_blob(request: Request) -> Response:
    return Response(b"x" * int(request.path_params["size"]), media_type="application/octet-stream")


async def refuse(request: Request) -> JSONResponse:
    note_error(request.scope, "forbidden")
    return JSONResponse({"echo_error": "forbidden"}, status_code=403)


async def crash(request: Request) -> Response:  # pragma: no cover - the raw wrapper raises first
    raise AssertionError("unreachable")


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"echo_error": "not_found"}, status_code=404)


@dataclass(frozen=True)
class EchoSettings:
    """The echo vendor's ``[echo]`` section: one key, shown by ``credentials``."""

    key: str = "echo-key"
    secret: str = "echo-secret"


def create_vendor(platform: Any, settings: EchoSettings) -> VendorMount:
    routes = [
        Route("/things", create_thing, methods=["POST"]),
        Route("/things/{id}", get_thing, methods=["GET"]),
        Route("/blobs/{size:int}", get_blob, methods=["GET"]),
        Route("/refuse", refuse, methods=["GET"]),
        Route("/crash", crash, methods=["GET"]),
    ]
    starlette_app = Starlette(routes=routes, exception_handlers={404: _not_found})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # A raw ASGI failure (no response started), which the dispatcher must answer itself.
        if scope["path"].endswith("/crash"):
            raise RuntimeError("echo vendor bug")
        await starlette_app(scope, receive, send)

    vendor = EchoVendor()
    return VendorMount(
        "echo", app, OperationTable.from_routes(routes), ECHO_SCENARIOS, reset=vendor.reset, ready=vendor.ready
    )


ECHO = Vendor(
    "echo",
    "Echo (tests)",
    EchoSettings,
    lambda s: [Credential("echo key", s.key, s.secret, "everything")],
    create_vendor,
    secret_headers=frozenset({"x-echo-key"}),
)
"""A whole vendor through the public interface: settings, credentials, secret headers, create."""
