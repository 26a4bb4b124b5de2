"""Job postings (seeded, fixed ids) and ``applicationForm.submit``. No HTTP here.

Sources: Ashby's ``jobPosting.list``, ``jobPosting.info`` and ``applicationForm.submit`` references
and the "Creating a Custom Careers Page" guide (developers.ashbyhq.com/docs/creating-a-custom-careers-page).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mockservers.ashby.files import FilePayload, StoredFile
from mockservers.ashby.models import AshbyStore, UploadHandle, invalid, is_email, not_found
from mockservers.core import errors as kinds
from mockservers.core.codecs import JSON
from mockservers.core.errors import VendorError
from mockservers.core.state import Table

FAIL_VALIDATION_EMAIL = "testing-fail-validation@example.com"
"""Ashby: "you can simulate a validation failure by submitting the email address" above."""

RESUME_PATH = "_systemfield_resume"
COVER_LETTER_PATH = "7c1e4b52-31f0-4a8e-9d55-0a9b6c2e8f41"
"""A custom File field: Ashby names custom fields by a UUID path, system fields by ``_systemfield_*``."""

_FORM_FIELDS: tuple[tuple[str, str, str, str, bool], ...] = (
    # (field id, type, path, title, isRequired)
    ("afc7d3c7-5616-423a-b0db-261888f6f10b", "String", "_systemfield_name", "Name", True),
    ("1c23a4e4-d40a-4574-a3b9-8ec4318421ec", "Email", "_systemfield_email", "Email", True),
    ("5d4a3b2c-1e0f-4a9b-8c7d-6e5f4a3b2c1d", "Phone", "_systemfield_phone", "Phone", False),
    ("fe05b423-e580-4c4b-8a67-32d354bdfe91", "File", RESUME_PATH, "Resume", True),
    ("2e6f9a1d-84c3-4b7e-a5f0-3d9c8b7a6e52", "File", COVER_LETTER_PATH, "Cover letter", False),
)
"""The seeded application form; the first four ids are those of Ashby's own form-definition example."""


def form_definition() -> dict[str, Any]:
    """Ashby's FormDefinition: sections of ``{isRequired, field: {id, type, path, title, ...}}``."""
    fields = [
        {
            "isRequired": required,
            "field": {
                "id": field_id,
                "type": kind,
                "path": path,
                "humanReadablePath": title,
                "title": title,
                "isNullable": not required,
            },
        }
        for field_id, kind, path, title, required in _FORM_FIELDS
    ]
    return {"sections": [{"title": "Application", "fields": fields}]}


@dataclass(frozen=True, slots=True)
class JobPosting:
    id: str
    title: str
    job_id: str
    department: str
    team: str
    location_name: str
    location_id: str
    employment_type: str
    workplace_type: str
    is_listed: bool
    published: bool
    published_date: str
    updated_at: str
    description: str
    compensation: str

    @property
    def link(self) -> str:
        return f"https://jobs.ashbyhq.com/atsmock/{self.id}"

    def summary_json(self) -> dict[str, Any]:
        """The JobPosting of ``jobPosting.list`` (the shape of Ashby's jobPostingUpdate webhook)."""
        return {
            "id": self.id,
            "title": self.title,
            "jobId": self.job_id,
            "departmentName": self.department,
            "teamName": self.team,
            "locationName": self.location_name,
            "locationIds": {"primaryLocationId": self.location_id, "secondaryLocationIds": []},
            "workplaceType": self.workplace_type,
            "employmentType": self.employment_type,
            "isListed": self.is_listed,
            "publishedDate": self.published_date,
            "externalLink": self.link,
            "applyLink": self.link,
            "compensationTierSummary": self.compensation,
            "shouldDisplayCompensationOnJobBoard": True,
            "updatedAt": self.updated_at,
        }

    def info_json(self) -> dict[str, Any]:
        """The JobPosting of ``jobPosting.info``: the summary plus descriptions and the application form."""
        html = f"<p>{self.description}</p>"
        out = self.summary_json()
        out.update(
            {
                "descriptionPlain": self.description,
                "descriptionHtml": html,
                "descriptionSocial": self.description[:200],
                "descriptionParts": {
                    "descriptionOpening": {"html": "", "plain": ""},
                    "descriptionBody": {"html": html, "plain": self.description},
                    "descriptionClosing": {"html": "", "plain": ""},
                },
                "teamNameHierarchy": [self.department, self.team] if self.team != self.department else [self.team],
                "linkedData": {
                    "@context": "https://schema.org/",
                    "@type": "JobPosting",
                    "title": self.title,
                    "description": html,
                    "identifier": {"@type": "PropertyValue", "name": self.title, "value": self.id},
                    "datePosted": self.published_date,
                    "hiringOrganization": {"@type": "Organization", "name": "atsmock", "sameAs": "atsmock.invalid"},
                    "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress"}},
                    "employmentType": _LINKED_DATA_EMPLOYMENT[self.employment_type],
                },
                "isRemote": self.workplace_type == "Remote",
                "applicationFormDefinition": form_definition(),
                "surveyFormDefinitions": [],
                "compensation": {
                    "compensationTierSummary": self.compensation,
                    "compensationTiers": [],
                    "shouldDisplayCompensationOnJobBoard": True,
                },
            }
        )
        return out


