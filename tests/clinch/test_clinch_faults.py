"""Clinch's fault scenarios through the admin API, the JSON:API error each answers with, and reset."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from clinch_support import JSON_API, Clinch, error

from mockservers.core.dispatch import ConnectionDropped
from mockservers.testing import AdminClient


@pytest.fixture
def clinch(client: httpx.Client, app: Any) -> Clinch:
    return Clinch(client, app)


def test_the_scenarios_are_listed(admin: AdminClient) -> None:
    scenarios = {s["name"]: s for s in admin._call("GET", "/scenarios")["scenarios"]}
    assert {n: s["status"] for n, s in scenarios.items() if n.startswith("clinch.")} == {
        "clinch.server_error": 500,
        "clinch.unprocessable": 422,
    }


def test_server_error(clinch: Clinch, admin: AdminClient) -> None:
    admin.add_fault("clinch.server_error", operation="listCandidates")
    response = clinch.call("GET", "/candidates")
    assert (response.status_code, response.headers["content-type"], response.json()) == (
        500,
        JSON_API,
        error(500, "internal_server_error", "Internal server error", "We're sorry, but something went wrong."),
    )
    assert clinch.call("GET", "/candidates").status_code == 200
    [entry] = admin.requests(vendor="clinch", status=500)
    assert (entry["fault"], entry["operation"], entry["response"]["errorCode"]) == (
        "clinch.server_error",
        "listCandidates",
        "internal_server_error",
    )


def test_unprocessable_on_the_upload(clinch: Clinch, admin: AdminClient) -> None:
    candidate = clinch.create()
    admin.add_fault("clinch.unprocessable", operation="createCandidateFile")
    response = clinch.call(
        "POST",
        f"/candidates/{candidate['id']}/candidate_files",
        {"data": {"type": "candidate_files", "attributes": {"filename": "cv.pdf", "content": "eA=="}}},
    )
    assert (response.status_code, response.json()) == (
        422,
        error(
            422,
            "unprocessable",
            "Unprocessable entity",
            "The request could not be processed (atsmock fault clinch.unprocessable)",
            pointer="/data",
        ),
    )
    fetched = clinch.ok("GET", f"/candidates/{candidate['id']}")
    assert fetched["data"]["relationships"]["resumes"] == {"data": []}


def test_a_transport_scenario_applies_to_clinch(clinch: Clinch, admin: AdminClient) -> None:
    admin.add_fault("connection_reset", operation="getCandidate")
    with pytest.raises(ConnectionDropped):
        clinch.call("GET", "/candidates/abc")
    assert clinch.call("GET", "/candidates/abc").status_code == 404


def test_reset_of_clinch_alone_forgets_its_candidates_and_files(clinch: Clinch, admin: AdminClient, app: Any) -> None:
    candidate = clinch.create()
    body = {"data": {"type": "candidate_files", "attributes": {"filename": "cv.pdf", "content": "eA=="}}}
    url = clinch.ok("POST", f"/candidates/{candidate['id']}/candidate_files", body, 201)["data"]["attributes"]["url"]
    admin.reset("clinch")
    assert clinch.ok("GET", "/candidates")["meta"]["record_count"] == 0
    assert clinch.http.get(url).status_code == 404
    assert clinch.create()["attributes"]["email"] == "ada@example.com"
