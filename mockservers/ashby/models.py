"""Ashby's state and rules for the file flow: upload handles, stored files and candidates. No HTTP here.

Sources: the ``file.createFileUploadHandle``, ``file.info`` and ``candidate.*`` sections of Ashby's
API reference (developers.ashbyhq.com/reference), as summarised in ``shared/vendors.md`` §2.
Every rule that Ashby does not document says so in its docstring ("inferred").
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockservers.ashby.files import (
    FileHandleSigner,
    FilePayload,
    StoredFile,
    is_mime_type,
    sanitize_filename,
)
from mockservers.ashby.settings import AshbySettings
from mockservers.core import errors as kinds
from mockservers.core.clock import Clock, format_iso
from mockservers.core.codecs import codec, expiring
from mockservers.core.errors import FieldError, VendorError
from mockservers.core.expiry import ExpiringMap
from mockservers.core.filenames import content_disposition
from mockservers.core.http import parse_json
from mockservers.core.state import MemoryState, StateStore, Table, stored_secret
from mockservers.s3.storage import Storage

CONTEXTS = ("CandidateResume", "CandidateFiles", "ApplicationForm")
"""``fileUploadContext`` values (Ashby: file.createFileUploadHandle)."""

UPLOAD_BUCKET = "ashby-file-uploads"
"""Where presigned uploads land (inferred name; Ashby's bucket is not public)."""
FILES_BUCKET = "ashby-candidate-files"
"""Where attached files live once a handle is used or a multipart file arrives (inferred name)."""

PAGE_LIMIT = 100
"""Largest page ``candidate.list`` answers; a larger ``limit`` is capped, as Ashby's pagination guide says."""

PROFILE_URL = "https://app.ashbyhq.com/candidates/{id}"
"""Shape of ``profileUrl`` (inferred: a link into the Ashby app; the mock serves no UI)."""


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_HANDLES = 100_000
"""Upload handles kept at once (inferred bound); past it the oldest lapse first."""
FILENAME_LIMIT = 1024
"""Longest ``filename`` a handle accepts (inferred; S3 keys stop at 1024 bytes)."""


def is_email(value: str) -> bool:
    """A plausible email address: one ``@``, no spaces, a dot in the domain (inferred check)."""
    return _EMAIL.fullmatch(value) is not None


def invalid(field_name: str, message: str) -> VendorError:
    """Ashby's generic ``invalid_input``, answered with HTTP 200 and a message naming the field."""
    text = f"{field_name}: {message}"
    return VendorError(kinds.INVALID_INPUT, text, field=field_name, fields=[FieldError(field_name, text)])


def limit_reached(what: str, limit: int, setting: str) -> VendorError:
    """The mock's own bound (not Ashby's): an error "that would be 4XX", so HTTP 200 with ``limit_reached``."""
    return VendorError(
        kinds.CONFLICT,
        f"atsmock keeps at most {limit} {what} (ashby.{setting}); reset the mock (POST /__admin/reset?vendor=ashby)",
        code="limit_reached",
    )


def not_found(code: str, message: str) -> VendorError:
    return VendorError(kinds.NOT_FOUND, message, code=code)


@dataclass(slots=True)
class UploadHandle:
    """One ``file.createFileUploadHandle`` answer: where its bytes go and what they may be used for."""

    handle: str
    context: str
    filename: str
    content_type: str
    content_length: int
    key: str
    created_at: float
    url_expires_at: float


@dataclass(slots=True)
class ContactInfo:
    value: str
    type: str
    is_primary: bool

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "type": self.type, "isPrimary": self.is_primary}


