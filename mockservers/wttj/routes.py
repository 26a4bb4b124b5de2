"""Welcome to the Jungle's HTTP layer: one endpoint per operationId; the rules live in ``models``/``documents``.

Paths, relative to the vendor's base URL (``/wttj``, or the root with ``--vendor wttj``), are the real
ones under ``https://www.welcomekit.co``: ``/api/v1/external/candidates``, ``/api/v1/external/documents``.
Every endpoint reads and checks its parameters first, then authenticates (``params``), then applies
the rules. Successful POSTs answer 201 Created (Grape's default for POST; nothing in the docs overrides it).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockservers.core.http import OpenApiEndpoint, VendorApp, servers, vendor_app
from mockservers.core.operations import OperationTable
from mockservers.core.platform import Platform
from mockservers.core.vendor import HeldFile, Inventory, VendorMount
from mockservers.wttj.auth import TokenRing
from mockservers.wttj.documents import Documents
from mockservers.wttj.errors import render, route_errors, scenarios, server_error
from mockservers.wttj.files import BUCKET, FileStore, RemoteFetcher, TimingOut
from mockservers.wttj.models import REMOTE_SLOTS, Candidate, CandidateFilter, Candidates, candidate_files, tag_list
from mockservers.wttj.paging import paginate, read_paging
from mockservers.wttj.params import read_params
from mockservers.wttj.settings import WttjSettings

API = "/api/v1/external"
AVATAR_PATH = "/assets/default-avatar.png"
AVATAR = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
"""The ``avatar_url`` of a candidate without an image (the docs show a default avatar under ``/assets``):
a 1x1 PNG the mock serves itself, so every URL it hands out answers."""

OPTIONAL_FIELDS = (
    "tag_list", "subtitle", "phone", "remote_image_url", "remote_resume_url", "remote_portfolio_url", "comment",
    "media_website", "media_github", "media_stackoverflow", "media_dribbble", "media_behance", "media_linkedin",
    "media_facebook", "media_instagram", "media_medium", "media_tumblr", "media_vimeo", "media_twitter",
    "cover_letter", "referrer",
)  # fmt: skip
"""The optional String parameters of "Create a candidate", in the page's order (``archived`` is a Boolean)."""


@dataclass(frozen=True)
class WttjVendor:
    """What the endpoints share: kept on the Starlette app's state.

    ``fetcher`` reads the platform's one fetcher on each use (a test may swap it for one with its own
    resolver). ``remote_fetch_times_out`` is the ``wttj.remote_fetch_timeout`` scenario's copy.
    """

    settings: WttjSettings
    tokens: TokenRing
    candidates: Candidates
    documents: Documents
    files: FileStore
    fetcher: Callable[[], RemoteFetcher]
    avatar_url: str
    remote_fetch_times_out: bool = False

    def remote(self) -> RemoteFetcher:
        fetcher = self.fetcher()
        return TimingOut(fetcher) if self.remote_fetch_times_out else fetcher

    def candidate_json(self, candidate: Candidate, *, stage: bool = False, tags: bool = False) -> dict[str, Any]:
        return candidate.as_json(self.files.url, self.avatar_url, stage=stage, tags=tags)


def _vendor(request: Request) -> WttjVendor:
    vendor: WttjVendor = request.app.state.vendor
    return vendor


# -- candidates (function names are the operationIds) ---------------------------------------------


async def createCandidate(request: Request) -> Response:
    vendor = _vendor(request)
    params = await read_params(request)
    organization = params.string("organization_reference", required=True)
    job_reference = params.string("job_reference", required=True)
    stage_id = params.integer("job_stage_id", required=True)
    fields = {name: params.string(name, required=True) for name in ("email", "firstname", "lastname")}
    fields.update({name: params.string(name) for name in OPTIONAL_FIELDS})
    archived = params.boolean("archived", default=False)
    params.done()
    caller = vendor.tokens.authorize(request, params, "createCandidate")
    assert organization is not None and job_reference is not None and stage_id is not None
    store = vendor.candidates
    job = store.job(organization, job_reference)
    stage = store.check_new(job, stage_id, fields)
    seq = store.next_seq()
    wanted = candidate_files(vendor.settings, seq, fields)
    stored = await vendor.files.download(vendor.remote(), [remote for _, remote in wanted])
    kept = {k: v for k, v in fields.items() if k not in {s.field for s in REMOTE_SLOTS} and k != "tag_list"}
    candidate = store.add(
        seq,
        job,
        stage,
        caller,
        kept,
        tags=tag_list(fields["tag_list"]),
        archived=bool(archived),
        files={slot: file for (slot, _), file in zip(wanted, stored, strict=True)},
    )
    return JSONResponse(vendor.candidate_json(candidate), status_code=201)


async def getCandidate(request: Request) -> Response:
    vendor = _vendor(request)
    params = await read_params(request)
    stage = params.boolean("stage", default=False)
    tags = params.boolean("tags", default=False)
    params.done()
    caller = vendor.tokens.authorize(request, params, "getCandidate")
    candidate = vendor.candidates.get(request.path_params["reference"], caller)
    return JSONResponse(vendor.candidate_json(candidate, stage=bool(stage), tags=bool(tags)))


