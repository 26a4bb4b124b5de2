"""PageUp's HTTP layer: one endpoint per operationId, parsing and auth; the rules live in ``models``.

Paths, relative to the vendor's base URL (``/pageup`` or the root in ``--vendor pageup`` mode):
``POST /connect/token`` and ``/v3/{tenant}/recruitment/document/...`` (seed 000, "URL format").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockservers.core.errors import VendorError
from mockservers.core.operations import OperationTable
from mockservers.core.platform import Platform
from mockservers.core.vendor import VendorMount
from mockservers.pageup.auth import NO_STORE, ApiGuard, TokenEndpoint, oauth_error
from mockservers.pageup.errors import EXCEPTION_HANDLERS, EXPIRED_TOKEN_FLAG, NOT_FOUND_MESSAGE, scenarios
from mockservers.pageup.inputs import (
    MAX_BODY_BYTES,
    body_error,
    is_json_media_type,
    parse_json_body,
    parse_move_request,
    query_value,
    unsupported_media_type,
)
from mockservers.pageup.models import STORE_BUCKET, TEMP_BUCKET, DocumentStore, check_expires_in

DOCUMENT = "/v3/{tenant}/recruitment/document"
MAX_TOKEN_BODY_BYTES = 64 * 1024
"""Largest token request read (inferred; a client credentials request is under 1 KiB)."""


@dataclass
class PageUpVendor:
    """What the endpoints share: kept on the Starlette app's state."""

    store: DocumentStore
    token_endpoint: TokenEndpoint
    guard: ApiGuard
    base_url: str
    openapi: dict[str, Any] | None = field(default=None)


def _vendor(request: Request) -> PageUpVendor:
    vendor: PageUpVendor = request.app.state.pageup
    return vendor


def _authorize(request: Request, operation: str) -> tuple[PageUpVendor, str]:
    """The vendor state and the URL's tenant, once the caller may call ``operation`` on it."""
    vendor = _vendor(request)
    tenant = str(request.path_params["tenant"])
    vendor.guard.authorize(request.headers.get("authorization"), tenant, operation)
    return vendor, tenant


# -- endpoints (function names are the operationIds) -------------------------------------------


async def requestToken(request: Request) -> Response:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise oauth_error(400, "invalid_request", "The request must be application/x-www-form-urlencoded.")
    raw = await _read_body(request, MAX_TOKEN_BODY_BYTES, token=True)
    try:
        form = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        raise oauth_error(400, "invalid_request", "The request body is not valid form data.") from None
    expired = bool(request.scope.get(EXPIRED_TOKEN_FLAG))
    answer = _vendor(request).token_endpoint.grant(form, request.headers.get("authorization"), already_expired=expired)
    return JSONResponse(answer, headers=NO_STORE)


async def prepareTempDirectUpload(request: Request) -> Response:
    vendor, tenant = _authorize(request, "prepareTempDirectUpload")
    items = request.query_params.multi_items()
    filename = query_value(items, "filename")
    content_type = query_value(items, "contentType")
    return JSONResponse(vendor.store.prepare_upload(tenant, filename or "", content_type or None))


async def moveFromTemp(request: Request) -> Response:
    vendor, tenant = _authorize(request, "moveFromTemp")
    content_type = request.headers.get("content-type")
    if not is_json_media_type(content_type):
        raise unsupported_media_type(content_type)
    body = parse_json_body(await _read_body(request, MAX_BODY_BYTES))
    document = vendor.store.move_from_temp(tenant, parse_move_request(body))
    return JSONResponse(document.as_json())


async def getDocument(request: Request) -> Response:
    document_id = _document_id(request.path_params["id"])
    if document_id is None:  # an ASP.NET {id:long} route misses before any filter runs (inferred)
        raise VendorError(404, "not_found", NOT_FOUND_MESSAGE)
    vendor, tenant = _authorize(request, "getDocument")
    expires_in = check_expires_in(query_value(request.query_params.multi_items(), "expiresInSeconds"))
    return JSONResponse(vendor.store.download(tenant, document_id, expires_in))


async def openapi(request: Request) -> Response:
    vendor = _vendor(request)
    if vendor.openapi is None:
        from contracts import load_openapi

        vendor.openapi = {**load_openapi("pageup"), "servers": [{"url": vendor.base_url}]}
    return JSONResponse(vendor.openapi)


ROUTES = [
    Route("/connect/token", requestToken, methods=["POST"]),
    Route(f"{DOCUMENT}/prepareTempDirectUpload", prepareTempDirectUpload, methods=["GET"]),
    Route(f"{DOCUMENT}/moveFromTemp", moveFromTemp, methods=["POST"]),
    Route(f"{DOCUMENT}/{{id}}", getDocument, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]


def _document_id(raw: str) -> int | None:
    """A path id that is a positive 64-bit integer, else None (an ASP.NET ``{id:long}`` route misses)."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value < 2**63 else None


async def _read_body(request: Request, limit: int, *, token: bool = False) -> bytes:
    """The body, refusing (413) past ``limit`` bytes without reading them all."""
    declared = request.headers.get("content-length", "")
    too_large = f"The request body is larger than {limit} bytes."
    if declared.isdigit() and int(declared) > limit:
        raise oauth_error(413, "invalid_request", too_large) if token else body_error(too_large, status=413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise oauth_error(413, "invalid_request", too_large) if token else body_error(too_large, status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def create_vendor(platform: Platform) -> VendorMount:
    """The PageUp mount: its Starlette app, operations, scenarios and reset."""
    settings = platform.settings.pageup
    s3 = platform.s3

    def ensure_buckets() -> None:
        s3.ensure_bucket(TEMP_BUCKET, settings.region, max_object_size=settings.max_file_size)
        s3.ensure_bucket(STORE_BUCKET, settings.region)

    ensure_buckets()
    store = DocumentStore(settings, platform.clock, s3)
    guard = ApiGuard(settings, platform.tokens, platform.clock)
    app = Starlette(routes=ROUTES, exception_handlers=EXCEPTION_HANDLERS)
    app.router.redirect_slashes = False
    app.state.pageup = PageUpVendor(
        store, TokenEndpoint(settings, platform.tokens), guard, platform.vendor_url("pageup")
    )

    def reset() -> None:
        store.reset()
        guard.quota.reset()
        s3.reset([TEMP_BUCKET, STORE_BUCKET])
        ensure_buckets()

    return VendorMount(
        "pageup",
        app,
        OperationTable.from_routes(ROUTES, exclude=("openapi",)),
        scenarios(app, platform.clock),
        reset=reset,
    )