@dataclass(slots=True)
class Candidate:
    id: str
    seq: int
    name: str
    created_at: float
    updated_at: float
    emails: list[ContactInfo] = field(default_factory=list)
    phones: list[ContactInfo] = field(default_factory=list)
    social_links: list[dict[str, str]] = field(default_factory=list)
    location: dict[str, Any] | None = None
    resume: StoredFile | None = None
    files: list[StoredFile] = field(default_factory=list)
    application_ids: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Ashby's Candidate object (candidate.info); optional members appear only when set."""
        out: dict[str, Any] = {
            "id": self.id,
            "createdAt": format_iso(self.created_at),
            "updatedAt": format_iso(self.updated_at),
            "name": self.name,
            "emailAddresses": [e.as_json() for e in self.emails],
            "phoneNumbers": [p.as_json() for p in self.phones],
            "socialLinks": [dict(link) for link in self.social_links],
            "tags": [],
            "applicationIds": list(self.application_ids),
            "fileHandles": [f.as_json() for f in self.files],
            "customFields": [],
            "profileUrl": PROFILE_URL.format(id=self.id),
        }
        primary_email = next((e for e in self.emails if e.is_primary), None)
        if primary_email is not None:
            out["primaryEmailAddress"] = primary_email.as_json()
        primary_phone = next((p for p in self.phones if p.is_primary), None)
        if primary_phone is not None:
            out["primaryPhoneNumber"] = primary_phone.as_json()
        if self.resume is not None:
            out["resumeFileHandle"] = self.resume.as_json()
        if self.location is not None:
            out["location"] = self.location
        return out


@dataclass(frozen=True, slots=True)
class Page:
    results: list[Candidate]
    more: bool
    next_cursor: str | None
    sync_token: str | None


