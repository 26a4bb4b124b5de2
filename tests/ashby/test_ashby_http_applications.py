"""Over HTTP: job postings and applicationForm.submit, JSON (handles) and multipart (parts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from ashby_support import JOB_BOARD, PDF, Ashby, envelope, job_board_settings

from mockservers.ashby.postings import COVER_LETTER_PATH, DATA_SCIENTIST, RECRUITING_COORDINATOR, SOFTWARE_ENGINEER
from mockservers.testing import in_process_client, make_app

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def ashby() -> Iterator[Ashby]:
    """A careers-page integration: a key with jobsRead and candidatesWrite, as Ashby's job-board keys."""
    with in_process_client(make_app(job_board_settings())) as http:
        yield Ashby(http, key=JOB_BOARD)


def fields(email: str = "ada@example.com", resume: str = "resume_1") -> list[dict[str, Any]]:
    return [
        {"path": "_systemfield_name", "value": "Ada Lovelace"},
        {"path": "_systemfield_email", "value": email},
        {"path": "_systemfield_resume", "value": resume},
    ]


def submit_json(ashby: Ashby, posting: str = SOFTWARE_ENGINEER, email: str = "ada@example.com", **extra: Any) -> Any:
    handle = ashby.uploaded("ApplicationForm")
    body = {"jobPostingId": posting, "applicationForm": {"fieldSubmissions": fields(email, handle)}, **extra}
    return ashby.post("applicationForm.submit", body)


def submit_multipart(ashby: Ashby, submissions: list[dict[str, Any]], files: dict[str, Any], **data: str) -> Any:
    form = {"jobPostingId": SOFTWARE_ENGINEER, "applicationForm": json.dumps({"fieldSubmissions": submissions}), **data}
    return ashby.post("applicationForm.submit", data=form, files=files)


# -- job postings ------------------------------------------------------------------------------------


def test_list_published_postings(ashby: Ashby) -> None:
    postings = ashby.ok("jobPosting.list", {})
    assert [p["id"] for p in postings] == [SOFTWARE_ENGINEER, RECRUITING_COORDINATOR]
    assert [p["isListed"] for p in postings] == [True, False]
    assert [p["id"] for p in ashby.ok("jobPosting.list", {"listedOnly": True})] == [SOFTWARE_ENGINEER]
    assert [p["id"] for p in ashby.ok("jobPosting.list", {"department": "People"})] == [RECRUITING_COORDINATOR]
    assert ashby.ok("jobPosting.list", {"location": "Nowhere"}) == []
    ashby.fails("jobPosting.list", {"listedOnly": "yes"}, "invalid_input", "listedOnly: must be a boolean")


def test_the_default_job_board_key_reads_postings_and_submits() -> None:
    with in_process_client(make_app()) as http:
        board = Ashby(http, key=JOB_BOARD)
        assert [p["id"] for p in board.ok("jobPosting.list", {})] == [SOFTWARE_ENGINEER, RECRUITING_COORDINATOR]
        submitted = submit_json(board)
        assert (submitted.status_code, submitted.json()["success"]) == (200, True)
        board.fails(
            "candidate.list",
            {},
            "missing_endpoint_permission",
            "The API key does not have the candidatesRead permission required by this endpoint",
            status=403,
        )
        Ashby(http).fails(
            "jobPosting.list",
            {},
            "missing_endpoint_permission",
            "The API key does not have the jobsRead permission required by this endpoint",
            status=403,
        )


def test_posting_info(ashby: Ashby) -> None:
    info = ashby.ok("jobPosting.info", {"jobPostingId": SOFTWARE_ENGINEER})
    assert info["title"] == "Software Engineer"
    section = info["applicationFormDefinition"]["sections"][0]
    assert [(f["field"]["path"], f["field"]["type"], f["isRequired"]) for f in section["fields"]] == [
        ("_systemfield_name", "String", True),
        ("_systemfield_email", "Email", True),
        ("_systemfield_phone", "Phone", False),
        ("_systemfield_resume", "File", True),
        (COVER_LETTER_PATH, "File", False),
    ]
    assert "job" not in info
    expanded = ashby.ok("jobPosting.info", {"jobPostingId": SOFTWARE_ENGINEER, "expand": ["job"]})
    assert expanded["job"]["jobPostingIds"] == [SOFTWARE_ENGINEER]
    assert ashby.ok("jobPosting.info", {"jobPostingId": DATA_SCIENTIST})["title"] == "Data Scientist"


