"""Clinch's candidates, their tags and their files: state and rules, no HTTP.

Sources: seed 003 (the vendor's OpenAPI: ``/candidates``, ``/candidates/{id}/tags``,
``/candidates/{id}/candidate_files`` and the ``Candidate`` schema), as summarised in
``shared/vendors.md`` §4. Clinch is a Rails application; where the seed is silent a rule follows
what a Rails model most plausibly does and says "inferred". Every refusal is a 422 whose ``field``
is the JSON pointer of the attribute at fault (JSON:API ``source.pointer``), or a 404.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockservers.clinch.settings import ClinchSettings
from mockservers.core import errors as kinds
from mockservers.core.clock import Clock
from mockservers.core.codecs import codec
from mockservers.core.errors import VendorError
from mockservers.core.filenames import content_disposition, document_type
from mockservers.core.state import MemoryState, StateStore, Table
from mockservers.s3.storage import Storage

FILES_BUCKET = "clinch-candidate-files"
"""Where candidate files are kept (inferred name; Clinch's storage is not public)."""

TEXT_LIMIT = 255
"""Longest name, phone number, tag or filename (inferred: a Rails ``string`` column)."""
EMAIL_LIMIT = 254
"""Longest email address (RFC 5321's path limit)."""

EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
"""Ruby's ``URI::MailTo::EMAIL_REGEXP`` (what a Rails ``validates :email, format:`` most often uses)."""

_BASE64_SPACE = re.compile(rb"[ \t\r\n]+")

RAILS_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
RAILS_SPACE += "\u2028\u2029\u202f\u205f\u3000"
"""What Rails' ``blank?`` (``/\\A[[:space:]]*\\z/``) calls space: ``[[:space:]]`` in Ruby's regex engine
(Onigmo, doc/RE) is Space_Separator, Line_Separator, Paragraph_Separator, U+0009-U+000D and U+0085.
Python's ``str.isspace`` (so ``str.strip``) adds U+001C-U+001F, which Rails does not call blank."""
RUBY_STRIP = "\t\n\x0b\x0c\r "
"""What Ruby's ``String#strip`` removes, but NUL (which Ruby strips too; the mock keeps it, so a name
is blank after trimming exactly when it was blank before)."""


def blank(value: str) -> bool:
    """Rails' ``String#blank?``: empty, or nothing but ``RAILS_SPACE``."""
    return not value.strip(RAILS_SPACE)


def attribute_error(attribute: str, message: str, *, code: str = "invalid_attribute") -> VendorError:
    """A 422 for one attribute: ``source.pointer`` ``/data/attributes/<attribute>``, a Rails full message."""
    return VendorError(kinds.UNPROCESSABLE, message, code=code, field=f"/data/attributes/{attribute}")


def limit_reached(message: str) -> VendorError:
    return VendorError(kinds.UNPROCESSABLE, message, code="limit_reached", field="/data")


def not_found(kind: str, identifier: str) -> VendorError:
    return VendorError(kinds.NOT_FOUND, f"The record identified by {identifier} could not be found ({kind})")


@dataclass(slots=True)
class Tag:
    id: str
    name: str
    created_at: float


@dataclass(slots=True)
class CandidateFile:
    """One uploaded file: its bytes live in S3 under ``key``."""

    id: str
    candidate_id: str
    filename: str
    content_type: str
    size: int
    key: str
    created_at: float


@dataclass(slots=True)
class Candidate:
    id: str
    seq: int
    email: str
    first_name: str | None
    last_name: str | None
    phone_number: str | None
    created_at: float
    updated_at: float
    tags: list[Tag] = field(default_factory=list)
    files: list[CandidateFile] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or None


@dataclass(frozen=True, slots=True)
class CandidateFilter:
    """``filter[updated_at][lt|gte]`` (epoch seconds) and ``filter[email][eq]``."""

    updated_before: float | None = None
    updated_since: float | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    candidates: list[Candidate]
    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        """How many pages there are (at least one, even when empty)."""
        return max(1, -(-self.total // self.size))


def text(
    attribute: str, value: Any, *, required: bool = False, limit: int = TEXT_LIMIT, label: str | None = None
) -> str | None:
    """A string attribute (or null): Rails' "can't be blank" and "is too long" rules, in Rails' full messages.

    An integer is cast to its text first, as a Rails ``string`` attribute casts one (ActiveModel's
    ``ImmutableString#cast_value`` is ``value.to_s``): ``{"first_name": 42}`` is the name "42", and a number
    of 5000 digits (Ruby's JSON reads it as a Bignum) is a name too long. Other JSON types stay refused.
    """
    label = label or attribute.replace("_", " ").capitalize()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a LongInteger's text is its literal
    if value is None or (isinstance(value, str) and blank(value)):
        if required:
            raise attribute_error(attribute, f"{label} can't be blank", code="blank")
        return None if value is None else value
    if not isinstance(value, str):
        raise attribute_error(attribute, f"{label} must be a string")
    if len(value) > limit:
        raise attribute_error(attribute, f"{label} is too long (maximum is {limit} characters)", code="too_long")
    return value


class CandidateStore:
    """Every candidate of one app, with its tags and files; files' bytes in the platform's S3.

    A candidate is one record of ``state`` (the platform's store: in memory, or durable with
    ``--state-dir``), its tags and files inside it; every change to one is put again (``save``).
    The email index and the file counts are derived from the records, so a restart rebuilds them.
    """

    def __init__(
        self, settings: ClinchSettings, clock: Clock, storage: Storage, state: StateStore | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.storage = storage
        self.state = state = state or MemoryState()
        self.candidates: Table[str, Candidate] = state.table("clinch.candidates", codec(Candidate))
        self._seq = state.cell("clinch.candidate_seq", 0)
        self._emails = {c.email.casefold(): c.id for c in self.candidates.values()}
        held = [f for c in self.candidates.values() for f in c.files]
        self._files = len(held)
        self._file_bytes = sum(f.size for f in held)

    def reset(self) -> None:
        with self.state.atomic():
            self.candidates.clear()
            self._seq.clear()
        self._emails.clear()
        self._files = self._file_bytes = 0

    def save(self, candidate: Candidate) -> Candidate:
        """Keep a new or changed candidate (every change to one goes through here, so a restart sees it)."""
        self.candidates.put(candidate.id, candidate)
        return candidate

    # -- candidates ------------------------------------------------------------------------------

    def _email(self, value: Any, current: Candidate | None = None) -> str:
        """``email``: required, a valid address, unique in the account ignoring case (inferred: Rails'
        ``uniqueness: {case_sensitive: false}``, as ``filter[email][eq]`` finds one candidate)."""
        email = text("email", value, required=True, limit=EMAIL_LIMIT)
        assert email is not None
        if EMAIL.fullmatch(email) is None:
            raise attribute_error("email", "Email is invalid")
        owner = self._emails.get(email.casefold())
        if owner is not None and (current is None or owner != current.id):
            raise attribute_error("email", "Email has already been taken", code="taken")
        return email

    def create_candidate(self, attributes: Mapping[str, Any]) -> Candidate:
        """``POST /candidates``: ``email`` required (seed 003); ``first_name``, ``last_name``,
        ``phone_number`` optional; ``tag_values`` tags the new candidate. Other attributes are
        ignored (inferred: Rails strong parameters drop what they do not permit)."""
        email = self._email(attributes.get("email"))
        first = text("first_name", attributes.get("first_name"))
        last = text("last_name", attributes.get("last_name"))
        phone = text("phone_number", attributes.get("phone_number"))
        names = self._tag_names(attributes.get("tag_values"))
        limit = self.settings.max_candidates
        if len(self.candidates) >= limit:
            raise limit_reached(
                f"This account already has {limit} candidates, the mock's limit (clinch.max_candidates)"
            )
        now = self.clock.now()
        seq = self._seq.get() + 1
        candidate = Candidate(secrets.token_hex(16), seq, email, first, last, phone, now, now)
        candidate.tags = [Tag(str(uuid.uuid4()), name, now) for name in names]
        with self.state.atomic():
            self._seq.set(seq)
            self.save(candidate)
        self._emails[email.casefold()] = candidate.id
        return candidate

    def candidate(self, candidate_id: str) -> Candidate:
        found = self.candidates.get(candidate_id)
        if found is None:
            raise not_found("candidate", candidate_id)
        return found

    def update_candidate(self, candidate: Candidate, attributes: Mapping[str, Any]) -> Candidate:
        """``PATCH /candidates/{id}``: ``first_name`` and ``last_name`` (seed 003), and (inferred) ``email``
        and ``phone_number`` under the create rules; absent attributes keep their value."""
        changes: dict[str, Any] = {}
        if "email" in attributes:
            changes["email"] = self._email(attributes["email"], candidate)
        for name in ("first_name", "last_name", "phone_number"):
            if name in attributes:
                changes[name] = text(name, attributes[name])
        if not changes:
            return candidate
        old_email = candidate.email
        for name, value in changes.items():
            setattr(candidate, name, value)
        candidate.updated_at = self.clock.now()
        self.save(candidate)
        if "email" in changes:
            del self._emails[old_email.casefold()]
            self._emails[candidate.email.casefold()] = candidate.id
        return candidate

    def list_candidates(self, where: CandidateFilter, page: int, size: int) -> Page:
        """``GET /candidates``: oldest first; ``lt`` is "less than", ``gte`` "greater than or equal to"
        (seed 003, ``candidateFilter``); the email filter ignores case (inferred, as uniqueness does)."""
        wanted = where.email.casefold() if where.email is not None else None
        matching = [
            c
            for c in self.candidates.values()
            if (where.updated_before is None or c.updated_at < where.updated_before)
            and (where.updated_since is None or c.updated_at >= where.updated_since)
            and (wanted is None or c.email.casefold() == wanted)
        ]
        start = (page - 1) * size
        return Page(matching[start : start + size], page, size, len(matching))

    # -- tags --------------------------------------------------------------------------------------

    def _tag_names(self, value: Any) -> list[str]:
        """``tag_values``: an array of strings; blank ones are dropped, the rest trimmed as Ruby's ``strip``
        trims, and repeats (ignoring case) kept once."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise attribute_error("tag_values", "Tag values must be an array of strings")
        limit = self.settings.max_tags_per_candidate
        if len(value) > limit:  # the array as sent (the document's maxItems), blanks and repeats too
            raise attribute_error("tag_values", f"Tag values has more than {limit} tags, the mock's limit")
        names: dict[str, str] = {}
        for index, item in enumerate(value):
            name = text(f"tag_values/{index}", item, label=f"Tag value {index}")
            if name is not None and not blank(name):
                names.setdefault(name.strip(RUBY_STRIP).casefold(), name.strip(RUBY_STRIP))
        return list(names.values())

    def add_tag(self, candidate: Candidate, attributes: Mapping[str, Any]) -> Tag:
        """``POST /candidates/{id}/tags``: a tag needs a ``name`` (the seed's schema says ``email``, a copy
        slip: its only property is ``name``). Inferred: tagging twice with the same name (ignoring
        case, as acts-as-taggable-on matches) answers the existing tag; the name is trimmed as Ruby's
        ``strip`` trims (ASCII whitespace; a no-break space stays)."""
        name = text("name", attributes.get("name"), required=True)
        assert name is not None
        name = name.strip(RUBY_STRIP)
        existing = next((t for t in candidate.tags if t.name.casefold() == name.casefold()), None)
        if existing is not None:
            return existing
        limit = self.settings.max_tags_per_candidate
        if len(candidate.tags) >= limit:
            raise limit_reached(
                f"This candidate already has {limit} tags, the mock's limit (clinch.max_tags_per_candidate)"
            )
        now = self.clock.now()
        tag = Tag(str(uuid.uuid4()), name, now)
        candidate.tags.append(tag)
        candidate.updated_at = now
        self.save(candidate)
        return tag

    def delete_tag(self, candidate: Candidate, tag_id: str) -> Tag:
        tag = next((t for t in candidate.tags if t.id == tag_id), None)
        if tag is None:
            raise not_found("tag", tag_id)
        candidate.tags.remove(tag)
        candidate.updated_at = self.clock.now()
        self.save(candidate)
        return tag

    # -- files -------------------------------------------------------------------------------------

    def decode_content(self, value: Any) -> bytes:
        """``content``: base64 (seed 003: "Content should be a base64 encoded string"): the standard
        alphabet with padding; line breaks and spaces are ignored, as Ruby's ``Base64.encode64`` writes
        them (inferred); nothing else (no ``data:`` URI, no URL-safe alphabet)."""
        if value is None or value == "":
            raise attribute_error("content", "Content can't be blank", code="blank")
        if not isinstance(value, str):
            raise attribute_error("content", "Content must be a base64 string")
        limit = self.settings.max_file_bytes
        packed = _BASE64_SPACE.sub(b"", value.encode("utf-8", "replace"))  # bounded by the body cap
        try:
            data = base64.b64decode(packed, validate=True)
        except (binascii.Error, ValueError):
            raise attribute_error(
                "content", "Content is not valid base64 (send the file's bytes base64-encoded, nothing else)"
            ) from None
        if not data:
            raise attribute_error("content", "Content can't be blank", code="blank")
        if len(data) > limit:
            raise attribute_error("content", f"Content is too large (maximum is {limit} bytes)", code="too_large")
        return data

    def add_file(self, candidate: Candidate, attributes: Mapping[str, Any]) -> CandidateFile:
        """``POST /candidates/{id}/candidate_files``: "Both filename and content are mandatory" (seed 003).

        The file becomes one of the candidate's ``resumes``. Inferred: its content type comes from the
        filename's extension; the mock's bounds (``max_files``, ``max_total_file_bytes``) are 422s.
        """
        filename = text("filename", attributes.get("filename"), required=True)
        assert filename is not None
        if any(ord(ch) < 32 or ch == "\x7f" for ch in filename):
            raise attribute_error("filename", "Filename must not contain control characters")
        data = self.decode_content(attributes.get("content"))
        if self._files >= self.settings.max_files:
            limit = self.settings.max_files
            raise limit_reached(f"This account already has {limit} files, the mock's limit (clinch.max_files)")
        if self._file_bytes + len(data) > self.settings.max_total_file_bytes:
            raise limit_reached(
                f"Candidate files would exceed {self.settings.max_total_file_bytes} bytes in all, the mock's limit "
                "(clinch.max_total_file_bytes)"
            )
        file_id = secrets.token_hex(16)
        content_type = document_type(filename)
        key = f"{candidate.id}/{file_id}"
        now = self.clock.now()
        stored = CandidateFile(file_id, candidate.id, filename, content_type, len(data), key, now)
        with self.state.atomic():  # the object and the record that names it, together or not at all
            self.storage.put_bytes(FILES_BUCKET, key, data, content_type, content_disposition(filename))
            candidate.files.append(stored)
            candidate.updated_at = now
            self.save(candidate)
        self._files += 1
        self._file_bytes += len(data)
        return stored

    def file_url(self, stored: CandidateFile) -> str:
        """A presigned GET of the file's exact bytes, valid ``download_ttl_seconds`` on the mock clock, that
        downloads it as an attachment under its own name (inferred: Active Storage's service URLs)."""
        disposition, ttl = content_disposition(stored.filename), self.settings.download_ttl_seconds
        overrides = {"response_content_disposition": disposition, "response_content_type": stored.content_type}
        return self.storage.presign_get(
            bucket=FILES_BUCKET, key=stored.key, expires_in=ttl, region=self.settings.region, **overrides
        )

    def files_of(self, candidates: Iterable[Candidate]) -> list[CandidateFile]:
        return [f for c in candidates for f in c.files]
