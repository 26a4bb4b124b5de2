"""Candidate documents: attached by URL, listed, downloaded. No HTTP here.

WTTJ, "Attach documents to a candidate" (the seed ``002``): ``POST /documents`` with
``{candidate_reference, remote_file_urls: [{filename, url}, ...]}`` answers the array of the new
document objects; "List candidate documents" answers the same objects for a ``candidate_reference``.
A document is ``{id, job_reference, candidate_reference, filename, file_url, size, content_type,
created_at}``; ``filename`` is the name the request gave (the docs' example answers ``"example"``
for a file whose URL ends in ``resume.pdf``), ``size`` is in bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mockservers.core.clock import Clock
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
    id: int
    candidate: Candidate
    filename: str
    file: StoredFile
    created_at: float

    def as_json(self, files: FileStore) -> dict[str, Any]:
        """The document object; ``file_url`` is a fresh presigned GET each time it is read."""
        return {
            "id": self.id,
            "job_reference": self.candidate.job.reference,
            "candidate_reference": self.candidate.reference,
            "filename": self.filename,
            "file_url": files.url(self.file),
            "size": self.file.size,
            "content_type": self.file.content_type,
            "created_at": paris_iso(self.created_at),
        }


class Documents:
    """Every candidate's documents, oldest first."""

    def __init__(self, settings: WttjSettings, clock: Clock, files: FileStore) -> None:
        self.settings = settings
        self.clock = clock
        self.files = files
        self.by_candidate: dict[str, list[Document]] = {}
        self._pending: dict[str, int] = {}
        """Documents being downloaded per candidate, so concurrent attaches respect the bound too."""
        self._next_id = FIRST_DOCUMENT_ID

    def reset(self) -> None:
        self.by_candidate.clear()
        self._next_id = FIRST_DOCUMENT_ID

    def of(self, candidate: Candidate) -> list[Document]:
        return self.by_candidate.get(candidate.reference, [])

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
        ids = list(range(self._next_id, self._next_id + len(entries)))
        self._next_id += len(entries)  # a failed attach burns its ids, as a database sequence does
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
        documents = [Document(i, candidate, e.filename, s, now) for i, e, s in zip(ids, entries, stored, strict=True)]
        self.by_candidate.setdefault(candidate.reference, []).extend(documents)
        return documents
