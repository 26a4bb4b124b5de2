"""The seeded organization, its jobs and stages, and candidates. No HTTP here.

Sources: WTTJ's "Create a candidate", "Retrieve a candidate" and "List candidates" pages
(developers.welcomekit.co/candidates-api/candidates/*) and the vendor's older Slate docs
(github.com/WTTJ/wk-api-docs, ``source/includes/_candidates.md``, ``_jobs.md``), as summarised in
``shared/vendors.md`` §3. Every rule the docs do not state says "inferred".
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from mockservers.core import errors as kinds
from mockservers.core.clock import Clock
from mockservers.core.codecs import codec
from mockservers.core.state import MemoryState, StateStore, Table
from mockservers.wttj.auth import Caller
from mockservers.wttj.errors import error, invalid, not_found
from mockservers.wttj.files import RemoteFile, StoredFile
from mockservers.wttj.paris import paris_iso, paris_midnight
from mockservers.wttj.settings import WttjSettings


@dataclass(frozen=True, slots=True)
class Stage:
    id: int
    name: str
    reference: str | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "reference": self.reference, "visible": True}


@dataclass(frozen=True, slots=True)
class Job:
    reference: str
    name: str
    stages: tuple[Stage, ...]

    def stage(self, stage_id: int) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)


ORGANIZATION_REFERENCE = "Pg4eV6k"
"""The organization of every example in the docs; the mock's one organization, which every token belongs to."""

JOBS: tuple[Job, ...] = (
    Job(
        "WTTJ_KmqkD1Y",
        "Fake Job 1",
        (Stage(14598, "Nouveau", "initial"), Stage(14599, "À rencontrer", None), Stage(14600, "Refusé", "refused"),
         Stage(14601, "Embauché", "hired")),
    ),
    Job("WTTJ_gld0A7L", "Fake Job 2", (Stage(5395, "Nouveau", "initial"), Stage(5396, "Refusé", "refused"),
                                       Stage(5397, "À rencontrer", None))),
)  # fmt: skip
"""The seeded jobs. Their references, names and stages are the docs' own examples: the candidate examples
sit on ``WTTJ_KmqkD1Y`` in stage 14600 "Refusé" (``refused``); "Retrieve a job" lists stages 5395-5397
of ``WTTJ_gld0A7L``. The other stages (14598, 14599, 14601 "Embauché", ``hired``) are inferred."""
JOBS_BY_REFERENCE: Mapping[str, Job] = {job.reference: job for job in JOBS}

SEEDED_CANDIDATE = "wttj-d655345409a6097309156b05"
"""The candidate of every example in the docs (Foo Bar, test@example.com, on ``WTTJ_KmqkD1Y`` in stage 14600),
seeded so that the docs' own requests work as written; created 2016-08-23T12:55:27.206+02:00, as the example."""
_SEEDED_AT = datetime(2016, 8, 23, 10, 55, 27, 206000, tzinfo=UTC).timestamp()
SEED_TOKEN = ""
"""``created_by`` of the seeded candidate: no token created it, so ``my_candidates_*`` tokens do not see it."""

NOT_A_MEMBER = "You are not member of this organization"
"""The ``unauthorized`` example of the "Errors and Status" page."""

SHORT_FIELDS = (
    "email", "firstname", "lastname", "subtitle", "phone", "referrer",
    "media_website", "media_github", "media_stackoverflow", "media_dribbble", "media_behance", "media_linkedin",
    "media_facebook", "media_instagram", "media_medium", "media_tumblr", "media_vimeo", "media_twitter",
)  # fmt: skip
"""Fields stored in a string column: at most ``MAX_SHORT`` characters (inferred: Rails' default column)."""
MAX_SHORT = 255
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(slots=True)
class Candidate:
    """One candidate; ``created_by`` is the token that created it (for ``my_candidates_*`` scopes).

    The job and stage are kept by reference and id (a stored record names the seeded job; it does not
    copy it), so ``job`` is the one seeded ``Job`` object after a restart too.
    """

    seq: int
    reference: str
    job_reference: str
    stage_id: int
    created_by: str
    created_at: float
    fields: dict[str, str]
    tags: tuple[str, ...] = ()
    archived: bool = False
    origin: str = "external"
    files: dict[str, StoredFile] = field(default_factory=dict)
    """``resume``, ``portfolio``, ``image``: what the ``remote_*_url`` fields downloaded."""

    @property
    def job(self) -> Job:
        return JOBS_BY_REFERENCE[self.job_reference]

    @property
    def stage(self) -> Stage:
        found = self.job.stage(self.stage_id)
        assert found is not None, f"stage {self.stage_id} of {self.job_reference}"
        return found

    @property
    def updated_at(self) -> float:
        return self.created_at

    def as_json(self, file_url: Callable[[StoredFile], str], avatar: str, *, stage: bool, tags: bool) -> dict[str, Any]:
        """The candidate object of "Retrieve a candidate"; ``stage`` and ``tags`` as the query flags ask."""
        resume = self.files.get("resume")
        portfolio = self.files.get("portfolio")
        image = self.files.get("image")
        get = self.fields.get
        out: dict[str, Any] = {
            "reference": self.reference,
            "cover_letter": get("cover_letter", ""),
            "created_at": paris_iso(self.created_at),
            "job_reference": self.job.reference,
            "modal_path": f"/dashboard/o/{ORGANIZATION_REFERENCE}/jobs/{self.job.reference}/card/{self.reference}",
            "portfolio_size": portfolio.size if portfolio else None,
            "portfolio_url": file_url(portfolio) if portfolio else None,
            "resume_content_type": resume.content_type if resume else None,
            "resume_size": resume.size if resume else None,
            "resume_url": file_url(resume) if resume else None,
            "stage_id": self.stage.id,
        }
        if stage:
            out["stage"] = self.stage.as_json()
        out["updated_at"] = paris_iso(self.updated_at)
        out["profile"] = {
            "address": None,
            "avatar_url": file_url(image) if image else avatar,
            "city": None,
            "country_code": None,
            "country_name": None,
            "email": get("email"),
            "firstname": get("firstname"),
            "lastname": get("lastname"),
            "phone": get("phone"),
            "subtitle": get("subtitle"),
            "zip_code": None,
        }
        if tags:
            out["tags"] = list(self.tags)
        out["origin"] = self.origin
        out["archived"] = self.archived
        return out


