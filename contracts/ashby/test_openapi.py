"""Ashby's contract suite (contracts/suite.py) against the in-process app; zero failures allowed.

All eleven checks (contracts/checks.py), authenticated from the document's ``x-atsmock-auth``
with the mock's own key. contracts/ashby/hooks.py reads Ashby's documented HTTP 200
``success: false`` errors as the rejections they are (``negative_data_rejection`` would call
each one accepted) and holds schema-valid data to ``success: true``.
"""

from __future__ import annotations

import pytest
from starlette.routing import Route

from contracts import auth, checks, load_openapi, suite
from contracts.target import Target
from mockservers.testing import make_app

APP = make_app()
TARGET = Target("http://testserver/ashby", APP)


def test_ashby_conforms_to_its_contract() -> None:
    credentials = auth.mock_credentials("ashby", APP.platform.settings)
    schema = suite.build("ashby", TARGET, credentials, now=APP.platform.clock.now)
    outcome = suite.run("ashby", schema, TARGET)
    assert outcome.failures == []
    assert outcome.requests > 100
    assert set(outcome.passed) == {(op, check) for op, _ in outcome.passed for check in checks.NAMES}


ROUTES = [r for r in APP.platform.vendors["ashby"].app.routes if isinstance(r, Route)]
"""The routes the mounted vendor serves (its contract's own route included)."""


def test_route_names_are_the_operation_ids() -> None:
    document = load_openapi("ashby")
    operation_ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {route.name for route in ROUTES} == operation_ids


def test_every_route_is_documented_at_its_path() -> None:
    document = load_openapi("ashby")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    assert {
        (route.path, method) for route in ROUTES for method in route.methods or () if method != "HEAD"
    } == documented


@pytest.mark.parametrize("operation_id", ["jobPostingInfo", "applicationFormSubmit"])
def test_seeded_posting_ids_are_the_documented_examples(operation_id: str) -> None:
    from mockservers.ashby.postings import SEEDED_POSTINGS

    document = load_openapi("ashby")
    text = str([op for item in document["paths"].values() for op in item.values() if op["operationId"] == operation_id])
    assert SEEDED_POSTINGS[0].id in text


def test_ashby_workflows_conform_to_its_contract() -> None:
    """The stateful phase over the document's links: create a candidate, read it, attach a résumé
    and a file to it, read a file's download URL from the candidate; list candidates and read one.
    Each linked step counted here was answered ``success: true``."""
    credentials = auth.mock_credentials("ashby", APP.platform.settings)
    schema = suite.build("ashby", TARGET, credentials, now=APP.platform.clock.now)
    # 150 workflows, five times the default: about half the steps are negative and a résumé's
    # download URL read from the candidate is four positive steps deep (create, uploadResume,
    # candidate.info, file.info). With 60, 2 of 12 runs not derandomized (what the stateful phase
    # runs after a replay met changed state) never walked candidate.info -> file.info.
    outcome = suite.run_stateful("ashby", schema, TARGET, max_examples=150)
    assert outcome.failures == []
    assert outcome.walked >= {
        ("POST /candidate.create", "POST /candidate.info"),
        ("POST /candidate.create", "POST /candidate.uploadResume"),
        ("POST /candidate.create", "POST /candidate.uploadFile"),
        ("POST /candidate.info", "POST /file.info"),
        ("POST /candidate.list", "POST /candidate.info"),
    }


def test_a_linked_step_that_only_ashby_calls_an_error_is_not_counted_done() -> None:
    """``succeeded`` reads Ashby's convention: its HTTP 200 error envelope is not a done step."""
    from contracts.ashby.hooks import succeeded

    class Answer:
        def __init__(self, status: int, body: object) -> None:
            self.status_code, self.body = status, body

        def json(self) -> object:
            return self.body

    assert succeeded(Answer(200, {"success": True, "results": {}}))
    assert not succeeded(Answer(200, {"success": False, "errors": ["candidate_not_found"]}))
    assert not succeeded(Answer(403, {"success": False}))


def _aim(operation_id: str, body: dict[str, object]) -> dict[str, object]:
    import types

    from contracts.ashby.hooks import Aim, Seeded

    aim = Aim(Seeded("c" * 8 + "-cccc-4ccc-8ccc-" + "c" * 12, "resume-handle", "file-handle", "stored-handle"))
    operation = types.SimpleNamespace(definition=types.SimpleNamespace(raw={"operationId": operation_id}))
    case = types.SimpleNamespace(operation=operation, media_type="application/json", body=dict(body))
    aimed: dict[str, object] = aim(None, case).body
    return aimed


@pytest.mark.parametrize(
    ("operation_id", "body"),
    [
        ("candidateUploadResume", {"candidateId": "not-a-uuid-00", "resumeHandle": "  "}),  # both break a rule
        ("candidateUploadResume", {"candidateId": 12, "resumeHandle": 34}),  # wrong types
        ("candidateUploadFile", {"candidateId": "", "fileHandle": ""}),
        ("fileInfo", {"fileHandle": "\t\n"}),
        ("candidateInfo", {"id": "2f6a8f1c-5b4e-4d3a-9c2b-1a0f9e8d7c6"}),  # one hex digit short
    ],
)
def test_aiming_keeps_a_negative_body_s_violations(operation_id: str, body: dict[str, object]) -> None:
    """Only a value the document accepts is re-aimed: a negative case keeps what it was made for."""
    assert _aim(operation_id, body) == body


def test_aiming_sets_valid_ids_and_handles_to_seeded_ones() -> None:
    aimed = _aim("candidateUploadResume", {"candidateId": "2f6a8f1c-5b4e-4d3a-9c2b-1a0f9e8d7c62", "resumeHandle": "ab"})
    assert aimed["resumeHandle"] == "resume-handle"
    assert aimed["candidateId"] == "c" * 8 + "-cccc-4ccc-8ccc-" + "c" * 12
