"""WTTJ's aiming hooks and its reading of a URL the vendor could not download.

About half the generated cases are aimed at real things (decided by the generated value, so
shrinking keeps the choice), and only where the generated value is already of the right kind, so a
negative case keeps the violation it was generated for: the seeded organization, job, stage and
candidate (the mock's demo data; a real tenant's come from the credentials file's ``organization_reference``,
``job_reference``, ``job_stage_id`` and ``candidate_reference``), so they get past the 404s. With a
``file_url`` in the credentials (a PDF the target can download), every ``remote_file_urls`` URL of
an aimed case is that file, so attaching succeeds too.

WTTJ downloads every ``remote_*_url`` during the request and answers 400 ``validation_failed``
"... could not be downloaded" when it cannot: a statement about the remote URL, not about the
request's shape, like the 404 of an unknown id that ``positive_data_acceptance`` allows. Generated
URLs point nowhere, so that answer is not counted as rejected positive data; nor is "job_stage_id
... is not a stage of job ...", the job's own stages being state too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.adapt import excusing
from contracts.target import Target

SEEDED = {
    "organization_reference": "Pg4eV6k",
    "job_reference": "WTTJ_KmqkD1Y",
    "job_stage_id": "14598",
    "candidate_reference": "wttj-d655345409a6097309156b05",
}
"""The mock's demo organization, job, stage and candidate (mockservers/wttj/models.py)."""
NOT_DOWNLOADED = "could not be downloaded"
NOT_A_STAGE = "is not a stage of job"
STATE_RULES = (NOT_DOWNLOADED, NOT_A_STAGE)
"""400 ``validation_failed`` texts about the tenant's state (a remote URL, a job's stages), not the shape."""


def _aimed(value: Any) -> bool:
    """About half the cases: decided by the generated value itself, so shrinking keeps the choice."""
    return len(repr(value)) % 2 == 0


def _valid(value: Any) -> bool:
    """A non-blank string: what a required WTTJ string is; anything else is a negative case's point."""
    return isinstance(value, str) and bool(value.strip())


def install(schema: Any, target: Target, credentials: Mapping[str, str]) -> None:
    """Aim bodies, queries and paths at the seeded (or configured) things."""
    real = {name: credentials.get(name, default) for name, default in SEEDED.items()}
    file_url = credentials.get("file_url")

    @schema.hook("map_body")
    def aim_bodies(context: Any, body: Any) -> Any:
        if not isinstance(body, dict) or not _aimed(body):
            return body
        if "remote_file_urls" in body:
            if _valid(body.get("candidate_reference")):
                body["candidate_reference"] = real["candidate_reference"]
            if file_url and isinstance(body["remote_file_urls"], list):
                for item in body["remote_file_urls"]:
                    if isinstance(item, dict) and _valid(item.get("url")):
                        item["url"] = file_url
        elif "organization_reference" in body:
            for name in ("organization_reference", "job_reference"):
                if _valid(body.get(name)):
                    body[name] = real[name]
            stage = body.get("job_stage_id")
            if isinstance(stage, int) and not isinstance(stage, bool):
                body["job_stage_id"] = int(real["job_stage_id"])
            for field in ("remote_resume_url", "remote_portfolio_url", "remote_image_url"):
                if isinstance(body.get(field), str):  # a URL that points nowhere; a non-string stays
                    body.pop(field)
        return body

    @schema.hook("map_query")
    def aim_queries(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
        if not query or not _aimed(query):
            return query
        for name in ("job_reference", "candidate_reference"):
            if _valid(query.get(name)):
                query[name] = real[name]
        return query

    @schema.hook("map_path_parameters")
    def aim_paths(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
        if path_parameters and _valid(path_parameters.get("reference")) and _aimed(path_parameters):
            path_parameters["reference"] = real["candidate_reference"]
        return path_parameters


def adapt_checks(functions: Mapping[str, Any]) -> dict[str, Any]:
    """``positive_data_acceptance`` that lets a URL the vendor could not download, or a stage that
    is not the job's, pass as a 404 would: both are statements about state, not the request's shape
    (a generated ``job_reference`` can be the seeded job's from the document's example while its
    ``job_stage_id`` is not aimed)."""
    return excusing(
        functions,
        "positive_data_acceptance",
        lambda response, case: response.status_code == 400 and any(text in response.text for text in STATE_RULES),
    )
