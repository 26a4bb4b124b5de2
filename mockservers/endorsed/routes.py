"""Endorsed's HTTP layer: one endpoint per operationId; parsing and auth here, the rules in ``models``
and ``attachments``.

Paths, relative to the vendor's base URL (``/endorsed``, or the root in ``--vendor endorsed`` mode),
are Endorsed's own below ``https://endorsed.ai``: ``/api/v1/auth/tokens``, ``/api/v1/candidates``,
``/api/v1/attachments``. Every API call authenticates first (401/403), then reads its body.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockservers.core.http import OpenApiEndpoint, servers, vendor_app
from mockservers.core.operations import OperationTable
from mockservers.core.platform import Platform
from mockservers.core.vendor import HeldFile, Inventory, VendorMount
from mockservers.endorsed.attachments import BUCKET, Attachment, AttachmentStore, parse_attachment
from mockservers.endorsed.auth import NO_STORE, READ, WRITE, ApiGuard, TokenEndpoint
from mockservers.endorsed.errors import render, result, route_errors, scenarios, server_error
from mockservers.endorsed.inputs import body_kind, multipart, read_form, read_json_object
from mockservers.endorsed.models import CandidateBook, Ref, parse_candidate
from mockservers.endorsed.settings import EndorsedSettings

API = "/api/v1"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class EndorsedVendor:
    """What the endpoints share: kept on the Starlette app's state."""

    settings: EndorsedSettings
    tokens: TokenEndpoint
    guard: ApiGuard
    candidates: CandidateBook
    attachments: AttachmentStore


def _authorized(request: Request, scope: str) -> EndorsedVendor:
    vendor: EndorsedVendor = request.app.state.vendor
    vendor.guard.authorize(request.headers.get("authorization"), scope)
    return vendor


def _ref(request: Request) -> Ref:
    return Ref.parse(str(request.path_params["id"]))


# -- access tokens ------------------------------------------------------------------------------------


async def createAccessToken(request: Request) -> Response:
    vendor: EndorsedVendor = request.app.state.vendor
    form = body_kind(request, (FORM, JSON), FORM) == FORM
    body = await read_form(request) if form else await read_json_object(request)
    return JSONResponse(vendor.tokens.grant(body, form=form), headers=NO_STORE)


# -- candidates ---------------------------------------------------------------------------------------


async def createCandidate(request: Request) -> Response:
    vendor = _authorized(request, WRITE)
    body_kind(request, (JSON,), JSON)
    candidate = vendor.candidates.create(parse_candidate(await read_json_object(request)))
    return result({"id": candidate.id}, 201)


async def getCandidate(request: Request) -> Response:
    vendor = _authorized(request, READ)
    return result(vendor.candidates.find(_ref(request)).as_json())


async def updateCandidate(request: Request) -> Response:
    vendor = _authorized(request, WRITE)
    ref = _ref(request)
    body_kind(request, (JSON,), JSON)
    candidate = vendor.candidates.update(ref, parse_candidate(await read_json_object(request)))
    return result({"id": candidate.id})


# -- attachments --------------------------------------------------------------------------------------


async def _write(request: Request, vendor: EndorsedVendor, ref: Ref | None) -> tuple[Attachment, bool]:
    """The create or upsert body, multipart (the default) or JSON, into the store."""
    if body_kind(request, (MULTIPART, JSON), MULTIPART) == JSON:
        data, source = parse_attachment(await read_json_object(request), multipart=False)
        return await vendor.attachments.put(ref, data, source)
    async with multipart(request, vendor.settings.max_file_size) as values:
        data, source = parse_attachment(values, multipart=True)
        return await vendor.attachments.put(ref, data, source)


async def createAttachment(request: Request) -> Response:
    vendor = _authorized(request, WRITE)
    attachment, _ = await _write(request, vendor, None)
    return result({"id": attachment.id}, 201)


async def getAttachment(request: Request) -> Response:
    vendor = _authorized(request, READ)
    store = vendor.attachments
    return result(store.view(store.get(_ref(request))))


async def upsertAttachment(request: Request) -> Response:
    vendor = _authorized(request, WRITE)
    attachment, created = await _write(request, vendor, _ref(request))
    return result({"id": attachment.id}, 201 if created else 200)


async def deleteAttachment(request: Request) -> Response:
    vendor = _authorized(request, WRITE)
    return result({"id": vendor.attachments.delete(_ref(request)).id})


ROUTES = [
    Route(f"{API}/auth/tokens", createAccessToken, methods=["POST"]),
    Route(f"{API}/candidates", createCandidate, methods=["POST"]),
    Route(f"{API}/candidates/{{id:path}}", getCandidate, methods=["GET"]),
    Route(f"{API}/candidates/{{id:path}}", updateCandidate, methods=["PUT"]),
    Route(f"{API}/attachments", createAttachment, methods=["POST"]),
    Route(f"{API}/attachments/{{id:path}}", getAttachment, methods=["GET"]),
    Route(f"{API}/attachments/{{id:path}}", upsertAttachment, methods=["PUT"]),
    Route(f"{API}/attachments/{{id:path}}", deleteAttachment, methods=["DELETE"]),
]


def inventory(candidates: CandidateBook, attachments: AttachmentStore) -> Inventory:
    """What the dashboard shows: candidates and attachments, and every attachment's stored file."""
    held = list(attachments.records.by_id.values())
    files = [HeldFile(a.file_name, a.size, a.content_type, BUCKET, a.key) for a in held]
    return Inventory({"candidates": len(candidates.records), "attachments": len(held)}, files)


def create_vendor(platform: Platform, settings: EndorsedSettings) -> VendorMount:
    """The Endorsed mount: its Starlette app, operations, scenarios and reset."""
    s3 = platform.s3
    s3.ensure_bucket(BUCKET, settings.region, max_object_size=settings.max_file_size)
    candidates = CandidateBook(settings, platform.clock, platform.state)
    attachments = AttachmentStore(settings, platform.clock, s3, platform.fetcher, candidates, platform.state)
    state = EndorsedVendor(
        settings, TokenEndpoint(settings, platform.tokens), ApiGuard(platform.tokens), candidates, attachments
    )
    contract = OpenApiEndpoint("endorsed", servers(platform.vendor_url("endorsed")))
    routes = [*ROUTES, Route("/openapi.json", contract, methods=["GET"], name="openapi")]

    def reset() -> None:
        candidates.reset()
        attachments.reset()
        s3.reset([BUCKET])  # the bucket stays registered

    return VendorMount(
        "endorsed",
        vendor_app(routes, render, state, route_errors, server_error),
        OperationTable.from_routes(ROUTES),
        scenarios(),
        reset=reset,
        inventory=lambda: inventory(candidates, attachments),
    )
