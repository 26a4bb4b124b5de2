"""Ashby's HTTP layer: ``POST /<category>.<method>`` endpoints, each named by its operationId.

Every endpoint authenticates first (401/403), then reads its body (JSON, or multipart where Ashby
still accepts it), then calls the rules in ``models`` and ``postings``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockservers.ashby import inputs
from mockservers.ashby.auth import KeyRing
from mockservers.ashby.errors import render, route_errors, scenarios, server_error, success
from mockservers.ashby.files import FilePayload
from mockservers.ashby.models import (
    FILES_BUCKET,
    UPLOAD_BUCKET,
    AshbyStore,
    UploadHandle,
    invalid,
    is_email,
    not_found,
)
from mockservers.ashby.postings import JobBoard, submissions_from
from mockservers.ashby.settings import AshbySettings
from mockservers.core.http import OpenApiEndpoint, VendorApp, servers, vendor_app
from mockservers.core.operations import OperationTable
from mockservers.core.platform import Platform
from mockservers.core.vendor import HeldFile, Inventory, VendorMount, staged_file
from mockservers.s3.storage import Storage


@dataclass(frozen=True)
class AshbyVendor:
    """What the endpoints share: kept on the Starlette app's state.

    ``expired_uploads`` is the ``ashby.upload_url_expired`` scenario's copy: upload handles come
    with a POST policy that has already expired.
    """

    settings: AshbySettings
    keys: KeyRing
    store: AshbyStore
    board: JobBoard
    expired_uploads: bool = False


def _vendor(request: Request, operation: str) -> AshbyVendor:
    vendor: AshbyVendor = request.app.state.vendor
    vendor.keys.authorize(request.headers.get("authorization"), operation)
    return vendor


# -- file ----------------------------------------------------------------------------------------


async def fileCreateFileUploadHandle(request: Request) -> Response:
    vendor = _vendor(request, "fileCreateFileUploadHandle")
    body = await inputs.read_json(request, "file.createFileUploadHandle")
    context = inputs.required_string(body, "fileUploadContext")
    filename = inputs.required_string(body, "filename")
    content_type = inputs.required_string(body, "contentType")
    length = inputs.integer(body, "contentLength")
    assert length is not None
    return success(
        vendor.store.create_upload_handle(context, filename, content_type, length, expired=vendor.expired_uploads)
    )


async def fileInfo(request: Request) -> Response:
    vendor = _vendor(request, "fileInfo")
    body = await inputs.read_json(request, "file.info")
    return success({"url": vendor.store.file_url(inputs.required_string(body, "fileHandle"))})


# -- candidate -----------------------------------------------------------------------------------


async def candidateCreate(request: Request) -> Response:
    vendor = _vendor(request, "candidateCreate")
    body = await inputs.read_json(request, "candidate.create")
    name = inputs.required_string(body, "name")
    email = inputs.string(body, "email", required=False)
    if email is not None and not is_email(email):
        raise invalid("email", "must be a valid email address")
    alternates = inputs.string_list(body, "alternateEmailAddresses")
    for index, alternate in enumerate(alternates):
        if not is_email(alternate):
            raise invalid(f"alternateEmailAddresses[{index}]", "must be a valid email address")
    links = [
        (kind, link)
        for kind, key in (("LinkedIn", "linkedInUrl"), ("GitHub", "githubUrl"), ("Website", "website"))
        if (link := inputs.url(body, key)) is not None
    ]
    inputs.uuid_string(body, "sourceId", required=False)
    inputs.uuid_string(body, "creditedToUserId", required=False)
    candidate = vendor.store.create_candidate(
        name,
        email=email,
        phone=inputs.string(body, "phoneNumber", required=False),
        alternate_emails=alternates,
        social_links=links,
        location=inputs.location(body, "location"),
        created_at=inputs.timestamp(body, "createdAt"),
    )
    return success(candidate.as_json())


async def candidateInfo(request: Request) -> Response:
    vendor = _vendor(request, "candidateInfo")
    body = await inputs.read_json(request, "candidate.info")
    if body.get("id") is None and body.get("externalMappingId") is not None:
        mapping = inputs.required_string(body, "externalMappingId")
        # No external system maps candidates in the mock, so no mapping id can match.
        raise not_found("candidate_not_found", f"No candidate found with externalMappingId {mapping}")
    return success(vendor.store.candidate(inputs.required_uuid(body, "id")).as_json())


async def candidateList(request: Request) -> Response:
    vendor = _vendor(request, "candidateList")
    body = await inputs.read_json(request, "candidate.list")
    page = vendor.store.list_candidates(
        inputs.integer(body, "limit", required=False),
        inputs.string(body, "cursor", required=False),
        inputs.string(body, "syncToken", required=False),
    )
    extra: dict[str, Any] = {"moreDataAvailable": page.more}
    if page.next_cursor is not None:
        extra["nextCursor"] = page.next_cursor
    if page.sync_token is not None:
        extra["syncToken"] = page.sync_token
    return success([c.as_json() for c in page.results], **extra)


async def candidateUploadResume(request: Request) -> Response:
    return await _upload_to_candidate(request, "candidateUploadResume", "resume", "resumeHandle", "CandidateResume")


async def candidateUploadFile(request: Request) -> Response:
    return await _upload_to_candidate(request, "candidateUploadFile", "file", "fileHandle", "CandidateFiles")


async def _upload_to_candidate(
    request: Request, operation: str, part: str, handle_field: str, context: str
) -> Response:
    """JSON ``{candidateId, <handle field>}``, or the deprecated multipart ``candidateId`` plus a file part."""
    vendor = _vendor(request, operation)
    store = vendor.store
    source: UploadHandle | FilePayload
    if inputs.is_multipart(request):
        async with inputs.multipart(request, vendor.settings.max_content_length) as form:
            candidate_id = inputs.required_uuid({"candidateId": inputs.form_text(form, "candidateId")}, "candidateId")
            candidate = store.candidate(candidate_id)
            source = store.check_inline_file(await inputs.file_part(form, part), part)
    else:
        body = await inputs.read_json(request, operation)
        candidate_id = inputs.required_uuid(body, "candidateId")
        handle = inputs.required_string(body, handle_field)
        candidate = store.candidate(candidate_id)
        source = store.claim_upload(handle, context, handle_field)
    store.attach_upload(candidate, source, resume=operation == "candidateUploadResume")
    return success(candidate.as_json())


# -- job postings and application forms --------------------------------------------------------


async def jobPostingList(request: Request) -> Response:
    vendor = _vendor(request, "jobPostingList")
    body = await inputs.read_json(request, "jobPosting.list")
    inputs.uuid_string(body, "jobBoardId", required=False)
    postings = vendor.board.published(
        listed_only=inputs.boolean(body, "listedOnly", False),
        location=inputs.string(body, "location", required=False),
        department=inputs.string(body, "department", required=False),
    )
    return success([p.summary_json() for p in postings])


async def jobPostingInfo(request: Request) -> Response:
    vendor = _vendor(request, "jobPostingInfo")
    body = await inputs.read_json(request, "jobPosting.info")
    posting_id = inputs.required_uuid(body, "jobPostingId")
    inputs.uuid_string(body, "jobBoardId", required=False)
    expand = inputs.string_list(body, "expand")
    for index, item in enumerate(expand):
        if item != "job":
            raise invalid(f"expand[{index}]", "must be 'job'")
    posting = vendor.board.posting(posting_id)
    results = posting.info_json()
    if expand:
        results["job"] = {
            "id": posting.job_id,
            "title": posting.title,
            "confidential": False,
            "status": "Open" if posting.published else "Closed",
            "employmentType": posting.employment_type,
            "locationId": posting.location_id,
            "jobPostingIds": [posting.id],
            "updatedAt": posting.updated_at,
        }
    return success(results)


async def applicationFormSubmit(request: Request) -> Response:
    vendor = _vendor(request, "applicationFormSubmit")
    store = vendor.store
    if inputs.is_multipart(request):
        async with inputs.multipart(request, vendor.settings.max_content_length) as form:
            allow_raw = inputs.form_text(form, "allowSubmissionForUnpublishedJobPosting")
            if allow_raw is not None and allow_raw not in ("true", "false"):
                raise invalid("allowSubmissionForUnpublishedJobPosting", "must be true or false")
            body: dict[str, Any] = {
                "jobPostingId": inputs.form_text(form, "jobPostingId"),
                "applicationForm": inputs.form_json(form, "applicationForm"),
                "utmData": inputs.form_json(form, "utmData"),
                "tagIds": inputs.form_json(form, "tagIds"),
                "allowSubmissionForUnpublishedJobPosting": None if allow_raw is None else allow_raw == "true",
            }
            files = {
                name: await inputs.file_part(form, name)
                for name, value in form.multi_items()
                if isinstance(value, UploadFile)
            }

        def resolve(path: str, value: Any) -> UploadHandle | FilePayload:
            payload = files.get(value)
            if payload is None:
                raise invalid(path, f"names the file part {value!r}, which the multipart body does not contain")
            return store.check_inline_file(payload, path)

    else:
        body = await inputs.read_json(request, "applicationForm.submit")

        def resolve(path: str, value: Any) -> UploadHandle | FilePayload:
            return store.claim_upload(value, "ApplicationForm", path)

    posting_id = inputs.required_uuid(body, "jobPostingId")
    application_form = body.get("applicationForm")
    if not isinstance(application_form, dict):
        raise invalid("applicationForm", "is required and must be an object with fieldSubmissions")
    submissions = submissions_from(application_form)
    allow_unpublished = inputs.boolean(body, "allowSubmissionForUnpublishedJobPosting", True)
    utm = body.get("utmData")
    if utm is not None and (not isinstance(utm, dict) or not all(isinstance(v, str) for v in utm.values())):
        raise invalid("utmData", "must be an object of strings")
    for index, tag in enumerate(inputs.string_list(body, "tagIds")):
        inputs.required_uuid({f"tagIds[{index}]": tag}, f"tagIds[{index}]")
    return success(vendor.board.submit(posting_id, submissions, resolve, allow_unpublished=allow_unpublished))


# -- the contract --------------------------------------------------------------------------------


def _content_length_maximum(maximum: int) -> Any:
    """The served contract states this mock's configured ``max_content_length``, not the file's default."""

    def adjust(document: dict[str, Any]) -> None:
        operation = document["paths"]["/file.createFileUploadHandle"]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        schema["properties"]["contentLength"]["maximum"] = maximum

    return adjust


ROUTES = [
    Route("/file.createFileUploadHandle", fileCreateFileUploadHandle, methods=["POST"]),
    Route("/file.info", fileInfo, methods=["POST"]),
    Route("/candidate.create", candidateCreate, methods=["POST"]),
    Route("/candidate.info", candidateInfo, methods=["POST"]),
    Route("/candidate.list", candidateList, methods=["POST"]),
    Route("/candidate.uploadResume", candidateUploadResume, methods=["POST"]),
    Route("/candidate.uploadFile", candidateUploadFile, methods=["POST"]),
    Route("/jobPosting.list", jobPostingList, methods=["POST"]),
    Route("/jobPosting.info", jobPostingInfo, methods=["POST"]),
    Route("/applicationForm.submit", applicationFormSubmit, methods=["POST"]),
]


FORMER_OPERATION_IDS = {"applicationformsubmit": "applicationFormSubmit"}
"""operationIds this mock used before (``applicationformsubmit``, lowercase unlike the others), still accepted
wherever an operation is named (faults, journal filters, ``assert_request_made``)."""


def inventory(store: AshbyStore, board: JobBoard, objects: Storage) -> Inventory:
    """What the dashboard shows: candidates, upload handles, files and applications, and every stored file
    (an upload handle's object once POSTed, before it is attached)."""
    files = [HeldFile(f.name, f.size, f.content_type, FILES_BUCKET, f.key) for f in store.files.values()]
    for h in store.uploads.values():
        if staged := staged_file(objects, h.filename, h.content_type, UPLOAD_BUCKET, h.key):
            files.append(staged)
    counts = {
        "candidates": len(store.candidates),
        "upload handles": len(store.uploads),
        "files": len(store.files),
        "applications": len(board.submissions),
    }
    return Inventory(counts, files)


def create_vendor(platform: Platform, settings: AshbySettings) -> VendorMount:
    s3 = platform.s3
    s3.ensure_bucket(UPLOAD_BUCKET, settings.region, max_object_size=settings.max_content_length)
    s3.ensure_bucket(FILES_BUCKET, settings.region)
    store = AshbyStore(settings, platform.clock, s3, platform.state)
    board = JobBoard(store)
    state = AshbyVendor(settings, KeyRing(settings.api_keys), store, board)
    url = platform.vendor_url("ashby")

    def adjust(document: dict[str, Any]) -> None:
        servers(url)(document)
        _content_length_maximum(settings.max_content_length)(document)

    routes = [*ROUTES, Route("/openapi.json", OpenApiEndpoint("ashby", adjust), methods=["GET"], name="openapi")]

    def app_for(vendor: AshbyVendor) -> VendorApp:
        return vendor_app(routes, render, vendor, route_errors, server_error)

    def reset() -> None:
        store.reset()
        board.reset()
        s3.reset([UPLOAD_BUCKET, FILES_BUCKET])  # the buckets stay registered

    return VendorMount(
        "ashby",
        app_for(state),
        OperationTable.from_routes(ROUTES, aliases=lambda route: route.path.lstrip("/"), former=FORMER_OPERATION_IDS),
        scenarios(app_for(dataclasses.replace(state, expired_uploads=True))),
        reset=reset,
        inventory=lambda: inventory(store, board, s3),
    )
