"""Ashby across a restart, through its reference client: candidates, files, handles, applications."""

from __future__ import annotations

import httpx
from state_support import Restarts

from client.ashby import AshbyClient, FilePart
from mockservers.ashby.postings import SOFTWARE_ENGINEER

RESUME = b"%PDF-1.4 resume kept across restarts\n" * 50


def ashby(http: httpx.Client, key: str = "atsmock-ashby") -> AshbyClient:
    return AshbyClient(http, key)


def test_a_resume_downloads_the_same_bytes_after_a_restart(restarts: Restarts) -> None:
    client = ashby(restarts.http("ashby"))
    candidate = client.create_candidate("Ada Lovelace", email="ada@example.com")
    updated = client.upload_resume(candidate["id"], RESUME, "cv.pdf", "application/pdf")
    restarts.restart()
    client = ashby(restarts.http("ashby"))
    assert client.candidate(candidate["id"]) == updated
    updated = client.upload_file(candidate["id"], b"portfolio", "portfolio.txt", "text/plain")
    restarts.restart()
    client = ashby(restarts.http("ashby"))
    assert client.candidate(candidate["id"]) == updated
    assert client.download(updated["resumeFileHandle"]["handle"]) == RESUME  # the handle still verifies
    assert client.download(updated["fileHandles"][1]["handle"]) == b"portfolio"


def test_an_upload_handle_made_before_a_restart_is_attached_after_it(restarts: Restarts) -> None:
    client = ashby(restarts.http("ashby"))
    candidate = client.create_candidate("Grace Hopper")
    handle = client.upload_file_handle("CandidateResume", RESUME, "cv.pdf", "application/pdf")
    restarts.restart()
    client = ashby(restarts.http("ashby"))
    updated = client.call("candidate.uploadResume", {"candidateId": candidate["id"], "resumeHandle": handle})
    assert client.download(updated["resumeFileHandle"]["handle"]) == RESUME


def test_candidates_keep_their_order_and_new_ones_come_after(restarts: Restarts) -> None:
    client = ashby(restarts.http("ashby"))
    first = client.create_candidate("First")
    restarts.restart()
    client = ashby(restarts.http("ashby"))
    second = client.create_candidate("Second")
    assert [c["id"] for c in client.candidates(limit=1)] == [first["id"], second["id"]]


def test_an_application_with_files_survives_a_restart(restarts: Restarts) -> None:
    client = ashby(restarts.http("ashby"), "atsmock-ashby-jobboard")
    answer = client.submit_application(
        SOFTWARE_ENGINEER,
        {"_systemfield_name": "Alan Turing", "_systemfield_email": "alan@example.com"},
        {"_systemfield_resume": FilePart("cv.pdf", RESUME, "application/pdf")},
    )
    submitted = answer["submittedFormInstance"]["submittedValues"]["_systemfield_resume"]
    restarts.restart()
    reader = ashby(restarts.http("ashby"))
    (candidate,) = reader.candidates()
    assert (candidate["name"], len(candidate["applicationIds"])) == ("Alan Turing", 1)
    assert candidate["resumeFileHandle"] == submitted
    assert reader.download(submitted["handle"]) == RESUME
