"""Candidate documents: attached by URL, listed, downloaded. No HTTP here.

WTTJ, "Attach documents to a candidate" (the seed ``002``): ``POST /documents`` with
``{candidate_reference, remote_file_urls: [{filename, url}, ...]}`` answers the array of the new
document objects; "List candidate documents" answers the same objects for a ``candidate_reference``.
A document is ``{id, job_reference, candidate_reference, filename, file_url, size, content_type,
created_at}``; ``filename`` is the name the request gave (the docs' example answers ``"example"``
for a file whose URL ends in ``resume.pdf``), ``size`` is in bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mockservers.core.clock import Clock
from mockservers.core.codecs import codec
from mockservers.core.state import MemoryState, StateStore, Table
from mockservers.wttj.errors import invalid
from mockservers.wttj.files import FileStore, RemoteFetcher, RemoteFile, StoredFile
from mockservers.wttj.models import MAX_SHORT, Candidate
from mockservers.wttj.params import RemoteFileUrl
from mockservers.wttj.paris import paris_iso
from mockservers.wttj.settings import WttjSettings

FIRST_DOCUMENT_ID = 20
"""The first id handed out: the docs' example document is ``"id": 20``."""


@dataclass(frozen=True, slots=True)
class Document:
    """One attached document; it names its candidate (and the candidate's job) rather than holding it."""

    id: int
    candidate_reference: str
    job_reference: str
    filename: str
    file: StoredFile
    created_at: float

    def as_json(self, files: FileStore) -> dict[str, Any]:
        """The document object; ``file_url`` is a fresh presigned GET each time it is read."""
        return {
            "id": self.id,
            "job_reference": self.job_reference,
            "candidate_reference": self.candidate_reference,
            "filename": self.filename,
            "file_url": files.url(self.file),
            "size": self.file.size,
            "content_type": self.file.content_type,
            "created_at": paris_iso(self.created_at),
        }


@dataclass(frozen=True, slots=True)
class Attached:
    """A candidate's documents, oldest first: one record per candidate, put whole at each attach (at most
    ``max_documents_per_candidate``, 50 by default), so an attach of several documents is one write."""

    documents: tuple[Document, ...]


class Documents:
    """Every candidate's documents, oldest first, kept in ``state`` (in memory, or durable with ``--state-dir``)."""

    def __init__(self, settings: WttjSettings, clock: Clock, files: FileStore, state: StateStore | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.files = files
        self.state = state = state or MemoryState()
        self.by_candidate: Table[str, Attached] = state.table("wttj.documents", codec(Attached))
        self._pending: dict[str, int] = {}
        """Documents being downloaded per candidate, so concurrent attaches respect the bound too."""
        self._next_id = state.cell("wttj.next_document_id", FIRST_DOCUMENT_ID)

    def reset(self) -> None:
        with self.state.atomic():
            self.by_candidate.clear()
            self._next_id.clear()

    def of(self, candidate: Candidate) -> tuple[Document, ...]:
        found = self.by_candidate.get(candidate.reference)
        return found.documents if found is not None else ()

    def all(self) -> Iterator[Document]:
        for attached in self.by_candidate.values():
            yield from attached.documents

    async def attach(
        self, fetcher: RemoteFetcher, candidate: Candidate, entries: Sequence[RemoteFileUrl]
    ) -> list[Document]:
        """Download every URL and attach the files, all or none (the first refusal names its URL).

        Inferred: WTTJ does not say whether it downloads while answering or what a bad URL does; the
        mock downloads during the request (as CarrierWave's ``remote_*_url`` does) so the answer can
        carry each file's ``size`` and ``content_type``, and refuses the whole request for one bad URL.
        Each ``filename`` may have at most 255 characters; a candidate keeps at most
        ``max_documents_per_candidate`` documents (a bound of the mock).
        """
        long = [f"remote_file_urls[{i}][filename]" for i, e in enumerate(entries) if len(e.filename) > MAX_SHORT]
        if long:
            raise invalid(", ".join(f"{name} is too long (maximum is {MAX_SHORT} characters)" for name in long))
        held = len(self.of(candidate)) + self._pending.get(candidate.reference, 0)
        limit = self.settings.max_documents_per_candidate
        if held + len(entries) > limit:
            raise invalid(
                f"atsmock keeps at most {limit} documents per candidate ([wttj] max_documents_per_candidate); "
                f"this candidate has {held}"
            )
        first = self._next_id.get()
        ids = list(range(first, first + len(entries)))
        self._next_id.set(first + len(entries))  # a failed attach burns its ids, as a database sequence does
        wanted = [
            RemoteFile(
                f"remote_file_urls[{i}][url]", e.url, f"uploads/document/file/{ids[i]}", self.settings.max_document_size
            )
            for i, e in enumerate(entries)
        ]
        self._pending[candidate.reference] = self._pending.get(candidate.reference, 0) + len(entries)
        try:
            stored = await self.files.download(fetcher, wanted)
        finally:
            left = self._pending.pop(candidate.reference) - len(entries)
            if left:
                self._pending[candidate.reference] = left
        now = self.clock.now()
        documents = [
            Document(i, candidate.reference, candidate.job_reference, e.filename, s, now)
            for i, e, s in zip(ids, entries, stored, strict=True)
        ]
        self.by_candidate.put(candidate.reference, Attached((*self.of(candidate), *documents)))
        return documents
