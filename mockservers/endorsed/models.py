"""Endorsed's candidates and the ids that name a record. No HTTP here.

Sources: "Candidates" (docs.endorsed.ai/reference/api-reference/candidates): ``first_name`` and
``remote_id`` are required; ``last_name``, ``title``, ``company_name``, ``location`` are strings;
``phone_numbers[] {value*, type: home|work|mobile|other}``, ``email_addresses[] {value*, type:
personal|work}``, ``links[] {value*, type: personal|portfolio|blog|social_media|linkedin|github}``,
each array may be empty; a candidate is read by "UUID id or by it's remote id. Remote ids MUST be
structured by remote.<id>". The update's method and every answer's shape beyond ``{"id"}`` are not
documented: each rule below says what it infers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from mockservers.core.clock import Clock, format_iso
from mockservers.core.codecs import codec
from mockservers.core.state import MemoryState, StateStore, Table
from mockservers.endorsed.errors import conflict, invalid, not_found
from mockservers.endorsed.inputs import Issues, is_uuid, lookup
from mockservers.endorsed.settings import EndorsedSettings

REMOTE_PREFIX = "remote."

PHONE_TYPES = ("home", "work", "mobile", "other")
EMAIL_TYPES = ("personal", "work")
LINK_TYPES = ("personal", "portfolio", "blog", "social_media", "linkedin", "github")
CONTACTS: Mapping[str, Sequence[str]] = {
    "phone_numbers": PHONE_TYPES,
    "email_addresses": EMAIL_TYPES,
    "links": LINK_TYPES,
}
"""Each contact list and the ``type`` values its entries may have."""
TEXT_FIELDS = ("last_name", "title", "company_name", "location")


@dataclass(frozen=True, slots=True)
class Ref:
    """A path id: an Endorsed UUID (``id``), or ``remote.<remote_id>`` (``remote_id``)."""

    id: str | None = None
    remote_id: str | None = None

    @classmethod
    def parse(cls, raw: str) -> Ref:
        """Endorsed: "UUID id or Remote Id ... Remote ids MUST be structured by remote.<id>". Anything else
        (an empty ``remote.`` too) is BAD_REQUEST on ``id`` (inferred; the issue asks for a 400)."""
        if raw.startswith(REMOTE_PREFIX) and len(raw) > len(REMOTE_PREFIX):
            return cls(remote_id=raw[len(REMOTE_PREFIX) :])
        if is_uuid(raw):
            return cls(id=raw.lower())
        raise invalid("id", "Invalid id: expected a UUID or remote.<remote_id>")


def check_remote_id(ref: Ref | None, remote_id: str) -> None:
    """A ``remote.<id>`` path and the body's ``remote_id`` must agree (inferred: the path is the key)."""
    if ref is not None and ref.remote_id is not None and ref.remote_id != remote_id:
        raise invalid("remote_id", f"remote_id must equal the remote id of the path ({ref.remote_id})")


def limit_reached(what: str, limit: int, setting: str) -> Any:
    """The mock's own bound (not Endorsed's): 409 CONFLICT naming the setting that raises it."""
    return conflict(f"The mock holds at most {limit} {what} (endorsed.{setting}); reset it or raise the limit.")


class Keyed(Protocol):
    id: str
    remote_id: str


K = TypeVar("K", bound=Keyed)


class Records(Generic[K]):
    """Records by UUID and by remote id, the two ways a path names one.

    ``by_id`` is a table of the platform's state (in memory, or durable with ``--state-dir``), so
    every change is a put (``add``, ``save``) or a delete (``remove``); ``by_remote`` is an index
    derived from it, rebuilt at start and after a transaction that rolled back (``reindex``).
    Inferred: a ``remote_id`` is unique in the organization (every configured client is one
    organization's, so all see the same records); ``holder`` tells who has one.
    """

    def __init__(self, table: Table[str, K]) -> None:
        self.by_id = table
        self.by_remote: dict[str, str] = {}
        self.reindex()

    def __len__(self) -> int:
        return len(self.by_id)

    def reindex(self) -> None:
        self.by_remote = {record.remote_id: record.id for record in self.by_id.values()}

    @contextmanager
    def atomic(self, state: StateStore) -> Iterator[None]:
        """``state.atomic()`` around several writes; if it rolls back, the index follows the table back."""
        try:
            with state.atomic():
                yield
        except BaseException:
            self.reindex()
            raise

    def find(self, ref: Ref) -> K | None:
        record_id = ref.id if ref.id is not None else self.by_remote.get(ref.remote_id or "")
        return self.by_id.get(record_id or "")

    def holder(self, remote_id: str) -> str | None:
        return self.by_remote.get(remote_id)

    def add(self, record: K) -> K:
        self.by_id.put(record.id, record)
        self.by_remote[record.remote_id] = record.id
        return record

    def save(self, record: K, old_remote_id: str) -> K:
        """Keep a record changed in place; ``old_remote_id`` is the remote id it had before the change."""
        self.by_id.put(record.id, record)
        if old_remote_id != record.remote_id:
            del self.by_remote[old_remote_id]
            self.by_remote[record.remote_id] = record.id
        return record

    def remove(self, record: K) -> None:
        self.by_id.delete(record.id)
        del self.by_remote[record.remote_id]

    def clear(self) -> None:
        self.by_id.clear()
        self.by_remote.clear()


