"""Endorsed's attachments: the records, their bytes in S3, and the two ways the bytes arrive. No HTTP here.

Sources: "Attachments" (docs.endorsed.ai/reference/api-reference/attachments): ``remote_id`` and
``type`` (about, resume, role_preferences, work_experiences) are required, ``candidate_id`` is
optional, ``file_name`` is "Name of the file"; ``file`` is "Required if Content-Type header is
multipart/form-data; else should not be set", ``public_file_url`` "Required if Content-Type header
is application/json; else should not be set"; ``PUT /attachments/{id}`` "Updates or Upserts", the id
being a UUID or ``remote.<id>``. Each rule below that the page does not state says "inferred".
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile

from mockservers.core.clock import Clock, format_iso
from mockservers.core.codecs import codec
from mockservers.core.fetch import Fetcher, FetchRefused
from mockservers.core.filenames import download_url, filename_from_url, media_type_or_default
from mockservers.core.state import MemoryState, StateStore
from mockservers.endorsed.errors import conflict, invalid, not_found, too_large
from mockservers.endorsed.inputs import MISSING, Issues, lookup, received
from mockservers.endorsed.models import CandidateBook, Records, Ref, check_remote_id, limit_reached
from mockservers.endorsed.settings import EndorsedSettings
from mockservers.s3.storage import ObjectWriter, Storage

TYPES = ("about", "resume", "role_preferences", "work_experiences")
BUCKET = "endorsed-attachments"
"""Where attachment bytes live (inferred name), under an opaque key per upload."""
CHUNK = 256 * 1024
DEFAULT_FILE_NAME = "file"
"""``file_name`` when neither the request, the part, the download's Content-Disposition nor the URL has one."""


@dataclass(frozen=True, slots=True)
class AttachmentInput:
    remote_id: str
    type: str
    candidate_id: str | None
    file_name: str | None


Source = UploadFile | str
"""The multipart ``file`` part, or the ``public_file_url`` to fetch."""


def parse_attachment(values: Mapping[str, Any], *, multipart: bool) -> tuple[AttachmentInput, Source]:
    """A create or upsert body (multipart fields or a JSON object), every problem reported at once.

    Inferred: an empty ``candidate_id`` is the same as none (the page: "empty should ONLY be used
    in rare cases"), and so is an empty ``file_name``.
    """
    issues = Issues()
    candidate_id = issues.uuid(lookup(values, "candidate_id"), "candidate_id", required=False)
    remote_id = issues.string(lookup(values, "remote_id"), "remote_id")
    kind = issues.enum(lookup(values, "type"), "type", TYPES)
    source: Source | None = None
    file, url = lookup(values, "file"), lookup(values, "public_file_url")
    if multipart:
        if file is MISSING:
            issues.add("file", "Required")
        elif not isinstance(file, UploadFile):
            issues.add("file", f"Expected file, received {received(file)}")
        else:
            source = file
        if url is not MISSING:
            issues.add("public_file_url", "public_file_url must not be set with multipart/form-data; send the file")
    else:
        if file is not MISSING:
            issues.add("file", "file must not be set with application/json; send public_file_url")
        source = issues.url(url, "public_file_url")
    file_name = issues.string(lookup(values, "file_name"), "file_name", required=False)
    issues.raise_any()
    assert remote_id is not None and kind is not None and source is not None
    return AttachmentInput(remote_id, kind, candidate_id, file_name), source


@dataclass(slots=True)
class Attachment:
    id: str
    remote_id: str
    type: str
    file_name: str
    candidate_id: str | None
    content_type: str
    size: int
    key: str
    created_at: float
    modified_at: float


class Incoming:
    """Bytes on their way into S3: invisible until ``commit``; refused past the file size limit (413) or
    the mock's storage budget (409). The writer opens on the first byte, so a refused URL stores nothing."""

    def __init__(
        self, open_writer: Callable[[], ObjectWriter], max_size: int, budget: int, limit: int, field: str
    ) -> None:
        self._open = open_writer
        self._writer: ObjectWriter | None = None
        self.max_size = max_size
        self.budget = budget
        """Bytes the mock may still store (its ``max_stored_bytes`` less what others hold)."""
        self.limit = limit
        self.field = field
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_size:
            raise too_large(f"The file is larger than {self.max_size} bytes", self.field)
        if self.size > self.budget:
            raise stored_bytes_limit(self.limit)
        if self._writer is None:
            self._writer = self._open()
        self._writer.write(chunk)

    def commit(self) -> None:
        assert self._writer is not None
        self._writer.commit()

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.abort()


