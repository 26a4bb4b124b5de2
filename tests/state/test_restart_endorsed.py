"""Endorsed across a restart, through its reference client: candidates, attachments (multipart, URL, upsert,
delete), remote ids and the byte bound."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from state_support import Restarts

from client._http import RetryPolicy
from client.endorsed import EndorsedClient, EndorsedError, remote
from mockservers.config import Settings
from mockservers.endorsed.errors import INTERNAL_MESSAGE
from mockservers.endorsed.settings import EndorsedSettings
from tests.core.fetch_support import ScriptedServer, answer

RESUME = b"%PDF-1.4 a resume uploaded to Endorsed before the restart\n" * 40
PROFILE = b"%PDF-1.4 a profile Endorsed fetched by URL\n" * 30
CLIENT_ID = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def pdfs(files: ScriptedServer) -> ScriptedServer:
    """The local file server, answering this module's PDFs."""
    files.route("/about.pdf", answer(200, PROFILE, {"Content-Type": "application/pdf"}))
    return files


def endorsed(http: httpx.Client) -> EndorsedClient:
    return EndorsedClient(http, CLIENT_ID, "atsmock-endorsed-secret")


def test_attachments_download_the_same_bytes_after_a_restart(restarts: Restarts, pdfs: ScriptedServer) -> None:
    client = endorsed(restarts.http("endorsed"))
    candidate = client.create_candidate(first_name="Ada", remote_id="ada", last_name="Lovelace")
    resume = client.upload(RESUME, remote_id="cv", type="resume", candidate_id=candidate, file_name="cv.pdf")
    about = client.upload_from_url(pdfs.url("/about.pdf"), remote_id="about", type="about", candidate_id=candidate)
    before = {ref: client.attachment(ref) for ref in (resume, about)}
    restarts.restart()
    client = endorsed(restarts.http("endorsed"))  # a new token: the old client's is cached in the old client
    assert (client.download(remote("cv")), client.download(about)) == (RESUME, PROFILE)
    assert {ref: {**client.attachment(ref), "ephemeral_url": ""} for ref in before} == {
        ref: {**found, "ephemeral_url": ""} for ref, found in before.items()
    }
    assert client.candidate(remote("ada"))["id"] == candidate


def test_an_update_an_upsert_and_a_delete_each_survive_a_restart(restarts: Restarts) -> None:
    client = endorsed(restarts.http("endorsed"))
    candidate = client.create_candidate(first_name="Ada", remote_id="ada")
    client.update_candidate(candidate, first_name="Augusta", remote_id="augusta")
    first = client.upload(b"first", remote_id="cv", type="resume", file_name="cv.txt")
    gone = client.upload(b"gone", remote_id="gone", type="about", file_name="gone.txt")
    restarts.restart()
    client = endorsed(restarts.http("endorsed"))
    assert (client.candidate(remote("augusta"))["first_name"], client.candidate(candidate)["remote_id"]) == (
        "Augusta",
        "augusta",
    )
    with pytest.raises(EndorsedError) as caught:
        client.candidate(remote("ada"))  # the index of remote ids was rebuilt from the records
    assert caught.value.status == 404
    assert client.upsert("cv", b"second", type="resume", file_name="cv.txt") == (first, False)
    client.delete_attachment(remote("gone"))
    restarts.restart()
    client = endorsed(restarts.http("endorsed"))
    assert client.download(first) == b"second"
    with pytest.raises(EndorsedError) as caught:
        client.attachment(gone)
    assert caught.value.status == 404
    assert len(restarts.files()) == 1  # the replaced and the deleted attachment's files are gone


def test_stored_bytes_from_before_a_restart_count_against_the_bound(tmp_path: Path) -> None:
    restarts = Restarts(tmp_path / "state", Settings().replace(endorsed=EndorsedSettings(max_stored_bytes=10)))
    try:
        endorsed(restarts.http("endorsed")).upload(b"123456", remote_id="a", type="resume", file_name="a.txt")
        restarts.restart()
        with pytest.raises(EndorsedError) as caught:
            endorsed(restarts.http("endorsed")).upload(b"12345", remote_id="b", type="resume", file_name="b.txt")
        assert (caught.value.status, caught.value.code) == (409, "CONFLICT")
        assert str(caught.value).endswith(
            "The mock holds at most 10 bytes of attachments (endorsed.max_stored_bytes); reset it or raise the limit."
        )
    finally:
        restarts.stop()


def test_a_delete_that_fails_half_way_keeps_the_attachment_under_both_its_ids(
    restarts: Restarts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record's delete is rolled back with the transaction, and the remote-id index follows the table back."""
    client = EndorsedClient(restarts.http("endorsed"), CLIENT_ID, "atsmock-endorsed-secret", policy=RetryPolicy(1))
    attachment = client.upload(RESUME, remote_id="cv", type="resume", file_name="cv.pdf")

    def broken(bucket: str, key: str) -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(restarts.platform.s3, "delete_object", broken)
    with pytest.raises(EndorsedError) as caught:
        client.delete_attachment(remote("cv"))
    assert (caught.value.status, caught.value.code, str(caught.value)) == (
        500,
        "INTERNAL_SERVER_ERROR",
        f"500 INTERNAL_SERVER_ERROR: {INTERNAL_MESSAGE}",
    )  # the vendor's own envelope, no trace
    monkeypatch.undo()
    assert (client.attachment(remote("cv"))["id"], client.download(attachment)) == (attachment, RESUME)
    restarts.restart()
    assert endorsed(restarts.http("endorsed")).download(remote("cv")) == RESUME
