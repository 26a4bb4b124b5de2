"""Job postings and applicationForm.submit rules, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from ashby_support import assert_error
from storage_support import FakeStorage

from mockservers.ashby.files import FilePayload
from mockservers.ashby.models import AshbyStore, UploadHandle
from mockservers.ashby.postings import (
    COVER_LETTER_PATH,
    DATA_SCIENTIST,
    RECRUITING_COORDINATOR,
    SOFTWARE_ENGINEER,
    JobBoard,
    form_definition,
    submissions_from,
)
from mockservers.ashby.settings import AshbySettings
from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError

PDF = FilePayload("cv.pdf", "application/pdf", b"%PDF-1.4")


@pytest.fixture
def store() -> AshbyStore:
    return AshbyStore(AshbySettings(), Clock(), FakeStorage())


@pytest.fixture
def board(store: AshbyStore) -> JobBoard:
    return JobBoard(store)


def inline(path: str, value: Any) -> UploadHandle | FilePayload:
    assert value == "resume_1", f"unexpected file reference {value!r} for {path}"
    return PDF


def form(email: str = "ada@example.com", **extra: Any) -> list[tuple[str, Any]]:
    fields: dict[str, Any] = {"_systemfield_name": "Ada Lovelace", "_systemfield_email": email}
    fields["_systemfield_resume"] = "resume_1"
    fields.update(extra)
    return list(fields.items())


def test_published_lists_listed_and_unlisted_but_not_unpublished(board: JobBoard) -> None:
    assert [p.id for p in board.published()] == [SOFTWARE_ENGINEER, RECRUITING_COORDINATOR]
    assert [p.id for p in board.published(listed_only=True)] == [SOFTWARE_ENGINEER]
    assert [p.id for p in board.published(department="Engineering")] == [SOFTWARE_ENGINEER]
    assert [p.id for p in board.published(location="Springfield")] == [RECRUITING_COORDINATOR]
    assert board.published(location="springfield") == []


def test_posting_lookup(board: JobBoard) -> None:
    assert board.posting(DATA_SCIENTIST).title == "Data Scientist"
    with pytest.raises(VendorError) as exc:
        board.posting("00000000-0000-4000-8000-000000000000")
    assert_error(exc, 200, "job_posting_not_found", "No job posting found with id 00000000-0000-4000-8000-000000000000")


def test_info_json_carries_the_application_form(board: JobBoard) -> None:
    info = board.posting(SOFTWARE_ENGINEER).info_json()
    assert info["applicationFormDefinition"] == form_definition()
    paths = [f["field"]["path"] for f in form_definition()["sections"][0]["fields"]]
    assert paths == [
        "_systemfield_name",
        "_systemfield_email",
        "_systemfield_phone",
        "_systemfield_resume",
        COVER_LETTER_PATH,
    ]
    assert info["linkedData"]["employmentType"] == "FULL_TIME"
    assert info["applyLink"] == f"https://jobs.ashbyhq.com/atsmock/{SOFTWARE_ENGINEER}"


def test_submit_creates_candidate_application_and_resume(board: JobBoard, store: AshbyStore) -> None:
    results = board.submit(SOFTWARE_ENGINEER, form(_systemfield_phone="555"), inline)
    instance = results["submittedFormInstance"]
    assert results["formMessages"] == {"blocked": False}
    assert instance["formDefinition"] == form_definition()
    (candidate,) = store.candidates.values()
    resume = candidate.as_json()["resumeFileHandle"]
    assert instance["submittedValues"] == {
        "_systemfield_name": "Ada Lovelace",
        "_systemfield_email": "ada@example.com",
        "_systemfield_resume": resume,
        "_systemfield_phone": "555",
    }
    assert resume["name"] == "cv.pdf"
    assert len(candidate.application_ids) == 1
    assert board.submissions[instance["id"]] is instance


def test_second_submission_reuses_the_candidate_by_email(board: JobBoard, store: AshbyStore) -> None:
    board.submit(SOFTWARE_ENGINEER, form(), inline)
    board.submit(RECRUITING_COORDINATOR, form(email="ADA@example.com"), inline)
    (candidate,) = store.candidates.values()
    assert len(candidate.application_ids) == 2
    assert len(candidate.files) == 2


def test_optional_file_field_is_attached_but_not_as_resume(board: JobBoard, store: AshbyStore) -> None:
    board.submit(SOFTWARE_ENGINEER, form(**{COVER_LETTER_PATH: "resume_1"}), inline)
    (candidate,) = store.candidates.values()
    assert [f.name for f in candidate.files] == ["cv.pdf", "cv.pdf"]
    assert candidate.resume is candidate.files[0]


def test_unpublished_posting_is_accepted_unless_refused(board: JobBoard) -> None:
    assert board.submit(DATA_SCIENTIST, form(), inline)["formMessages"] == {"blocked": False}
    with pytest.raises(VendorError) as exc:
        board.submit(DATA_SCIENTIST, form(), inline, allow_unpublished=False)
    assert_error(exc, 200, "job_posting_not_published", f"Job posting {DATA_SCIENTIST} is not published")
    assert board.submit(SOFTWARE_ENGINEER, form(), inline, allow_unpublished=False)


def test_test_email_always_fails_validation(board: JobBoard, store: AshbyStore) -> None:
    with pytest.raises(VendorError) as exc:
        board.submit(SOFTWARE_ENGINEER, form(email="Testing-Fail-Validation@example.com"), inline)
    assert_error(
        exc,
        200,
        "invalid_input",
        "_systemfield_email: testing-fail-validation@example.com always fails validation (Ashby's test address)",
    )
    assert store.candidates == {}


F3 = "applicationForm.fieldSubmissions[3]"


@pytest.mark.parametrize(
    ("submissions", "message"),
    [
        (form()[:2], "_systemfield_resume: is required"),
        (
            [*form(), ("_systemfield_name", "Again")],
            f"{F3}.path: '_systemfield_name' is submitted more than once",
        ),
        (
            [*form(), ("nope", "x")],
            f"{F3}.path: 'nope' is not a field of this job posting's application form",
        ),
        (form(email="not-an-email"), "_systemfield_email: must be a valid email address"),
        (form(_systemfield_phone=5), "_systemfield_phone: must be a string (Phone field)"),
        ([("_systemfield_name", "  "), *form()[1:]], "_systemfield_name: must not be empty"),
        ([("_systemfield_name", None), *form()[1:]], "_systemfield_name: is required"),
        (
            [*form()[:2], ("_systemfield_resume", 7)],
            "_systemfield_resume: must name a file: a file upload handle, or a multipart part",
        ),
    ],
)
def test_form_validation(board: JobBoard, submissions: list[tuple[str, Any]], message: str) -> None:
    with pytest.raises(VendorError) as exc:
        board.submit(SOFTWARE_ENGINEER, submissions, inline)
    assert_error(exc, 200, "invalid_input", message)


def test_unknown_posting_wins_over_form_errors(board: JobBoard) -> None:
    with pytest.raises(VendorError) as exc:
        board.submit("00000000-0000-4000-8000-000000000000", [], inline)
    assert exc.value.code == "job_posting_not_found"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "applicationForm.fieldSubmissions: is required and must be an array"),
        ({"fieldSubmissions": "x"}, "applicationForm.fieldSubmissions: is required and must be an array"),
        ({"fieldSubmissions": [1]}, "applicationForm.fieldSubmissions[0]: must be an object with path and value"),
        (
            {"fieldSubmissions": [{"value": 1}]},
            "applicationForm.fieldSubmissions[0].path: is required and must be a string",
        ),
        ({"fieldSubmissions": [{"path": "a"}]}, "applicationForm.fieldSubmissions[0].value: is required"),
    ],
)
def test_malformed_field_submissions(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(VendorError) as exc:
        submissions_from(raw)
    assert_error(exc, 200, "invalid_input", message)


def test_field_submissions_keep_order() -> None:
    raw = {"fieldSubmissions": [{"path": "b", "value": 1}, {"path": "a", "value": None}]}
    assert submissions_from(raw) == [("b", 1), ("a", None)]
