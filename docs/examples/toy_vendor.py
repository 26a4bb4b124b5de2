"""A whole vendor in one file: what docs/adding-a-vendor.md walks through, and what its test registers.

A real vendor spreads these parts over ``mockservers/<name>/`` (settings.py, auth.py, models.py,
errors.py, routes.py, __init__.py); here they are sections of one module so the example reads in
one go. Everything it uses is atsmock's public vendor interface.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockservers.core import errors as kinds
from mockservers.core.errors import VendorError
from mockservers.core.http import InvalidJSON, bearer_token, error_scenario, parse_json, read_body, vendor_app
from mockservers.core.journal import note_error
from mockservers.core.operations import OperationTable
from mockservers.core.platform import Platform
from mockservers.core.vendor import Credential, Vendor, VendorMount

# -- settings.py: the [toy] TOML section and ATSMOCK_TOY_* variables, with the default credentials --------


@dataclass(frozen=True)
class ToySettings:
    api_key: str = "toy-key"
    max_items: int = 3


def credentials(settings: ToySettings) -> Sequence[Credential]:
    return [Credential("bearer token", settings.api_key, "", "items")]


# -- models.py: state and rules, no HTTP; refusals are facts ------------------------------------------------


class Shelf:
    def __init__(self, settings: ToySettings) -> None:
        self.settings = settings
        self.items: dict[int, str] = {}

    def add(self, name: Any) -> int:
        if not isinstance(name, str) or not name:
            raise VendorError(kinds.INVALID_INPUT, "name is required", field="name")
        if len(self.items) >= self.settings.max_items:
            raise VendorError(kinds.CONFLICT, "the shelf is full", code="shelf_full")
        item_id = len(self.items) + 1
        self.items[item_id] = name
        return item_id

    def get(self, item_id: int) -> str:
        if item_id not in self.items:
            raise VendorError(kinds.NOT_FOUND, f"no item {item_id}")
        return self.items[item_id]


# -- errors.py: each kind's status, and the vendor's envelope, in one render function -----------------------

STATUS: Mapping[str, int] = {
    kinds.INVALID_INPUT: 400,
    kinds.UNAUTHENTICATED: 401,
    kinds.FORBIDDEN: 403,
    kinds.NOT_FOUND: 404,
    kinds.NO_ROUTE: 404,
    kinds.METHOD_NOT_ALLOWED: 405,
    kinds.CONFLICT: 409,
    kinds.TOO_LARGE: 413,
    kinds.UNSUPPORTED_MEDIA_TYPE: 415,
    kinds.UNPROCESSABLE: 422,
    kinds.RATE_LIMITED: 429,
    kinds.INTERNAL: 500,
    kinds.UNAVAILABLE: 503,
}


def render(error: VendorError, scope: MutableMapping[str, Any]) -> Response:
    note_error(scope, error.code)
    body = {"toy_error": error.code, "detail": error.message or "something went wrong"}
    return JSONResponse(body, status_code=STATUS[error.kind], headers=error.headers)


# -- auth.py and routes.py: endpoints named by operationId ------------------------------------------------------


def _shelf(request: Request) -> Shelf:
    shelf: Shelf = request.app.state.vendor
    if bearer_token(request.headers.get("authorization")) != shelf.settings.api_key:
        raise VendorError(kinds.UNAUTHENTICATED, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    return shelf


async def addItem(request: Request) -> Response:
    shelf = _shelf(request)
    raw = await read_body(request, 64 * 1024, lambda: VendorError(kinds.TOO_LARGE, "at most 64 KiB"))
    try:
        body = parse_json(raw)
    except InvalidJSON as exc:
        raise VendorError(kinds.INVALID_INPUT, exc.reason) from None
    name = body.get("name") if isinstance(body, dict) else None
    return JSONResponse({"id": shelf.add(name)}, status_code=201)


async def getItem(request: Request) -> Response:
    return JSONResponse({"name": _shelf(request).get(request.path_params["id"])})


ROUTES = [
    Route("/items", addItem, methods=["POST"]),
    Route("/items/{id:int}", getItem, methods=["GET"]),
]


def create_vendor(platform: Platform, settings: ToySettings) -> VendorMount:
    shelf = Shelf(settings)
    unavailable = error_scenario(
        "toy.unavailable",
        "toy",
        "HTTP 503 in the toy envelope.",
        lambda: VendorError(kinds.UNAVAILABLE, "try later", headers={"Retry-After": "2"}),
        render,
        status=503,
    )
    return VendorMount(
        "toy",
        vendor_app(ROUTES, render, shelf),
        OperationTable.from_routes(ROUTES),
        (unavailable,),
        reset=shelf.items.clear,
    )


# -- __init__.py: the vendor, which one line of mockservers/vendors.py registers --------------------------------

VENDOR = Vendor(
    "toy",
    "Toy shelf (example)",
    ToySettings,
    credentials,
    create_vendor,
    secret_headers=frozenset({"x-toy-session"}),
)
