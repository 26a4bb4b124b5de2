"""The JSON:API resource objects Clinch answers with: candidates, candidate files and tags.

A candidate is seed 003's ``Candidate`` schema: ``id``, ``type: "candidates"``, ``attributes`` (every
attribute the schema lists, date attributes as ``{utc, epoch, ago, local, local_epoch}``) and
``relationships``, each as a JSON:API relationship object (``{"data": [{id, type}]}``, or
``{"data": null}`` for a to-one), which also satisfies the seed's looser ``DataType``. Inferred,
since no response body is published: attributes the mock has no data for are ``null`` (strings,
dates, objects), ``false`` (flags), ``0`` (counts) or ``[]`` (lists); ``manually_added`` is true for
a candidate created through the API; ``uid`` is the id; each resource has JSON:API ``links.self``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from mockservers.clinch.dates import date_object
from mockservers.clinch.models import Candidate, CandidateFile, CandidateStore, Tag
from mockservers.core.clock import Clock

RELATIONSHIPS = (
    "social_profile",
    "page_sessions",
    "resumes",
    "web_sessions",
    "form_submissions",
    "form_submission_fields",
    "job_alert_subscriptions",
    "events",
    "project_template_stages",
    "static_lists",
    "locations",
    "recent_location",
    "jobs",
    "job_applications",
    "notes",
    "project_entry",
    "call_to_actions",
    "jobs_application_dropped_off",
    "jobs_applied",
    "jobs_favourited",
    "jobs_viewed",
    "pages_performed_cta",
    "pages_viewed",
    "recruitment_events",
    "web_campaigns",
)
"""The seed's ``Candidate.relationships``, in its order."""
TO_ONE = frozenset({"social_profile", "recent_location", "project_entry"})
"""The relationships named in the singular (one record each); the others are lists."""

_EMPTY_LISTS = (
    "skills",
    "job_departments_viewed",
    "job_categories_viewed",
    "job_cities",
    "educated_at",
    "studied",
    "ats_statuses",
)
_NULLS = (
    "kind",
    "industry",
    "last_seen_at",
    "last_location",
    "last_employer_name",
    "last_employment_title",
    "first_seen_at",
    "first_traffic_source_name",
    "last_traffic_source_name",
    "applications_started_date",
    "latest_ats_status",
    "utm_parameters",
)
_FLAGS = ("internal_candidate", "has_linkedin", "linkedin_connected", "in_eu")


class ResourceWriter:
    """Writes resource objects with absolute links under the vendor's ``/v1`` base, dates on the mock clock."""

    def __init__(self, base_url: str, clock: Clock, zone: tzinfo, store: CandidateStore) -> None:
        self.base_url = base_url
        self.clock = clock
        self.zone = zone
        self.store = store

    def date(self, epoch: float) -> dict[str, Any]:
        return date_object(epoch, self.clock.now(), self.zone)

    def candidate_url(self, candidate_id: str) -> str:
        return f"{self.base_url}/candidates/{candidate_id}"

    def candidate(self, candidate: Candidate) -> dict[str, Any]:
        links: dict[str, Any] = {"self": {"url": self.candidate_url(candidate.id)}}
        links["mail_to"] = {"url": f"mailto:{candidate.email}"}
        if candidate.phone_number:
            links["tel"] = {"url": f"tel:{candidate.phone_number}"}
        attributes: dict[str, Any] = {
            "uid": candidate.id,
            "created_at": self.date(candidate.created_at),
            "updated_at": self.date(candidate.updated_at),
            "links": links,
            "name": candidate.name,
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "email": candidate.email,
            "phone_number": candidate.phone_number,
            "tags": [t.name for t in candidate.tags],
            "interaction_score": 0,
            "subscription_status": "subscribed",
            "manually_added": True,
            "visit_count": 0,
            "custom_data": {},
        }
        attributes.update(dict.fromkeys(_NULLS))
        attributes.update(dict.fromkeys(_FLAGS, False))
        attributes.update({name: [] for name in _EMPTY_LISTS})
        relationships: dict[str, Any] = {
            name: {"data": None if name in TO_ONE else []} for name in RELATIONSHIPS if name != "resumes"
        }
        relationships["resumes"] = {"data": [{"id": f.id, "type": "candidate_files"} for f in candidate.files]}
        return {
            "id": candidate.id,
            "type": "candidates",
            "attributes": attributes,
            "relationships": {name: relationships[name] for name in RELATIONSHIPS},
            "links": {"self": self.candidate_url(candidate.id)},
        }

    def candidate_file(self, stored: CandidateFile) -> dict[str, Any]:
        """A ``candidate_files`` resource; ``url`` downloads the exact bytes uploaded (a presigned S3 GET)."""
        return {
            "id": stored.id,
            "type": "candidate_files",
            "attributes": {
                "filename": stored.filename,
                "content_type": stored.content_type,
                "size": stored.size,
                "url": self.store.file_url(stored),
                "created_at": self.date(stored.created_at),
            },
            "relationships": {"candidate": {"data": {"id": stored.candidate_id, "type": "candidates"}}},
        }

    def tag(self, tag: Tag) -> dict[str, Any]:
        return {"id": tag.id, "type": "tags", "attributes": {"name": tag.name}}

    def included(self, candidates: Iterable[Candidate], include: frozenset[str]) -> list[dict[str, Any]]:
        """The compound document's ``included``: the candidates' files for ``resumes``; the mock records
        nothing for the other relationships, so they add nothing."""
        if "resumes" not in include:
            return []
        return [self.candidate_file(f) for f in self.store.files_of(candidates)]