def test_posting_info_rules(ashby: Ashby) -> None:
    ashby.fails(
        "jobPosting.info", {"jobPostingId": UNKNOWN}, "job_posting_not_found", f"No job posting found with id {UNKNOWN}"
    )
    ashby.fails("jobPosting.info", {}, "invalid_input", "jobPostingId: is required")
    ashby.fails(
        "jobPosting.info",
        {"jobPostingId": SOFTWARE_ENGINEER, "expand": ["x"]},
        "invalid_input",
        "expand[0]: must be 'job'",
    )


# -- applicationForm.submit, JSON with handles --------------------------------------------------------


def test_submit_json_with_a_handle(ashby: Ashby) -> None:
    response = submit_json(ashby)
    results = response.json()["results"]
    assert results["formMessages"] == {"blocked": False}
    instance = results["submittedFormInstance"]
    (candidate,) = ashby.ok("candidate.list", {})
    assert instance["submittedValues"] == {
        "_systemfield_name": "Ada Lovelace",
        "_systemfield_email": "ada@example.com",
        "_systemfield_resume": candidate["resumeFileHandle"],
    }
    assert candidate["primaryEmailAddress"]["value"] == "ada@example.com"
    assert len(candidate["applicationIds"]) == 1
    url = ashby.ok("file.info", {"fileHandle": candidate["resumeFileHandle"]["handle"]})["url"]
    assert ashby.http.get(url).content == PDF


def test_submit_json_with_a_handle_of_another_context(ashby: Ashby) -> None:
    handle = ashby.uploaded("CandidateResume")
    body = {"jobPostingId": SOFTWARE_ENGINEER, "applicationForm": {"fieldSubmissions": fields(resume=handle)}}
    message = "_systemfield_resume: the handle was created for fileUploadContext CandidateResume, not ApplicationForm"
    ashby.fails("applicationForm.submit", body, "invalid_input", message)
    assert ashby.ok("candidate.list", {}) == []


def test_submit_json_with_an_unknown_handle(ashby: Ashby) -> None:
    body = {"jobPostingId": SOFTWARE_ENGINEER, "applicationForm": {"fieldSubmissions": fields(resume="resume_1")}}
    message = "_systemfield_resume: no file upload handle matches this value"
    ashby.fails("applicationForm.submit", body, "file_handle_not_found", message)


def test_unknown_posting(ashby: Ashby) -> None:
    body = {"jobPostingId": UNKNOWN, "applicationForm": {"fieldSubmissions": fields()}}
    ashby.fails("applicationForm.submit", body, "job_posting_not_found", f"No job posting found with id {UNKNOWN}")


def test_unpublished_posting(ashby: Ashby) -> None:
    refused = submit_json(ashby, DATA_SCIENTIST, allowSubmissionForUnpublishedJobPosting=False)
    message = f"Job posting {DATA_SCIENTIST} is not published"
    assert refused.json() == envelope(refused, "job_posting_not_published", message)
    assert submit_json(ashby, DATA_SCIENTIST).json()["success"] is True
    assert submit_json(ashby, DATA_SCIENTIST, allowSubmissionForUnpublishedJobPosting=True).json()["success"] is True