_LINKED_DATA_EMPLOYMENT = {
    "FullTime": "FULL_TIME",
    "PartTime": "PART_TIME",
    "Contract": "CONTRACTOR",
    "Temporary": "TEMPORARY",
    "Intern": "INTERN",
}

SOFTWARE_ENGINEER = "2f6a8f1c-5b4e-4d3a-9c2b-1a0f9e8d7c61"
RECRUITING_COORDINATOR = "2f6a8f1c-5b4e-4d3a-9c2b-1a0f9e8d7c62"
DATA_SCIENTIST = "2f6a8f1c-5b4e-4d3a-9c2b-1a0f9e8d7c63"

SEEDED_POSTINGS: tuple[JobPosting, ...] = (
    JobPosting(
        id=SOFTWARE_ENGINEER,
        title="Software Engineer",
        job_id="8d1b3a52-7c64-4e0f-b9a1-5e2d4c6f8a01",
        department="Engineering",
        team="Platform",
        location_name="Remote (US)",
        location_id="c3f1a2b4-6d5e-4f70-8192-a3b4c5d6e701",
        employment_type="FullTime",
        workplace_type="Remote",
        is_listed=True,
        published=True,
        published_date="2026-01-05",
        updated_at="2026-01-05T09:00:00.000Z",
        description="Build the services behind atsmock's example careers page.",
        compensation="$120K \u2013 $160K",
    ),
    JobPosting(
        id=RECRUITING_COORDINATOR,
        title="Recruiting Coordinator",
        job_id="8d1b3a52-7c64-4e0f-b9a1-5e2d4c6f8a02",
        department="People",
        team="Recruiting Operations",
        location_name="Springfield",
        location_id="c3f1a2b4-6d5e-4f70-8192-a3b4c5d6e702",
        employment_type="PartTime",
        workplace_type="OnSite",
        is_listed=False,
        published=True,
        published_date="2026-01-12",
        updated_at="2026-01-12T09:00:00.000Z",
        description="An unlisted posting: published, applications open, hidden from public job boards.",
        compensation="$30 \u2013 $40 per hour",
    ),
    JobPosting(
        id=DATA_SCIENTIST,
        title="Data Scientist",
        job_id="8d1b3a52-7c64-4e0f-b9a1-5e2d4c6f8a03",
        department="Engineering",
        team="Data",
        location_name="Springfield",
        location_id="c3f1a2b4-6d5e-4f70-8192-a3b4c5d6e702",
        employment_type="FullTime",
        workplace_type="Hybrid",
        is_listed=True,
        published=False,
        published_date="2025-11-03",
        updated_at="2026-01-20T09:00:00.000Z",
        description="An unpublished posting: not in jobPosting.list; applicationForm.submit takes it by default.",
        compensation="$130K \u2013 $170K",
    ),
)
"""The postings every fresh app starts with; their ids are fixed so docs and tests can name them."""


FileResolver = Callable[[str, Any], UploadHandle | FilePayload]
"""Turns a File field's submitted value into its file (a handle in JSON, a part in multipart) or raises."""