def stored_bytes_limit(limit: int) -> Any:
    return limit_reached("bytes of attachments", limit, "max_stored_bytes")


class AttachmentStore:
    """Every attachment of the organization (``records``: by id and by unique remote id) and its bytes in S3."""

    def __init__(
        self,
        settings: EndorsedSettings,
        clock: Clock,
        objects: Storage,
        fetcher: Fetcher,
        candidates: CandidateBook,
        state: StateStore | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.objects = objects
        self.fetcher = fetcher
        self.candidates = candidates
        self.state = state = state or MemoryState()
        self.records: Records[Attachment] = Records(state.table("endorsed.attachments", codec(Attachment)))
        self.stored_bytes = sum(a.size for a in self.records.by_id.values())
        """What the attachments' bytes add up to (bounded by ``max_stored_bytes``; an earlier run's count too)."""

    def reset(self) -> None:
        self.records.clear()
        self.stored_bytes = 0

    def get(self, ref: Ref) -> Attachment:
        found = self.records.find(ref)
        if found is None:
            raise not_found()
        return found

    def view(self, attachment: Attachment) -> dict[str, Any]:
        """``GET /attachments/{id}``'s result; ``ephemeral_url`` is a presigned S3 GET living
        ``download_ttl_seconds`` that answers the exact bytes under the file's name and type (inferred)."""
        settings = self.settings
        url = download_url(
            self.objects,
            BUCKET,
            attachment.key,
            attachment.file_name,
            attachment.content_type,
            expires_in=settings.download_ttl_seconds,
            region=settings.region,
        )
        return {
            "id": attachment.id,
            "remote_id": attachment.remote_id,
            "type": attachment.type,
            "file_name": attachment.file_name,
            "candidate_id": attachment.candidate_id,
            "ephemeral_url": url,
            "created_at": format_iso(attachment.created_at),
            "modified_at": format_iso(attachment.modified_at),
        }

    async def put(self, ref: Ref | None, data: AttachmentInput, source: Source) -> tuple[Attachment, bool]:
        """Create (``ref`` None: ``POST``) or upsert (``PUT``) an attachment from ``source``; ``(it, created)``.

        Everything that needs no bytes is checked first, so a refused request downloads nothing;
        and again once the bytes are in, since other requests ran meanwhile. Until then the old
        attachment (and its bytes) stay as they were: a failed replace loses nothing.
        """
        target = self._target(ref, data)
        limit = self.settings.max_stored_bytes
        budget = limit - self.stored_bytes + (target.size if target else 0)
        key = f"attachments/{uuid.uuid4()}"
        field = "file" if isinstance(source, UploadFile) else "public_file_url"
        writer = functools.partial(self.objects.writer, BUCKET, key)
        incoming = Incoming(writer, self.settings.max_file_size, budget, limit, field)
        try:
            if isinstance(source, UploadFile):
                file_name, content_type = await self._receive(source, incoming)
            else:
                file_name, content_type = await self._download(source, incoming)
            return self._keep(ref, data, incoming, key, data.file_name or file_name, content_type)
        except BaseException:
            incoming.abort()
            raise

    async def _receive(self, part: UploadFile, incoming: Incoming) -> tuple[str, str]:
        """A multipart part into S3; its own filename and Content-Type. An empty file is refused (inferred)."""
        while chunk := await part.read(CHUNK):
            incoming.write(chunk)
        if not incoming.size:
            raise invalid("file", "The file is empty")
        return part.filename or DEFAULT_FILE_NAME, media_type_or_default(part.content_type)

    async def _download(self, url: str, incoming: Incoming) -> tuple[str, str]:
        """``public_file_url`` through the platform's safe fetcher into S3; a refusal or failure is
        BAD_REQUEST on ``public_file_url`` naming the URL and why (inferred: Endorsed documents none)."""
        try:
            # One URL per request: bounded by total_timeout, and by request_timeout when that is shorter.
            limit = self.fetcher.policy.request_timeout
            fetched = await self.fetcher.fetch(
                url, incoming.write, max_bytes=self.settings.max_file_size, timeout=limit
            )
        except FetchRefused as refused:
            raise invalid("public_file_url", f"Could not download {url}: {refused.reason}") from None
        if not incoming.size:
            raise invalid("public_file_url", f"Could not download {url}: the file is empty")
        name = fetched.filename or filename_from_url(fetched.final_url) or filename_from_url(url)
        return name or DEFAULT_FILE_NAME, media_type_or_default(fetched.content_type)

    def _target(self, ref: Ref | None, data: AttachmentInput) -> Attachment | None:
        """The attachment a write replaces (None: a new one), once the write is allowed.

        ``POST`` with a used ``remote_id`` is 409 CONFLICT (inferred; ``PUT remote.<id>`` replaces).
        ``PUT`` by an unknown UUID is NOT_FOUND (inferred: only remote ids upsert, the UUID being
        Endorsed's own); by ``remote.<id>`` it creates. A ``candidate_id`` must name a candidate
        (NOT_FOUND on ``candidate_id``, inferred).
        """
        target = None if ref is None else self.records.find(ref)
        if ref is not None and ref.id is not None and target is None:
            raise not_found("id")
        check_remote_id(ref, data.remote_id)
        if data.candidate_id is not None and not self.candidates.exists(data.candidate_id):
            raise not_found("candidate_id")
        holder = self.records.holder(data.remote_id)
        if holder is not None and (target is None or holder != target.id):
            message = f"An attachment with remote_id {data.remote_id!r} already exists."
            if ref is None:
                message += f" PUT /attachments/remote.{data.remote_id} replaces it."
            raise conflict(message, "remote_id")
        if target is None and len(self.records) >= self.settings.max_attachments:
            raise limit_reached("attachments", self.settings.max_attachments, "max_attachments")
        return target

    def _keep(
        self, ref: Ref | None, data: AttachmentInput, incoming: Incoming, key: str, file_name: str, content_type: str
    ) -> tuple[Attachment, bool]:
        target = self._target(ref, data)
        old_size = target.size if target else 0
        if self.stored_bytes - old_size + incoming.size > self.settings.max_stored_bytes:
            raise stored_bytes_limit(self.settings.max_stored_bytes)
        with self.records.atomic(self.state):  # the new object, its record, the replaced object's removal: all or none
            kept = self._commit(target, data, incoming, key, file_name, content_type)
        self.stored_bytes += incoming.size - old_size
        return kept

    def _commit(
        self,
        target: Attachment | None,
        data: AttachmentInput,
        incoming: Incoming,
        key: str,
        file_name: str,
        content_type: str,
    ) -> tuple[Attachment, bool]:
        incoming.commit()
        now = self.clock.now()
        if target is None:
            attachment = Attachment(
                id=str(uuid.uuid4()),
                remote_id=data.remote_id,
                type=data.type,
                file_name=file_name,
                candidate_id=data.candidate_id,
                content_type=content_type,
                size=incoming.size,
                key=key,
                created_at=now,
                modified_at=now,
            )
            return self.records.add(attachment), True
        old_key, old_remote_id = target.key, target.remote_id
        target.remote_id, target.type, target.candidate_id = data.remote_id, data.type, data.candidate_id
        target.file_name, target.content_type, target.size, target.key = file_name, content_type, incoming.size, key
        target.modified_at = now
        self.records.save(target, old_remote_id)
        self.objects.delete_object(BUCKET, old_key)
        return target, False

    def delete(self, ref: Ref) -> Attachment:
        """``DELETE /attachments/{id}``: the record and its bytes go; links handed out stop working."""
        attachment = self.get(ref)
        with self.records.atomic(self.state):  # the record and its bytes go together
            self.records.remove(attachment)
            self.objects.delete_object(BUCKET, attachment.key)
        self.stored_bytes -= attachment.size
        return attachment
