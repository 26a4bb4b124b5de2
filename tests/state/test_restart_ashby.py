"""Ashby across a restart, through its reference client: candidates, files, handles, applications."""

from __future__ import annotations

import httpx
import pytest
from state_support import Restarts

from client.ashby import AshbyClient, AshbyError, FilePart
from mockservers.ashby.postings import SOFTWARE_ENGINEER
from mockservers.testing import AdminClient

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


def test_after_a_reset_and_a_restart_an_old_file_handle_is_unknown(restarts: Restarts) -> None:
    client = ashby(restarts.http("ashby"))
    candidate = client.create_candidate("Ada")
    handle = client.upload_resume(candidate["id"], RESUME, "cv.pdf", "application/pdf")["resumeFileHandle"]["handle"]
    AdminClient(restarts.http()).reset("ashby")
    restarts.restart()
    with pytest.raises(AshbyError) as caught:
        ashby(restarts.http("ashby")).file_url(handle)
    assert caught.value.code == "file_handle_not_found"