class JobBoard:
    """The job postings and the application forms submitted to them."""

    def __init__(self, store: AshbyStore, postings: Iterable[JobPosting] = SEEDED_POSTINGS) -> None:
        self.store = store
        self.postings = {p.id: p for p in postings}
        self.submissions: Table[str, dict[str, Any]] = store.state.table("ashby.submissions", JSON)

    def reset(self) -> None:
        self.submissions.clear()

    def posting(self, posting_id: str) -> JobPosting:
        """``jobPosting.info``; unpublished postings are found too (inferred), unknown ones are not."""
        found = self.postings.get(posting_id)
        if found is None:
            raise not_found("job_posting_not_found", f"No job posting found with id {posting_id}")
        return found

    def published(
        self, *, listed_only: bool = False, location: str | None = None, department: str | None = None
    ) -> list[JobPosting]:
        """``jobPosting.list``: published postings, unlisted ones included unless ``listedOnly``.

        Ashby: "Lists all published job postings"; "By default, this endpoint includes all listed
        and unlisted job postings"; ``location`` and ``department`` filter by name, case-sensitively.
        """
        return [
            p
            for p in self.postings.values()
            if p.published
            and (p.is_listed or not listed_only)
            and (location is None or p.location_name == location)
            and (department is None or p.department == department)
        ]

    def submit(
        self,
        posting_id: str,
        submissions: list[tuple[str, Any]],
        resolve_file: FileResolver,
        *,
        allow_unpublished: bool = True,
    ) -> dict[str, Any]:
        """``applicationForm.submit``: validate the form, then record the candidate and the application.

        Ashby: unknown postings are ``job_posting_not_found``; an unpublished posting is refused with
        ``job_posting_not_published`` only when ``allowSubmissionForUnpublishedJobPosting`` is false
        (it defaults to true); the email ``testing-fail-validation@example.com`` always fails
        validation. Inferred: validation errors are ``invalid_input`` naming the field path; an
        unknown or repeated path is an error; the candidate is matched by email (or created), the
        resume becomes its primary resume, and each submission creates one application.
        """
        posting = self.posting(posting_id)
        if not posting.published and not allow_unpublished:
            raise VendorError(
                kinds.CONFLICT, f"Job posting {posting_id} is not published", code="job_posting_not_published"
            )
        values = self._validate(submissions, resolve_file)
        with self.store.state.atomic():  # the candidate, its files and the application, or nothing
            return self._record(values)

    def _record(self, values: Mapping[str, Any]) -> dict[str, Any]:
        store = self.store
        email = str(values["_systemfield_email"])
        candidate = store.candidate_by_email(email)
        if candidate is None:
            candidate = store.create_candidate(
                str(values["_systemfield_name"]), email=email, phone=values.get("_systemfield_phone")
            )
        submitted: dict[str, Any] = {}
        for path, value in values.items():
            if isinstance(value, UploadHandle | FilePayload):
                stored: StoredFile = store.store_file(candidate.id, value)
                if path == RESUME_PATH:
                    store.attach_resume(candidate, stored)
                else:
                    store.attach_file(candidate, stored)
                submitted[path] = stored.as_json()
            else:
                submitted[path] = value
        candidate.application_ids.append(str(uuid.uuid4()))
        candidate.updated_at = store.clock.now()
        store.save(candidate)
        instance_id = str(uuid.uuid4())
        instance = {"id": instance_id, "formDefinition": form_definition(), "submittedValues": submitted}
        self.submissions.put(instance_id, instance)
        return {"submittedFormInstance": instance, "formMessages": {"blocked": False}}

    def _validate(self, submissions: list[tuple[str, Any]], resolve_file: FileResolver) -> dict[str, Any]:
        kinds = {path: (kind, required) for _, kind, path, _, required in _FORM_FIELDS}
        values: dict[str, Any] = {}
        for index, (path, value) in enumerate(submissions):
            where = f"applicationForm.fieldSubmissions[{index}]"
            if path not in kinds:
                raise invalid(f"{where}.path", f"{path!r} is not a field of this job posting's application form")
            if path in values:
                raise invalid(f"{where}.path", f"{path!r} is submitted more than once")
            if value is None:
                continue
            values[path] = _check_value(path, kinds[path][0], value, resolve_file)
        for path, (_, required) in kinds.items():
            if required and path not in values:
                raise invalid(path, "is required")
        if str(values["_systemfield_email"]).casefold() == FAIL_VALIDATION_EMAIL:
            raise invalid(
                "_systemfield_email", f"{FAIL_VALIDATION_EMAIL} always fails validation (Ashby's test address)"
            )
        return values


def _check_value(path: str, kind: str, value: Any, resolve_file: FileResolver) -> Any:
    if kind == "File":
        if not isinstance(value, str) or not value:
            raise invalid(path, "must name a file: a file upload handle, or a multipart part")
        return resolve_file(path, value)
    if not isinstance(value, str):
        raise invalid(path, f"must be a string ({kind} field)")
    if not value.strip():
        raise invalid(path, "must not be empty")
    if kind == "Email" and not is_email(value):
        raise invalid(path, "must be a valid email address")
    return value


def submissions_from(raw: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``applicationForm.fieldSubmissions`` as ``(path, value)`` pairs; ``invalid_input`` if malformed."""
    items = raw.get("fieldSubmissions")
    if not isinstance(items, list):
        raise invalid("applicationForm.fieldSubmissions", "is required and must be an array")
    pairs: list[tuple[str, Any]] = []
    for index, item in enumerate(items):
        where = f"applicationForm.fieldSubmissions[{index}]"
        if not isinstance(item, dict):
            raise invalid(where, "must be an object with path and value")
        path = item.get("path")
        if not isinstance(path, str) or not path:
            raise invalid(f"{where}.path", "is required and must be a string")
        if "value" not in item:
            raise invalid(f"{where}.value", "is required")
        pairs.append((path, item["value"]))
    return pairs