class AshbyStore:
    """All Ashby state of one app: upload handles, stored files and candidates, kept in ``state`` (the
    platform's store: in memory, or durable with ``--state-dir``), with the file handles' signing key."""

    def __init__(
        self, settings: AshbySettings, clock: Clock, objects: Storage, state: StateStore | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.objects = objects
        self.state = state = state or MemoryState()
        self._secret = state.cell("ashby.file_handle_key", "")
        self.signer = FileHandleSigner(stored_secret(self._secret))
        self.uploads: ExpiringMap[str, UploadHandle] = ExpiringMap(
            clock,
            settings.handle_ttl_seconds,
            limit=MAX_HANDLES,
            on_expire=self._forget_upload,
            table=state.table("ashby.upload_handles", expiring(codec(UploadHandle))),
        )
        """Handles lapse ``handle_ttl_seconds`` after creation, and their uploaded objects go with them."""
        self.files: Table[str, StoredFile] = state.table("ashby.files", codec(StoredFile))
        self.candidates: Table[str, Candidate] = state.table("ashby.candidates", codec(Candidate))
        self._seq = state.cell("ashby.candidate_seq", 0)
        self.stored_bytes = sum(f.size for f in self.files.values())
        """What the stored files add up to (bounded by ``max_stored_bytes``; an earlier run's files count too)."""

    def reset(self) -> None:
        """Forget everything; file handles handed out before no longer verify (a new signing key)."""
        with self.state.atomic():
            self.uploads.clear()
            self.files.clear()
            self.candidates.clear()
            self._seq.clear()
            self.stored_bytes = 0
            self.signer = FileHandleSigner(stored_secret(self._secret, renew=True))

    def save(self, candidate: Candidate) -> Candidate:
        """Keep a changed candidate (every change to one goes through here, so a restart sees it)."""
        self.candidates.put(candidate.id, candidate)
        return candidate

    # -- upload handles ---------------------------------------------------------------------------

    def create_upload_handle(
        self, context: str, filename: str, content_type: str, content_length: int, *, expired: bool = False
    ) -> dict[str, Any]:
        """``file.createFileUploadHandle``: a presigned POST policy and an opaque handle.

        Ashby: the URL expires after 10 minutes (``upload_ttl_seconds``), the file is the last form
        field, named ``file``; the context is one of CandidateResume, CandidateFiles, ApplicationForm.
        Inferred: the policy pins the key, the content type and a content-length-range of exactly
        ``contentLength``; ``contentLength`` must be 1..``max_content_length``, ``contentType`` a
        ``type/subtype`` MIME string (Ashby's changelog: "more detailed validation errors when
        required upload metadata is missing or invalid"), ``filename`` at most 1024 characters. ``expired``
        hands out a policy that has already expired (the ``ashby.upload_url_expired`` scenario).
        """
        if context not in CONTEXTS:
            raise invalid("fileUploadContext", f"must be one of {', '.join(CONTEXTS)}")
        if not filename.strip():
            raise invalid("filename", "must not be empty")
        if len(filename) > FILENAME_LIMIT:
            raise invalid("filename", f"must be at most {FILENAME_LIMIT} characters")
        if not content_type.strip():
            raise invalid("contentType", "must not be empty")
        if not is_mime_type(content_type):
            raise invalid("contentType", "must be a MIME type such as application/pdf")
        limit = self.settings.max_content_length
        if content_length < 1 or content_length > limit:
            raise invalid("contentLength", f"must be between 1 and {limit} bytes")
        now = self.clock.now()
        ttl = self.settings.upload_ttl_seconds
        expires_in = -1 if expired else ttl
        key = f"{context}/{uuid.uuid4()}/{sanitize_filename(filename)}"
        url, fields = self.objects.presign_post(
            bucket=UPLOAD_BUCKET,
            key=key,
            expires_in=expires_in,
            region=self.settings.region,
            fields={"Content-Type": content_type},
            conditions=[{"Content-Type": content_type}, ["content-length-range", content_length, content_length]],
        )
        handle = secrets.token_urlsafe(36)
        self.uploads.put(
            handle,
            UploadHandle(
                handle=handle,
                context=context,
                filename=filename,
                content_type=content_type,
                content_length=content_length,
                key=key,
                created_at=now,
                url_expires_at=now + expires_in,
            ),
        )
        return {"handle": handle, "url": url, "fields": dict(fields)}

    def _forget_upload(self, handle: str, upload: UploadHandle) -> None:
        self.objects.delete_object(UPLOAD_BUCKET, upload.key)

    def claim_upload(self, handle: str, context: str, field_name: str) -> UploadHandle:
        """The upload behind a handle, checked for use in ``context``; does not change any state.

        Inferred (Ashby documents none of these errors): an unknown handle, or one older than
        ``handle_ttl_seconds``, is ``file_handle_not_found``; a handle made for another context, or
        whose file was never uploaded (before or after its URL expired), is ``invalid_input``
        naming the field.
        """
        upload = self.uploads.get(handle)  # None once older than handle_ttl_seconds
        now = self.clock.now()
        if upload is None:
            raise not_found("file_handle_not_found", f"{field_name}: no file upload handle matches this value")
        if upload.context != context:
            raise invalid(field_name, f"the handle was created for fileUploadContext {upload.context}, not {context}")
        if self.objects.head_object(UPLOAD_BUCKET, upload.key) is None:
            if now >= upload.url_expires_at:
                raise invalid(field_name, "the upload URL of this handle expired before a file was uploaded to it")
            raise invalid(field_name, "no file has been uploaded to this handle's URL yet")
        return upload

    # -- stored files -----------------------------------------------------------------------------

    def store_file(self, owner_id: str, source: UploadHandle | FilePayload) -> StoredFile:
        """Copy an uploaded object (or store inline bytes) under the owner's files; a new file each time."""
        if len(self.files) >= self.settings.max_files:
            raise limit_reached("files", self.settings.max_files, "max_files")
        file_id = str(uuid.uuid4())
        if isinstance(source, UploadHandle):
            info = self.objects.head_object(UPLOAD_BUCKET, source.key)
            size = info.size if info is not None else source.content_length
        else:
            size = len(source.data)
        limit = self.settings.max_stored_bytes
        if self.stored_bytes + size > limit:
            raise limit_reached("bytes of files", limit, "max_stored_bytes")
        if isinstance(source, UploadHandle):
            name, content_type = source.filename, source.content_type
            key = f"{owner_id}/{file_id}/{sanitize_filename(name)}"
            self.objects.copy_object(UPLOAD_BUCKET, source.key, FILES_BUCKET, key)
        else:
            name, content_type = source.filename, source.content_type
            key = f"{owner_id}/{file_id}/{sanitize_filename(name)}"
            self.objects.put_bytes(FILES_BUCKET, key, source.data, content_type, content_disposition(name))
        stored = StoredFile(
            id=file_id,
            owner_id=owner_id,
            name=name,
            content_type=content_type,
            size=size,
            key=key,
            handle=self.signer.sign(file_id, owner_id),
        )
        self.files.put(file_id, stored)
        self.stored_bytes += size
        return stored

    def check_inline_file(self, payload: FilePayload, field_name: str) -> FilePayload:
        """A multipart file must be non-empty and within ``max_content_length`` (inferred limits).

        A part whose Content-Type is not a plain MIME type is stored as application/octet-stream.
        """
        if not payload.data:
            raise invalid(field_name, "the file is empty")
        if len(payload.data) > self.settings.max_content_length:
            raise invalid(field_name, f"the file exceeds {self.settings.max_content_length} bytes")
        if not is_mime_type(payload.content_type):
            return FilePayload(payload.filename, "application/octet-stream", payload.data)
        return payload

    def file_url(self, file_handle: str) -> str:
        """``file.info``: a short-lived download URL for a candidate file handle.

        Ashby: "Retrieve the url of a file associated with a candidate". Inferred: the URL lives
        ``download_ttl_seconds`` and makes the download an attachment under the original name.
        """
        file_id = self.signer.file_id(file_handle)
        stored = self.files.get(file_id) if file_id else None
        if stored is None:
            raise not_found("file_handle_not_found", "fileHandle: no file matches this handle")
        return self.objects.presign_get(
            bucket=FILES_BUCKET,
            key=stored.key,
            expires_in=self.settings.download_ttl_seconds,
            region=self.settings.region,
            response_content_disposition=content_disposition(stored.name),
            response_content_type=stored.content_type,
        )

    # -- candidates -------------------------------------------------------------------------------

    def create_candidate(
        self,
        name: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        alternate_emails: Iterable[str] = (),
        social_links: Iterable[tuple[str, str]] = (),
        location: Mapping[str, str] | None = None,
        created_at: float | None = None,
    ) -> Candidate:
        """``candidate.create``: ``name`` required; email and phone are the primary, personal ones.

        Ashby: "Primary, personal email"/"phone number of the candidate"; alternate emails are added
        as further addresses. Inferred: their contact ``type`` is ``Personal``.
        """
        if not name.strip():
            raise invalid("name", "must not be empty")
        if len(self.candidates) >= self.settings.max_candidates:
            raise limit_reached("candidates", self.settings.max_candidates, "max_candidates")
        now = self.clock.now()
        seq = self._seq.get() + 1
        candidate = Candidate(
            id=str(uuid.uuid4()),
            seq=seq,
            name=name,
            created_at=now if created_at is None else created_at,
            updated_at=now,
        )
        if email:
            candidate.emails.append(ContactInfo(email, "Personal", True))
        for alternate in alternate_emails:
            candidate.emails.append(ContactInfo(alternate, "Personal", False))
        if phone:
            candidate.phones.append(ContactInfo(phone, "Personal", True))
        candidate.social_links = [{"type": kind, "url": url} for kind, url in social_links]
        if location:
            candidate.location = location_json(location)
        with self.state.atomic():
            self._seq.set(seq)
            return self.save(candidate)

    def candidate(self, candidate_id: str) -> Candidate:
        found = self.candidates.get(candidate_id)
        if found is None:
            raise not_found("candidate_not_found", f"No candidate found with id {candidate_id}")
        return found

    def candidate_by_email(self, email: str) -> Candidate | None:
        wanted = email.casefold()
        for candidate in self.candidates.values():
            if any(e.value.casefold() == wanted for e in candidate.emails):
                return candidate
        return None

    def attach_resume(self, candidate: Candidate, stored: StoredFile) -> Candidate:
        """``candidate.uploadResume`` replaces the primary resume (Ashby) and lists it among the files.

        Inferred: the replaced resume stays among ``fileHandles``, as it does in the Ashby app.
        """
        candidate.resume = stored
        candidate.files.append(stored)
        candidate.updated_at = self.clock.now()
        return self.save(candidate)

    def attach_file(self, candidate: Candidate, stored: StoredFile) -> Candidate:
        """``candidate.uploadFile`` adds a file to the candidate's ``fileHandles``."""
        candidate.files.append(stored)
        candidate.updated_at = self.clock.now()
        return self.save(candidate)

    def attach_upload(self, candidate: Candidate, source: UploadHandle | FilePayload, *, resume: bool) -> Candidate:
        """``candidate.uploadResume`` / ``uploadFile``: store the file and attach it, in one transaction."""
        with self.state.atomic():
            stored = self.store_file(candidate.id, source)
            return self.attach_resume(candidate, stored) if resume else self.attach_file(candidate, stored)

    def list_candidates(self, limit: int | None, cursor: str | None, sync_token: str | None) -> Page:
        """``candidate.list``: oldest first, ``limit`` capped at 100, opaque cursors and sync tokens.

        Ashby's pagination guide: ``moreDataAvailable`` and ``nextCursor`` while pages remain; the
        last page carries a ``syncToken``, and a later request with it returns only the candidates
        updated since. Inferred: a cursor names the position after the last candidate returned, so
        the same cursor always answers the same page even while candidates are added.
        """
        if limit is not None and limit < 1:
            raise invalid("limit", "must be a positive integer")
        size = min(limit or PAGE_LIMIT, PAGE_LIMIT)
        after, since = 0, None
        if cursor is not None:
            state = _decode_token(cursor, "c")
            if state is None:
                raise invalid("cursor", "is not a cursor this API returned")
            after, since = int(state["after"]), state.get("since")
        elif sync_token is not None:
            state = _decode_token(sync_token, "s")
            if state is None:
                raise invalid("syncToken", "is not a sync token this API returned")
            since = float(state["since"])
        matching = [c for c in self.candidates.values() if c.seq > after and (since is None or c.updated_at > since)]
        page = matching[:size]
        more = len(matching) > size
        if more:
            token = {"after": page[-1].seq, "since": since}
            return Page(page, True, _encode_token(token, "c"), None)
        return Page(page, False, None, _encode_token({"since": self.clock.now()}, "s"))


def location_json(location: Mapping[str, str]) -> dict[str, Any]:
    """Ashby's location object from ``{city, region, country}``; the summary reads country first."""
    parts = [
        (kind, location.get(key, "")) for kind, key in (("Country", "country"), ("Region", "region"), ("City", "city"))
    ]
    components = [{"type": kind, "name": value} for kind, value in parts if value]
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(c["name"] for c in components))),
        "locationSummary": ", ".join(c["name"] for c in components),
        "locationComponents": components,
    }


def _encode_token(state: Mapping[str, Any], kind: str) -> str:
    raw = json.dumps({"k": kind, **state}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, kind: str) -> dict[str, Any] | None:
    try:
        # parse_json, not json.loads: an edited token nested 10,000 deep is its InvalidJSON, not a RecursionError.
        state = parse_json(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        return None
    if not isinstance(state, dict) or state.get("k") != kind:
        return None
    if kind == "c":
        after, since = state.get("after"), state.get("since")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            return None
        if since is not None and not _is_epoch(since):
            return None
    elif not _is_epoch(state.get("since")):
        return None
    return state


def _is_epoch(value: Any) -> bool:
    """A finite number of seconds, as the tokens this API writes hold (an edited token may hold anything)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False
