"""Clinch across a restart, through its reference client: candidates, their tags and files, the derived bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from state_support import Restarts

from client.clinch import ClinchClient, ClinchError
from mockservers.clinch.settings import ClinchSettings
from mockservers.config import Settings

RESUME = b"%PDF-1.4 a resume uploaded to Clinch before the restart\n" * 40
KEPT = ("email", "first_name", "last_name", "phone_number", "tags")


def clinch(http: httpx.Client) -> ClinchClient:
    http.base_url = http.base_url.join("v1")
    return ClinchClient(http, "atsmock-clinch", "atsmock-clinch-secret")


def attributes(candidate: dict[str, Any]) -> dict[str, Any]:
    return {k: candidate["attributes"][k] for k in KEPT} | {"resumes": candidate["relationships"]["resumes"]}


def test_a_candidate_file_downloads_the_same_bytes_after_a_restart(restarts: Restarts) -> None:
    client = clinch(restarts.http("clinch"))
    candidate = client.create_candidate("ada@example.com", first_name="Ada", tag_values=["python"])
    stored = client.upload_file(candidate["id"], RESUME, filename="cv.pdf")
    restarts.restart()
    client = clinch(restarts.http("clinch"))
    [found] = client.files(candidate["id"])
    assert ({**found["attributes"], "url": ""}, client.download(found)) == ({**stored["attributes"], "url": ""}, RESUME)
    assert attributes(client.candidate(candidate["id"])["data"])["resumes"] == {
        "data": [{"id": stored["id"], "type": "candidate_files"}]
    }


def test_tags_and_updates_survive_a_restart_each(restarts: Restarts) -> None:
    client = clinch(restarts.http("clinch"))
    candidate = client.create_candidate("ada@example.com", first_name="Ada", tag_values=["python", "rust"])
    tag = client.add_tag(candidate["id"], "go")
    restarts.restart()
    client = clinch(restarts.http("clinch"))
    assert [t["attributes"]["name"] for t in client.tags(candidate["id"])] == ["python", "rust", "go"]
    client.delete_tag(candidate["id"], tag["id"])
    restarts.restart()
    client = clinch(restarts.http("clinch"))
    assert [t["attributes"]["name"] for t in client.tags(candidate["id"])] == ["python", "rust"]
    updated = client.update_candidate(candidate["id"], last_name="Lovelace", email="countess@example.com")
    restarts.restart()
    client = clinch(restarts.http("clinch"))
    assert attributes(client.candidate(candidate["id"])["data"]) == attributes(updated)
    assert attributes(updated)["tags"] == ["python", "rust"]
    # The email index is rebuilt from the records: the new address is taken, the old one free again.
    with pytest.raises(ClinchError) as caught:
        client.create_candidate("Countess@example.com")
    assert (caught.value.status, caught.value.pointers) == (422, ["/data/attributes/email"])
    assert client.create_candidate("ada@example.com")["attributes"]["email"] == "ada@example.com"
    assert next(c["id"] for c in client.candidates()) == candidate["id"]  # oldest first, as before


def test_files_stored_before_a_restart_count_against_the_bounds(tmp_path: Path) -> None:
    restarts = Restarts(tmp_path / "state", Settings().replace(clinch=ClinchSettings(max_files=1)))
    try:
        client = clinch(restarts.http("clinch"))
        candidate = client.create_candidate("ada@example.com")
        client.upload_file(candidate["id"], b"one", filename="one.txt")
        restarts.restart()
        with pytest.raises(ClinchError) as caught:
            clinch(restarts.http("clinch")).upload_file(candidate["id"], b"two", filename="two.txt")
        assert (caught.value.status, caught.value.errors[0]["detail"]) == (
            422,
            "This account already has 1 files, the mock's limit (clinch.max_files)",
        )
    finally:
        restarts.stop()
