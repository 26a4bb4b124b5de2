"""WTTJ across a restart, through its reference client: candidates with their files, documents, ids, the byte bound."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from state_support import Restarts

from client.wttj import WttjClient, WttjError
from mockservers.config import Settings
from mockservers.wttj.models import ORGANIZATION_REFERENCE, SEEDED_CANDIDATE
from mockservers.wttj.settings import WttjSettings
from tests.core.fetch_support import ScriptedServer, answer

RESUME = b"%PDF-1.4 a resume WTTJ fetched before the restart\n" * 40
LETTER = b"%PDF-1.4 a letter attached after the restart\n" * 30
JOB = "WTTJ_KmqkD1Y"


@pytest.fixture
def pdfs(files: ScriptedServer) -> ScriptedServer:
    """The local file server, answering this module's PDFs."""
    files.route("/resume.pdf", answer(200, RESUME, {"Content-Type": "application/pdf"}))
    files.route("/letter.pdf", answer(200, LETTER, {"Content-Type": "application/pdf"}))
    return files


def wttj(http: httpx.Client) -> WttjClient:
    http.base_url = http.base_url.join("api/v1/external")
    return WttjClient(http, "atsmock-wttj")


def create(client: WttjClient, email: str, **optional: str) -> dict[str, object]:
    return client.create_candidate(
        organization_reference=ORGANIZATION_REFERENCE,
        job_reference=JOB,
        job_stage_id=14598,
        email=email,
        firstname="Ada",
        lastname="Lovelace",
        **optional,
    )


def test_a_candidate_and_its_documents_download_the_same_bytes_after_a_restart(
    restarts: Restarts, pdfs: ScriptedServer
) -> None:
    client = wttj(restarts.http("wttj"))
    candidate = create(client, "ada@example.com", remote_resume_url=pdfs.url("/resume.pdf"), tag_list="a, b")
    [document] = client.attach_documents(str(candidate["reference"]), [("cv", pdfs.url("/resume.pdf"))])
    restarts.restart()
    client = wttj(restarts.http("wttj"))
    reference = str(candidate["reference"])
    again = client.candidate(reference, tags=True)
    assert ({k: again[k] for k in ("reference", "resume_size", "tags")}, client.download(str(again["resume_url"]))) == (
        {"reference": reference, "resume_size": len(RESUME), "tags": ["a", "b"]},
        RESUME,
    )
    [listed] = client.documents(reference)
    assert {**listed, "file_url": ""} == {**document, "file_url": ""}  # a fresh presigned URL each time
    assert client.download(listed) == RESUME
    # Attached after the restart: the next id, added after the one from before.
    [letter] = client.attach_documents(reference, [("letter", pdfs.url("/letter.pdf"))])
    restarts.restart()
    client = wttj(restarts.http("wttj"))
    assert [d["id"] for d in client.documents(reference)] == [document["id"], letter["id"]] == [20, 21]
    assert client.download(letter) == LETTER


def test_candidates_keep_their_order_after_the_seeded_one_and_new_ones_get_new_file_keys(
    restarts: Restarts, pdfs: ScriptedServer
) -> None:
    client = wttj(restarts.http("wttj"))
    first = create(client, "first@example.com", remote_resume_url=pdfs.url("/resume.pdf"))
    restarts.restart()
    client = wttj(restarts.http("wttj"))
    second = create(client, "second@example.com", remote_resume_url=pdfs.url("/letter.pdf"))
    listed = [c["reference"] for c in client.candidates(JOB)]
    assert listed == [SEEDED_CANDIDATE, first["reference"], second["reference"]]
    # The internal id carried on, so the second resume did not overwrite the first one's object.
    assert (client.download(str(first["resume_url"])), client.download(str(second["resume_url"]))) == (RESUME, LETTER)


def test_stored_bytes_from_before_a_restart_count_against_the_bound(tmp_path: Path, pdfs: ScriptedServer) -> None:
    limit = len(RESUME) + len(LETTER) - 1
    settings = Settings().replace(wttj=WttjSettings(max_stored_bytes=limit))
    restarts = Restarts(tmp_path / "state", settings)
    try:
        client = wttj(restarts.http("wttj"))
        create(client, "ada@example.com", remote_resume_url=pdfs.url("/resume.pdf"))
        restarts.restart()
        url = pdfs.url("/letter.pdf")
        with pytest.raises(WttjError) as caught:
            wttj(restarts.http("wttj")).attach_documents(SEEDED_CANDIDATE, [("letter", url)])
        assert (caught.value.status, caught.value.error, caught.value.error_description) == (
            400,
            "validation_failed",
            f"remote_file_urls[0][url] {url}: atsmock keeps at most {limit} bytes of files ([wttj] max_stored_bytes); "
            "reset the mock (POST /__admin/reset?vendor=wttj)",
        )
    finally:
        restarts.stop()
