"""Schemathesis over the vendor's own OpenAPI document (seed 003, ``published.json``) against the mock.

The document is run as published, but for the one thing that keeps schemathesis from reading it:
its list of tag descriptions sits inside ``paths`` (as if it were a path named ``tags``) instead of
at the top level; the run moves it there. ``test_the_published_document_is_the_seed_but_for_one_slip``
pins that this is the only difference.

Checks: no server error, no undocumented status, conforming content types and bodies (the document
describes no response body). The document leaves out a few statuses the real service must answer;
``OMITTED`` lists each (also in docs/fidelity.md), and such an answer must still be a JSON:API error.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contracts.adapt import excusing
from contracts.clinch.hooks import ACCESS_ID, BASE_URL, SECRET, ApiAuthSigner, Seeded, zero_per_page
from contracts.target import Target
from mockservers.testing import make_app

PUBLISHED_TEXT = resources.files("contracts.clinch").joinpath("published.json").read_text(encoding="utf-8")
PUBLISHED: dict[str, Any] = json.loads(PUBLISHED_TEXT)


def readable(document: dict[str, Any]) -> dict[str, Any]:
    """The published document with its misplaced ``paths.tags`` list moved to the top-level ``tags``."""
    fixed = copy.deepcopy(document)
    fixed["tags"] = fixed["paths"].pop("tags")
    return fixed


NOT_JSON = "a body that is not JSON (Rails answers its parse error with 400)"
OMITTED: dict[tuple[str, int], str] = {
    ("listCandidates", 400): "an include path the API does not have, a filter value that is not a date-time, "
    "or a filter without its operator",
    ("getCandidate", 400): "an include path the API does not have",
    ("createCandidate", 400): NOT_JSON,
    ("updateCandidate", 400): NOT_JSON,
    ("createCandidateTag", 400): NOT_JSON,
    ("createCandidateFile", 400): NOT_JSON,
    ("createCandidateTag", 422): "a tag document without a name, or another refused document",
}
"""Statuses the published document leaves out, by operationId; the refined contract lists them."""

APP = make_app()
SEEDED = Seeded(Target(BASE_URL, APP), ACCESS_ID, SECRET, APP.platform.clock.now)
schema = schemathesis.openapi.from_dict(readable(PUBLISHED))
SIGNER = ApiAuthSigner(APP.platform.clock)
schema.auth.set_from_requests(SIGNER)


@schema.hook("map_path_parameters")
def aim_at_real_things(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    return SEEDED.aim(path_parameters)


def documented_status(ctx: Any, response: Any, case: Any) -> bool | None:
    """``status_code_conformance``, except for the ``OMITTED`` answers, which must be JSON:API errors."""
    operation_id = case.operation.definition.raw["operationId"]
    if (operation_id, response.status_code) in OMITTED:
        errors = json.loads(response.content)["errors"]
        assert [e["status"] for e in errors] == [str(response.status_code)] * len(errors), errors
        return None
    return status_code_conformance(ctx, response, case)


def kaminari_500_excused(check: Any) -> Any:
    """``check``, but passing Kaminari's ``per(0)`` 500 (``zero_per_page``), which is the vendor's answer and
    a status the published document does not list (``contracts.adapt.excusing``)."""
    return excusing({check.__name__: check}, check.__name__, zero_per_page)[check.__name__]


CHECKS = [
    kaminari_500_excused(not_a_server_error),
    kaminari_500_excused(documented_status),
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_clinch_conforms_to_the_published_document(case: Any) -> None:
    case.call_and_validate(base_url=BASE_URL, app=APP, checks=CHECKS)


def test_the_published_document_is_the_seed_but_for_one_slip() -> None:
    seed = readable(PUBLISHED)
    assert "tags" not in seed["paths"] and [t["name"] for t in seed["tags"]] == ["Candidate", "Job", "List"]
    assert {k: v for k, v in seed.items() if k != "tags"} == {
        **{k: v for k, v in PUBLISHED.items() if k != "paths"},
        "paths": {k: v for k, v in PUBLISHED["paths"].items() if k != "tags"},
    }
    assert list(PUBLISHED["paths"]) == [
        "/candidates",
        "/candidates/{candidateId}",
        "/candidates/{candidateId}/tags",
        "/candidates/{candidateId}/tags/{tagId}",
        "/candidates/{candidateId}/candidate_files",
        "tags",
    ]