async def listCandidates(request: Request) -> Response:
    vendor = _vendor(request)
    params = await read_params(request)
    job_reference = params.string("job_reference", required=True)
    wanted = CandidateFilter(
        email=params.string("email"),
        origin=params.string("origin"),
        referrer=params.string("referrer"),
        job_stage_id=params.string("job_stage_id"),
        job_stage_reference=params.string("job_stage_reference"),
        archived=params.boolean("archived"),
        created_after=params.date("created_after"),
        updated_after=params.date("updated_after"),
    )
    paging = read_paging(params)
    stage = params.boolean("stage", default=False)
    tags = params.boolean("tags", default=False)
    params.done()
    caller = vendor.tokens.authorize(request, params, "listCandidates")
    assert job_reference is not None
    job = vendor.candidates.job(None, job_reference)
    rows, headers = paginate(vendor.candidates.matching(job, caller, wanted), paging)
    body = [vendor.candidate_json(c, stage=bool(stage), tags=bool(tags)) for c in rows]
    return JSONResponse(body, headers=headers)


# -- documents --------------------------------------------------------------------------------------


async def listDocuments(request: Request) -> Response:
    vendor = _vendor(request)
    params = await read_params(request)
    reference = params.string("candidate_reference", required=True)
    paging = read_paging(params)
    params.done()
    caller = vendor.tokens.authorize(request, params, "listDocuments")
    assert reference is not None
    candidate = vendor.candidates.get(reference, caller)
    rows, headers = paginate(vendor.documents.of(candidate), paging)
    return JSONResponse([d.as_json(vendor.files) for d in rows], headers=headers)


async def attachDocuments(request: Request) -> Response:
    vendor = _vendor(request)
    params = await read_params(request)
    reference = params.string("candidate_reference", required=True)
    entries = params.remote_file_urls("remote_file_urls")
    params.done()
    caller = vendor.tokens.authorize(request, params, "attachDocuments")
    assert reference is not None
    candidate = vendor.candidates.get(reference, caller)
    documents = await vendor.documents.attach(vendor.remote(), candidate, entries)
    return JSONResponse([d.as_json(vendor.files) for d in documents], status_code=201)


async def defaultAvatar(request: Request) -> Response:
    return Response(AVATAR, media_type="image/png", headers={"Cache-Control": "public, max-age=31536000"})


ROUTES = [
    Route(f"{API}/candidates", createCandidate, methods=["POST"]),
    Route(f"{API}/candidates", listCandidates, methods=["GET"]),
    Route(f"{API}/candidates/{{reference}}", getCandidate, methods=["GET"]),
    Route(f"{API}/documents", listDocuments, methods=["GET"]),
    Route(f"{API}/documents", attachDocuments, methods=["POST"]),
    Route(AVATAR_PATH, defaultAvatar, methods=["GET"]),
]


def inventory(candidates: Candidates, documents: Documents) -> Inventory:
    """What the dashboard shows: candidates and documents, and every stored file (a candidate's resume,
    cover letter or photo fetched from its URL, named by its key's last segment; each attached document)."""
    files = [
        HeldFile(f.key.rsplit("/", 1)[-1], f.size, f.content_type, BUCKET, f.key)
        for c in candidates.all()
        for f in c.files.values()
    ]
    held = list(documents.all())
    files += [HeldFile(d.filename, d.file.size, d.file.content_type, BUCKET, d.file.key) for d in held]
    return Inventory({"candidates": len(candidates), "documents": len(held)}, files)


def create_vendor(platform: Platform, settings: WttjSettings) -> VendorMount:
    """The WTTJ mount: its Starlette app, operations, scenarios and reset."""
    s3 = platform.s3
    s3.ensure_bucket(BUCKET, settings.region)
    files = FileStore(settings, platform.clock, s3)
    candidates = Candidates(settings, platform.clock, platform.state)
    documents = Documents(settings, platform.clock, files, platform.state)
    files.stored_bytes = sum(f.size for c in candidates.all() for f in c.files.values()) + sum(
        d.file.size for d in documents.all()
    )  # what an earlier run on the state dir stored counts against max_stored_bytes too
    base = platform.vendor_url("wttj")
    state = WttjVendor(
        settings, TokenRing(settings.tokens), candidates, documents, files, lambda: platform.fetcher, base + AVATAR_PATH
    )
    contract = OpenApiEndpoint("wttj", servers(base))
    routes = [*ROUTES, Route("/openapi.json", contract, methods=["GET"], name="openapi")]

    def app_for(vendor: WttjVendor) -> VendorApp:
        return vendor_app(routes, render, vendor, route_errors, server_error)

    def reset() -> None:
        candidates.reset()
        documents.reset()
        files.reset()
        s3.reset([BUCKET])  # the bucket stays registered

    timing_out = app_for(dataclasses.replace(state, remote_fetch_times_out=True))
    return VendorMount(
        "wttj",
        app_for(state),
        OperationTable.from_routes(ROUTES),
        scenarios(timing_out),
        reset=reset,
        inventory=lambda: inventory(candidates, documents),
    )
