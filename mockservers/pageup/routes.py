"""PageUp's HTTP layer: one endpoint per operationId, parsing and auth; the rules live in ``models``.

Paths, relative to the vendor's base URL (``/pageup`` or the root in ``--vendor pageup`` mode):
``POST /connect/token`` and ``/v3/{tenant}/recruitment/document/...`` (seed 000, "URL format").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockservers.core import errors as kinds
from mockservers.core.errors import VendorError
from mockservers.core.http import OpenApiEndpoint, VendorApp, media_type, read_body, servers, vendor_app
from mockservers.core.operations import OperationTable
from mockservers.core.platform import Platform
from mockservers.core.vendor import HeldFile, Inventory, VendorMount, staged_file
from mockservers.pageup.auth import NO_STORE, ApiGuard, TokenEndpoint, bad_request, oauth_error
from mockservers.pageup.errors import NOT_FOUND_MESSAGE, render, route_errors, scenarios, server_error
from mockservers.pageup.inputs import (
    MAX_BODY_BYTES,
    accepts_json,
    parse_json_body,
    parse_move_request,
    query_value,
    too_large,
    unsupported_media_type,
)
from mockservers.pageup.models import STORE_BUCKET, TEMP_BUCKET, DocumentStore, check_expires_in
from mockservers.pageup.settings import PageUpSettings
from mockservers.s3.storage import Storage

DOCUMENT = "/v3/{tenant}/recruitment/document"
MAX_TOKEN_BODY_BYTES = 64 * 1024
"""Largest token request read (inferred; a client credentials request is under 1 KiB)."""


@dataclass(frozen=True)
class PageUpVendor:
    """What the endpoints share: kept on the Starlette app's state.

    ``expired_tokens`` is the ``pageup.invalid_token`` scenario's copy: the token endpoint answers
    normally but with tokens that have already expired.
    """

    store: DocumentStore
    token_endpoint: TokenEndpoint
    guard: ApiGuard
    expired_tokens: bool = False


def _vendor(request: Request) -> PageUpVendor:
    vendor: PageUpVendor = request.app.state.vendor
    return vendor


def _authorize(request: Request, operation: str) -> tuple[PageUpVendor, str]:
    """The vendor state and the URL's tenant, once the caller may call ``operation`` on it."""
    vendor = _vendor(request)
    tenant = str(request.path_params["tenant"])
    vendor.guard.authorize(request.headers.get("authorization"), tenant, operation)
    return vendor, tenant


# -- endpoints (function names are the operationIds) -------------------------------------------


async def requestToken(request: Request) -> Response:
    if media_type(request.headers.get("content-type")) != "application/x-www-form-urlencoded":
        raise oauth_error(
            kinds.INVALID_INPUT, "invalid_request", "The request must be application/x-www-form-urlencoded."
        )
    raw = await read_body(request, MAX_TOKEN_BODY_BYTES, lambda: _token_too_large(MAX_TOKEN_BODY_BYTES))
    try:
        form = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        raise bad_request("invalid_request", "The request body is not valid form data.") from None
    vendor = _vendor(request)
    answer = vendor.token_endpoint.grant(
        form, request.headers.get("authorization"), already_expired=vendor.expired_tokens
    )
    return JSONResponse(answer, headers=NO_STORE)


def _token_too_large(limit: int) -> VendorError:
    return oauth_error(kinds.TOO_LARGE, "invalid_request", f"The request body is larger than {limit} bytes.")


async def prepareTempDirectUpload(request: Request) -> Response:
    vendor, tenant = _authorize(request, "prepareTempDirectUpload")
    items = request.query_params.multi_items()
    filename = query_value(items, "filename")
    content_type = query_value(items, "contentType")
    return JSONResponse(vendor.store.prepare_upload(tenant, filename or "", content_type or None))


async def moveFromTemp(request: Request) -> Response:
    vendor, tenant = _authorize(request, "moveFromTemp")
    content_type = request.headers.get("content-type")
    if not accepts_json(content_type):
        raise unsupported_media_type(content_type)
    body = parse_json_body(await read_body(request, MAX_BODY_BYTES, lambda: too_large(MAX_BODY_BYTES)))
    document = vendor.store.move_from_temp(tenant, parse_move_request(body))
    return JSONResponse(document.as_json())


async def getDocument(request: Request) -> Response:
    document_id = _document_id(request.path_params["id"])
    if document_id is None:  # an ASP.NET {id:long} route misses before any filter runs (inferred)
        raise VendorError(kinds.NOT_FOUND, NOT_FOUND_MESSAGE)
    vendor, tenant = _authorize(request, "getDocument")
    query = request.scope["query_string"]  # most reads have none: skip parsing it then
    expires_in = check_expires_in(
        query_value(request.query_params.multi_items(), "expiresInSeconds") if query else None
    )
    return JSONResponse(vendor.store.download(tenant, document_id, expires_in))


ROUTES = [
    Route("/connect/token", requestToken, methods=["POST"]),
    Route(f"{DOCUMENT}/prepareTempDirectUpload", prepareTempDirectUpload, methods=["GET"]),
    Route(f"{DOCUMENT}/moveFromTemp", moveFromTemp, methods=["POST"]),
    Route(f"{DOCUMENT}/{{id}}", getDocument, methods=["GET"]),
]


def _document_id(raw: str) -> int | None:
    """A path id that is a positive 64-bit integer, else None (an ASP.NET ``{id:long}`` route misses)."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value < 2**63 else None


def inventory(store: DocumentStore, objects: Storage) -> Inventory:
    """What the dashboard shows: documents and temp uploads, and every stored file (a temp upload once PUT)."""
    files = [HeldFile(d.file_name, d.size, d.content_type, STORE_BUCKET, d.key) for d in store.documents.values()]
    for u in store.uploads.values():
        if staged := staged_file(objects, u.file_name, u.content_type, TEMP_BUCKET, u.key):
            files.append(staged)
    return Inventory({"documents": len(store.documents), "temp uploads": len(store.uploads)}, files)


def create_vendor(platform: Platform, settings: PageUpSettings) -> VendorMount:
    """The PageUp mount: its Starlette app, operations, scenarios and reset."""
    s3 = platform.s3

    def ensure_buckets() -> None:
        s3.ensure_bucket(TEMP_BUCKET, settings.region, max_object_size=settings.max_file_size)
        s3.ensure_bucket(STORE_BUCKET, settings.region)

    ensure_buckets()
    store = DocumentStore(settings, platform.clock, s3, platform.state)
    guard = ApiGuard(settings, platform.tokens, platform.clock, platform.state)
    state = PageUpVendor(store, TokenEndpoint(settings, platform.tokens), guard)
    contract = OpenApiEndpoint("pageup", servers(platform.vendor_url("pageup")))
    routes = [*ROUTES, Route("/openapi.json", contract, methods=["GET"], name="openapi")]

    def app_for(vendor: PageUpVendor) -> VendorApp:
        return vendor_app(routes, render, vendor, route_errors, server_error)

    issuing_expired = app_for(dataclasses.replace(state, expired_tokens=True))

    def reset() -> None:
        store.reset()
        guard.quota.reset()
        s3.reset([TEMP_BUCKET, STORE_BUCKET])
        ensure_buckets()

    return VendorMount(
        "pageup",
        app_for(state),
        OperationTable.from_routes(ROUTES),
        scenarios(issuing_expired, platform.clock),
        reset=reset,
        inventory=lambda: inventory(store, s3),
    )
