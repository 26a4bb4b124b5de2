"""Clinch's HTTP layer: one endpoint per operationId of seed 003, under ``/v1`` as the vendor serves them.

Every endpoint reads its body (capped), checks the api_auth signature over it (401), then, for a
body, its media type (415), the candidate the path names (404) and the JSON:API document (400/422),
and calls the rules in ``models``. Answers are JSON:API documents (``application/vnd.api+json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockservers.clinch import inputs
from mockservers.clinch.auth import HmacVerifier, SignedRequest, request_uris
from mockservers.clinch.documents import ResourceWriter
from mockservers.clinch.errors import JsonApiResponse, render, route_errors, scenarios, server_error
from mockservers.clinch.models import FILES_BUCKET, Candidate, CandidateStore
from mockservers.clinch.settings import ClinchSettings
from mockservers.config import ConfigError
from mockservers.core.http import OpenApiEndpoint, servers, vendor_app
from mockservers.core.operations import OperationTable
from mockservers.core.platform import Platform
from mockservers.core.vendor import HeldFile, Inventory, VendorMount

CANDIDATE_TYPES = ("candidate", "candidates")
"""``data.type`` of a candidate: the seed's example says ``candidate``, the Ruby client sends ``candidates``."""
TAG_TYPES = ("tag", "tags")
FILE_TYPES = ("candidate_files", "candidate_file")


@dataclass(frozen=True)
class ClinchVendor:
    """What the endpoints share: kept on the Starlette app's state."""

    settings: ClinchSettings
    verifier: HmacVerifier
    store: CandidateStore
    writer: ResourceWriter
    zone: tzinfo


async def _signed(request: Request, limit: int = inputs.BODY_LIMIT) -> tuple[ClinchVendor, bytes]:
    """The vendor state and the body, once the request's signature verifies."""
    vendor: ClinchVendor = request.app.state.vendor
    raw = await inputs.body(request, limit)
    inputs.query_items(request)  # a query Rails cannot read is its 400, before any callback checks the signature
    signed = SignedRequest(request.method, request_uris(request.scope), inputs.headers_of(request), raw)
    vendor.verifier.authenticate(signed)
    return vendor, raw


async def _with_body(request: Request, limit: int = inputs.BODY_LIMIT) -> tuple[ClinchVendor, bytes]:
    vendor, raw = await _signed(request, limit)
    inputs.check_media_type(request.headers.get("content-type"))
    return vendor, raw


def _candidate(vendor: ClinchVendor, request: Request) -> Candidate:
    return vendor.store.candidate(str(request.path_params["candidateId"]))