@dataclass(frozen=True, slots=True)
class CandidateFilter:
    """The filters of "List candidates" (all optional but the job)."""

    email: str | None
    origin: str | None
    referrer: str | None
    job_stage_id: str | None
    """A String parameter in the docs: compared with the stage id as text."""
    job_stage_reference: str | None
    archived: bool | None
    created_after: date | None
    updated_after: date | None


def tag_list(raw: str | None) -> tuple[str, ...]:
    """``tag_list`` is a "Comma separated list of tags": trimmed, blanks dropped, each once, in order."""
    return tuple(dict.fromkeys(t.strip() for t in (raw or "").split(",") if t.strip()))


def _seeded() -> Candidate:
    fields = {"email": "test@example.com", "firstname": "Foo", "lastname": "Bar"}
    return Candidate(1, SEEDED_CANDIDATE, JOBS[0].reference, 14600, SEED_TOKEN, _SEEDED_AT, fields)


class Candidates:
    """The organization's jobs and every candidate created in this app.

    The candidates created through the API live in ``state`` (the platform's store: in memory, or
    durable with ``--state-dir``), one record each; WTTJ has no update, so each is put once. The
    seeded candidate of the docs' examples is a constant like the jobs, never stored: a reset leaves
    no WTTJ record behind, and every run has it with internal id 1.
    """

    def __init__(self, settings: WttjSettings, clock: Clock, state: StateStore | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.state = state = state or MemoryState()
        self.jobs = JOBS_BY_REFERENCE
        self.seeded = _seeded()
        self.created: Table[str, Candidate] = state.table("wttj.candidates", codec(Candidate))
        self._seq = state.cell("wttj.candidate_seq", self.seeded.seq)
        """The last internal id handed out (the seeded candidate's until the first creation)."""

    def reset(self) -> None:
        with self.state.atomic():
            self.created.clear()
            self._seq.clear()
        self.seeded = _seeded()

    def __len__(self) -> int:
        return 1 + len(self.created)

    def all(self) -> Iterator[Candidate]:
        """Every candidate, oldest first (the seeded one first)."""
        yield self.seeded
        yield from self.created.values()

    def find(self, reference: str) -> Candidate | None:
        if reference == SEEDED_CANDIDATE:
            return self.seeded
        return self.created.get(reference)

    def job(self, organization_reference: str | None, job_reference: str) -> Job:
        """A job of the organization: 401 for another organization (not a member), 404 for an unknown job."""
        if organization_reference is not None and organization_reference != ORGANIZATION_REFERENCE:
            raise error(kinds.UNAUTHENTICATED, NOT_A_MEMBER)
        found = self.jobs.get(job_reference)
        if found is None:
            raise not_found("Job not found")
        return found

    def check_new(self, job: Job, stage_id: int, fields: Mapping[str, str | None]) -> Stage:
        """The rules a new candidate must pass once its parameters are read (inferred, as Rails validates).

        The stage must be one of the job's; ``email`` a plausible address; short fields at most 255
        characters. Every problem is listed in one ``validation_failed``. The mock keeps at most
        ``max_candidates``.
        """
        problems: list[str] = []
        stage = job.stage(stage_id)
        if stage is None:
            problems.append(f"job_stage_id {stage_id} is not a stage of job {job.reference}")
        email = fields.get("email")
        if email is not None and not _EMAIL.fullmatch(email):
            problems.append("email is invalid")
        for name in SHORT_FIELDS:
            value = fields.get(name)
            if value is not None and len(value) > MAX_SHORT:
                problems.append(f"{name} is too long (maximum is {MAX_SHORT} characters)")
        if problems:
            raise invalid(", ".join(problems))
        if len(self) >= self.settings.max_candidates:
            raise invalid(
                f"atsmock keeps at most {self.settings.max_candidates} candidates ([wttj] max_candidates); "
                "reset the mock (POST /__admin/reset?vendor=wttj)"
            )
        assert stage is not None
        return stage

    def next_seq(self) -> int:
        """The next candidate's internal id (used in its files' keys; a failed creation burns it, as a
        database sequence does)."""
        seq = self._seq.get() + 1
        self._seq.set(seq)
        return seq

    def add(
        self,
        seq: int,
        job: Job,
        stage: Stage,
        caller: Caller,
        fields: Mapping[str, str | None],
        *,
        tags: tuple[str, ...],
        archived: bool,
        files: Mapping[str, StoredFile],
    ) -> Candidate:
        """Store a checked candidate; its reference is ``wttj-`` and 24 hex digits, as the docs' examples."""
        candidate = Candidate(
            seq=seq,
            reference=f"wttj-{secrets.token_hex(12)}",
            job_reference=job.reference,
            stage_id=stage.id,
            created_by=caller.token,
            created_at=self.clock.now(),
            fields={k: v for k, v in fields.items() if v is not None},
            tags=tags,
            archived=archived,
            files=dict(files),
        )
        self.created.put(candidate.reference, candidate)
        return candidate

    def get(self, reference: str, caller: Caller) -> Candidate:
        """A candidate the caller may see (its own only, with ``my_candidates_*``); else 404."""
        found = self.find(reference)
        if found is None or not (caller.sees_all_candidates or found.created_by == caller.token):
            raise not_found("Candidate not found")
        return found

    def matching(self, job: Job, caller: Caller, wanted: CandidateFilter) -> list[Candidate]:
        """The job's candidates the caller may see that pass every filter, oldest first.

        ``email`` matches case-insensitively; ``created_after`` / ``updated_after`` (YYYY-MM-DD) keep
        what was created or updated after 00:00 Paris time that day (inferred: Rails compares a date
        with the day's start in the app's time zone).
        """
        created = paris_midnight(wanted.created_after) if wanted.created_after else None
        updated = paris_midnight(wanted.updated_after) if wanted.updated_after else None
        email = wanted.email.casefold() if wanted.email is not None else None
        found = []
        for c in self.all():
            if c.job_reference != job.reference or not (caller.sees_all_candidates or c.created_by == caller.token):
                continue
            checks = (
                email is None or c.fields.get("email", "").casefold() == email,
                wanted.origin is None or c.origin == wanted.origin,
                wanted.referrer is None or c.fields.get("referrer") == wanted.referrer,
                wanted.job_stage_id is None or str(c.stage.id) == wanted.job_stage_id,
                wanted.job_stage_reference is None or c.stage.reference == wanted.job_stage_reference,
                wanted.archived is None or c.archived == wanted.archived,
                created is None or c.created_at > created,
                updated is None or c.updated_at > updated,
            )
            if all(checks):
                found.append(c)
        return found


@dataclass(frozen=True, slots=True)
class RemoteSlot:
    """A candidate field that names a file to download, and what that file may be."""

    slot: str
    field: str
    extensions: tuple[str, ...]
    setting: str


REMOTE_SLOTS: tuple[RemoteSlot, ...] = (
    RemoteSlot("resume", "remote_resume_url", ("pdf", "doc", "docx", "odt"), "max_resume_size"),
    RemoteSlot("portfolio", "remote_portfolio_url", ("pdf",), "max_portfolio_size"),
    RemoteSlot("image", "remote_image_url", ("jpg", "jpeg", "gif", "png"), "max_image_size"),
)
""""Create a candidate": ``remote_resume_url`` "file type: PDF, DOC, DOCX, ODT maximum file size: 5MB",
``remote_portfolio_url`` "file type: PDF, maximum file size: 10MB"; ``remote_image_url`` ("Avatar url")
states neither (inferred: CarrierWave's usual image list, 5 MB)."""


def candidate_files(settings: WttjSettings, seq: int, fields: Mapping[str, str | None]) -> list[tuple[str, RemoteFile]]:
    """The files a new candidate's ``remote_*_url`` fields ask for, slot by slot."""
    return [
        (
            s.slot,
            RemoteFile(s.field, url, f"uploads/candidate/{s.slot}/{seq}", getattr(settings, s.setting), s.extensions),
        )
        for s in REMOTE_SLOTS
        if (url := fields.get(s.field))
    ]