# -- candidates ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CandidateInput:
    first_name: str
    remote_id: str
    text: Mapping[str, str | None]
    """``last_name``, ``title``, ``company_name``, ``location`` (None when not given)."""
    contacts: Mapping[str, tuple[tuple[str, str | None], ...]]
    """Each of ``phone_numbers``, ``email_addresses``, ``links`` as ``(value, type)`` pairs."""


def parse_candidate(body: Mapping[str, Any]) -> CandidateInput:
    """A create or update body, every problem reported at once (Zod's messages; see ``inputs``).

    Inferred: values are not checked beyond their types and enums (Endorsed documents no email or
    URL format), unknown fields are ignored (Zod's default), ``type`` may be left out of an entry.
    """
    issues = Issues()
    first_name = issues.string(lookup(body, "first_name"), "first_name")
    text = {name: issues.string(lookup(body, name), name, required=False) for name in TEXT_FIELDS}
    contacts: dict[str, tuple[tuple[str, str | None], ...]] = {}
    for name, types in CONTACTS.items():
        entries = []
        for index, entry in enumerate(issues.array(lookup(body, name), name)):
            item = issues.object(entry, f"{name}.{index}")
            if item is None:
                continue
            value = issues.string(lookup(item, "value"), f"{name}.{index}.value")
            kind = issues.enum(lookup(item, "type"), f"{name}.{index}.type", types, required=False)
            if value is not None:
                entries.append((value, kind))
        contacts[name] = tuple(entries)
    remote_id = issues.string(lookup(body, "remote_id"), "remote_id")
    issues.raise_any()
    assert first_name is not None and remote_id is not None
    return CandidateInput(first_name, remote_id, text, contacts)


@dataclass(slots=True)
class Candidate:
    id: str
    remote_id: str
    first_name: str
    text: Mapping[str, str | None]
    contacts: Mapping[str, tuple[tuple[str, str | None], ...]]
    created_at: float
    modified_at: float

    def as_json(self) -> dict[str, Any]:
        """The GET result (inferred shape: the create fields, null when not given, plus id and timestamps)."""
        out: dict[str, Any] = {"id": self.id, "remote_id": self.remote_id, "first_name": self.first_name}
        out.update(self.text)
        for name, entries in self.contacts.items():
            out[name] = [{"value": value, "type": kind} for value, kind in entries]
        out["created_at"] = format_iso(self.created_at)
        out["modified_at"] = format_iso(self.modified_at)
        return out


class CandidateBook:
    """Every candidate of the organization (``records``: by id and by unique remote id)."""

    def __init__(self, settings: EndorsedSettings, clock: Clock, state: StateStore | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.state = state = state or MemoryState()
        self.records: Records[Candidate] = Records(state.table("endorsed.candidates", codec(Candidate)))

    def reset(self) -> None:
        self.records.clear()

    def exists(self, candidate_id: str) -> bool:
        return candidate_id in self.records.by_id

    def find(self, ref: Ref) -> Candidate:
        """The candidate a path id names, or NOT_FOUND."""
        found = self.records.find(ref)
        if found is None:
            raise not_found()
        return found

    def create(self, data: CandidateInput) -> Candidate:
        """``POST /candidates``: a new candidate with a new UUID (201 in the routes); a used remote id is 409."""
        self._check_remote_id(data.remote_id, None)
        if len(self.records) >= self.settings.max_candidates:
            raise limit_reached("candidates", self.settings.max_candidates, "max_candidates")
        now = self.clock.now()
        return self.records.add(
            Candidate(str(uuid.uuid4()), data.remote_id, data.first_name, data.text, data.contacts, now, now)
        )

    def update(self, ref: Ref, data: CandidateInput) -> Candidate:
        """ "Update an existing Candidate" (inferred: ``PUT`` with the create body, which replaces every field).

        An unknown candidate is NOT_FOUND (no upsert is documented for candidates); by UUID the
        remote id may change to one no other candidate has.
        """
        candidate = self.find(ref)
        check_remote_id(ref, data.remote_id)
        self._check_remote_id(data.remote_id, candidate.id)
        old_remote_id = candidate.remote_id
        candidate.remote_id = data.remote_id
        candidate.first_name = data.first_name
        candidate.text = data.text
        candidate.contacts = data.contacts
        candidate.modified_at = self.clock.now()
        return self.records.save(candidate, old_remote_id)

    def _check_remote_id(self, remote_id: str, owner: str | None) -> None:
        holder = self.records.holder(remote_id)
        if holder is not None and holder != owner:
            raise conflict(f"A candidate with remote_id {remote_id!r} already exists.", "remote_id")
