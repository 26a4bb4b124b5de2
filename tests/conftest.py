"""An ``echo`` vendor for platform tests: the real create_app wiring, with routes whose answers we know.

Platform behaviour (dispatch, journal, faults, admin) is vendor-agnostic; testing it through a tiny
vendor we control keeps those tests exact and independent of the PageUp and Ashby mocks. The app
is still built by ``mockservers.app.create_app`` (only its vendor list is swapped), so the wiring
under test is the real one.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mockservers.config import Settings
from mockservers.core.journal import note_error
from mockservers.core.operations import OperationTable
from mockservers.core.scenarios import Scenario
from mockservers.core.vendor import VendorMount
from mockservers.testing import AdminClient, in_process_client, make_app

ECHO_MODULE = "atsmock_tests_echo_vendor"
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


def create_vendor(platform: Any) -> VendorMount:
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


def _patch_echo(mp: pytest.MonkeyPatch) -> None:
    module = types.ModuleType(ECHO_MODULE)
    module.create_vendor = create_vendor  # type: ignore[attr-defined]
    mp.setitem(sys.modules, ECHO_MODULE, module)
    mp.setattr("mockservers.app.IMPLEMENTED", {"echo": ECHO_MODULE})


@pytest.fixture
def make_echo_app(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Build an in-process app whose only vendor is ``echo``; keyword arguments change server settings."""
    _patch_echo(monkeypatch)

    def build(**server: Any) -> Any:
        return make_app(Settings().with_server(**server))

    return build


@pytest.fixture
def echo_app(make_echo_app: Callable[..., Any]) -> Any:
    return make_echo_app()


@pytest.fixture
def echo_vendor(echo_app: Any) -> EchoVendor:
    """The state behind ``echo_app``'s echo mount (reset count, readiness)."""
    state = echo_app.platform.vendors["echo"].reset.__self__
    assert isinstance(state, EchoVendor)
    return state


@pytest.fixture
def echo_client(echo_app: Any) -> Iterator[httpx.Client]:
    with in_process_client(echo_app) as c:
        yield c


@pytest.fixture
def echo_admin(echo_client: httpx.Client) -> AdminClient:
    return AdminClient(echo_client)


@pytest.fixture(scope="session")
def echo_live_server() -> Iterator[Any]:
    """A live server whose only vendor is ``echo`` (the swap is undone before any other test runs)."""
    from mockservers.server import LiveServer

    with pytest.MonkeyPatch.context() as mp:
        _patch_echo(mp)
        server = LiveServer()
    with server:
        yield server


@pytest.fixture
def echo_live(echo_live_server: Any) -> Any:
    echo_live_server.platform.reset()
    return echo_live_server