def _answer(document: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JsonApiResponse(document, status_code=status, headers=headers)


# -- candidates ---------------------------------------------------------------------------------------


async def listCandidates(request: Request) -> Response:
    vendor, _ = await _signed(request)
    items = inputs.query_items(request)
    include = inputs.include(items)
    where = inputs.candidate_filter(items, vendor.zone)
    number, size = inputs.paging(items, vendor.settings.default_page_size, vendor.settings.max_page_size)
    page = vendor.store.list_candidates(where, number, size)
    writer = vendor.writer
    document: dict[str, Any] = {
        "data": [writer.candidate(c) for c in page.candidates],
        "links": _page_links(f"{writer.base_url}/candidates", items, page.number, page.size, page.count),
        "meta": {"record_count": page.total, "page_count": page.count},
    }
    if include:
        document["included"] = writer.included(page.candidates, include)
    return _answer(document)


def _page_links(url: str, items: list[tuple[str, str]], number: int, size: int, count: int) -> dict[str, str]:
    """JSON:API paging links (inferred: ``self``, ``first``, ``prev``, ``next``, ``last``; absent ones
    omitted), each keeping the request's other parameters and its ``per_page``."""
    kept = [(k, v) for k, v in items if k not in ("page", "per_page")]

    def link(page: int) -> str:
        return f"{url}?{urlencode([*kept, ('page', str(page)), ('per_page', str(size))], safe='[],')}"

    links = {"self": link(number), "first": link(1)}
    if number > 1:
        links["prev"] = link(min(number - 1, count))
    if number < count:
        links["next"] = link(number + 1)
    links["last"] = link(count)
    return links


async def createCandidate(request: Request) -> Response:
    vendor, raw = await _with_body(request)
    candidate = vendor.store.create_candidate(inputs.resource_attributes(raw, CANDIDATE_TYPES))
    location = {"Location": vendor.writer.candidate_url(candidate.id)}
    return _answer({"data": vendor.writer.candidate(candidate)}, 201, location)


async def getCandidate(request: Request) -> Response:
    vendor, _ = await _signed(request)
    include = inputs.include(inputs.query_items(request))
    candidate = _candidate(vendor, request)
    document: dict[str, Any] = {"data": vendor.writer.candidate(candidate)}
    if include:
        document["included"] = vendor.writer.included([candidate], include)
    return _answer(document)


async def updateCandidate(request: Request) -> Response:
    vendor, raw = await _with_body(request)
    candidate = _candidate(vendor, request)
    attributes = inputs.resource_attributes(raw, CANDIDATE_TYPES, candidate.id)
    return _answer({"data": vendor.writer.candidate(vendor.store.update_candidate(candidate, attributes))})


# -- tags -------------------------------------------------------------------------------------------------


async def getCandidateTag(request: Request) -> Response:
    vendor, _ = await _signed(request)
    candidate = _candidate(vendor, request)
    return _answer({"data": [vendor.writer.tag(t) for t in candidate.tags]})


async def createCandidateTag(request: Request) -> Response:
    vendor, raw = await _with_body(request)
    candidate = _candidate(vendor, request)
    tag = vendor.store.add_tag(candidate, inputs.resource_attributes(raw, TAG_TYPES))
    return _answer({"data": vendor.writer.tag(tag)})


async def deleteCandidateTag(request: Request) -> Response:
    """200 with only top-level ``meta`` (JSON:API 1.0 "Deleting Resources"; the seed answers 200)."""
    vendor, _ = await _signed(request)
    vendor.store.delete_tag(_candidate(vendor, request), str(request.path_params["tagId"]))
    return _answer({"meta": {}})


# -- files --------------------------------------------------------------------------------------------------


async def createCandidateFile(request: Request) -> Response:
    vendor: ClinchVendor = request.app.state.vendor
    vendor, raw = await _with_body(request, inputs.file_body_limit(vendor.settings.max_file_bytes))
    candidate = _candidate(vendor, request)
    stored = vendor.store.add_file(candidate, inputs.resource_attributes(raw, FILE_TYPES))
    return _answer({"data": vendor.writer.candidate_file(stored)}, 201)


ROUTES = [
    Route(f"/v1/candidates{path}", endpoint, methods=[method])
    for method, path, endpoint in (
        ("GET", "", listCandidates),
        ("POST", "", createCandidate),
        ("GET", "/{candidateId}", getCandidate),
        ("PATCH", "/{candidateId}", updateCandidate),
        ("GET", "/{candidateId}/tags", getCandidateTag),
        ("POST", "/{candidateId}/tags", createCandidateTag),
        ("DELETE", "/{candidateId}/tags/{tagId}", deleteCandidateTag),
        ("POST", "/{candidateId}/candidate_files", createCandidateFile),
    )
]


def account_zone(name: str) -> tzinfo:
    """The configured ``time_zone`` (``UTC`` even where the system has no zone database)."""
    if name == "UTC":
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only for another zone: ~2 ms of start-up otherwise

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("clinch.time_zone", f"{name!r} is not an IANA time zone such as Europe/London") from None


def inventory(store: CandidateStore) -> Inventory:
    """What the dashboard shows: candidates, their tags and files, and every stored file."""
    held = list(store.candidates.values())
    files = [HeldFile(f.filename, f.size, f.content_type, FILES_BUCKET, f.key) for c in held for f in c.files]
    counts = {"candidates": len(held), "tags": sum(len(c.tags) for c in held), "files": len(files)}
    return Inventory(counts, files)


def create_vendor(platform: Platform, settings: ClinchSettings) -> VendorMount:
    """The Clinch mount: its Starlette app (the API under ``/v1``, the contract at ``/v1/openapi`` and,
    like every atsmock vendor, ``/openapi.json``), operations, scenarios and reset."""
    s3 = platform.s3
    s3.ensure_bucket(FILES_BUCKET, settings.region)
    zone = account_zone(settings.time_zone)
    store = CandidateStore(settings, platform.clock, s3, platform.state)
    base = f"{platform.vendor_url('clinch')}/v1"
    writer = ResourceWriter(base, platform.clock, zone, store)
    state = ClinchVendor(settings, HmacVerifier(settings, platform.clock), store, writer, zone)
    contract = OpenApiEndpoint("clinch", servers(base))
    routes = [
        *ROUTES,
        Route("/v1/openapi", contract, methods=["GET"], name="openapi"),
        Route("/openapi.json", contract, methods=["GET"], name="openapi_json"),
    ]

    def reset() -> None:
        store.reset()
        s3.reset([FILES_BUCKET])  # the bucket stays registered

    return VendorMount(
        "clinch",
        vendor_app(routes, render, state, route_errors, server_error),
        OperationTable.from_routes(ROUTES),
        scenarios(),
        reset=reset,
        inventory=lambda: inventory(store),
    )