def test_test_address_fails_validation(ashby: Ashby) -> None:
    response = submit_json(ashby, email="testing-fail-validation@example.com")
    message = "_systemfield_email: testing-fail-validation@example.com always fails validation (Ashby's test address)"
    assert (response.status_code, response.json()) == (200, envelope(response, "invalid_input", message))
    assert ashby.ok("candidate.list", {}) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"applicationForm": {"fieldSubmissions": []}}, "jobPostingId: is required"),
        (
            {"jobPostingId": SOFTWARE_ENGINEER},
            "applicationForm: is required and must be an object with fieldSubmissions",
        ),
        (
            {"jobPostingId": SOFTWARE_ENGINEER, "applicationForm": {}},
            "applicationForm.fieldSubmissions: is required and must be an array",
        ),
        (
            {"jobPostingId": SOFTWARE_ENGINEER, "applicationForm": {"fieldSubmissions": fields()}, "tagIds": ["x"]},
            "tagIds[0]: must be a UUID",
        ),
        (
            {
                "jobPostingId": SOFTWARE_ENGINEER,
                "applicationForm": {"fieldSubmissions": fields()},
                "utmData": {"utm_source": 1},
            },
            "utmData: must be an object of strings",
        ),
        (
            {
                "jobPostingId": SOFTWARE_ENGINEER,
                "applicationForm": {"fieldSubmissions": fields()},
                "allowSubmissionForUnpublishedJobPosting": "no",
            },
            "allowSubmissionForUnpublishedJobPosting: must be a boolean",
        ),
        (
            {"jobPostingId": SOFTWARE_ENGINEER, "applicationForm": {"fieldSubmissions": fields()[:2]}},
            "_systemfield_resume: is required",
        ),
    ],
)
def test_submit_json_rules(ashby: Ashby, body: dict[str, Any], message: str) -> None:
    ashby.fails("applicationForm.submit", body, "invalid_input", message)


# -- applicationForm.submit, multipart ---------------------------------------------------------------


def test_submit_multipart_with_a_named_part(ashby: Ashby) -> None:
    submissions = [*fields(), {"path": COVER_LETTER_PATH, "value": "cover"}]
    files = {"resume_1": ("cv.pdf", PDF, "application/pdf"), "cover": ("cover.txt", b"Dear team", "text/plain")}
    response = submit_multipart(ashby, submissions, files)
    assert response.json()["success"] is True, response.text
    (candidate,) = ashby.ok("candidate.list", {})
    assert candidate["resumeFileHandle"]["name"] == "cv.pdf"
    assert [f["name"] for f in candidate["fileHandles"]] == ["cv.pdf", "cover.txt"]
    values = response.json()["results"]["submittedFormInstance"]["submittedValues"]
    assert values[COVER_LETTER_PATH]["name"] == "cover.txt"


def test_submit_multipart_rules(ashby: Ashby) -> None:
    missing = submit_multipart(ashby, fields(), {"other": ("cv.pdf", PDF)})
    message = "_systemfield_resume: names the file part 'resume_1', which the multipart body does not contain"
    assert missing.json() == envelope(missing, "invalid_input", message)
    not_json = ashby.post(
        "applicationForm.submit",
        data={"jobPostingId": SOFTWARE_ENGINEER, "applicationForm": "{"},
        files={"x": ("x", b"x")},
    )
    assert not_json.json() == envelope(not_json, "invalid_input", "applicationForm: is not valid JSON")
    flag = submit_multipart(
        ashby, fields(), {"resume_1": ("cv.pdf", PDF)}, allowSubmissionForUnpublishedJobPosting="maybe"
    )
    assert flag.json() == envelope(
        flag, "invalid_input", "allowSubmissionForUnpublishedJobPosting: must be true or false"
    )


def test_submit_multipart_unpublished_flag(ashby: Ashby) -> None:
    form = {
        "jobPostingId": DATA_SCIENTIST,
        "applicationForm": json.dumps({"fieldSubmissions": fields()}),
        "allowSubmissionForUnpublishedJobPosting": "false",
    }
    response = ashby.post("applicationForm.submit", data=form, files={"resume_1": ("cv.pdf", PDF)})
    message = f"Job posting {DATA_SCIENTIST} is not published"
    assert (response.status_code, response.json()) == (200, envelope(response, "job_posting_not_published", message))
    assert ashby.ok("candidate.list", {}) == []
