"""WTTJ's fault scenarios, scheduled through the admin API, and what each answers."""

from __future__ import annotations

from typing import Any

import httpx
from fetch_support import ScriptedServer, answer
from wttj_support import PDF, SEEDED, Wttj, fails, new_candidate

from mockservers.core.fetch import FetchPolicy
from mockservers.testing import AdminClient, in_process_client


def test_scenarios_are_listed(admin: AdminClient) -> None:
    scenarios = {s["name"]: s for s in admin._call("GET", "/scenarios")["scenarios"]}
    assert {n: scenarios[n]["status"] for n in scenarios if n.startswith("wttj.")} == {
        "wttj.server_error": 500,
        "wttj.unavailable": 503,
        "wttj.remote_fetch_timeout": 400,
    }


def test_server_error(wttj: Wttj, admin: AdminClient) -> None:
    admin.add_fault("wttj.server_error", operation="listDocuments", times=2)
    for _ in range(2):
        fails(
            wttj.documents(SEEDED),
            500,
            "internal_server_error",
            "We had a problem with our server. Try again later.",
        )
    assert wttj.documents(SEEDED).status_code == 200
    entry = admin.requests(vendor="wttj", status=500)[0]
    assert (entry["fault"], entry["response"]["errorCode"]) == ("wttj.server_error", "internal_server_error")


def test_unavailable(wttj: Wttj, admin: AdminClient) -> None:
    admin.add_fault("wttj.unavailable")
    fails(
        wttj.post("/candidates", new_candidate()),
        503,
        "service_unavailable",
        "We're temporarily offline for maintenance. Please try again later.",
    )
    assert wttj.post("/candidates", new_candidate()).status_code == 201


def test_remote_fetch_timeout_answers_as_a_timeout_without_waiting_or_connecting(
    wttj: Wttj, admin: AdminClient, files: ScriptedServer, connections: list[tuple[str, int]]
) -> None:
    files.route("/cv.pdf", answer(200, PDF))
    url = files.url("/cv.pdf")
    admin.add_fault("wttj.remote_fetch_timeout", operation="attachDocuments")
    response = wttj.attach(SEEDED, ("resume", url), ("portfolio", url))
    fails(
        response,
        400,
        "validation_failed",
        f"remote_file_urls[0][url] {url} could not be downloaded: timed out after 30 s",
    )
    assert (connections, wttj.documents(SEEDED).json()) == ([], [])
    entry = admin.requests(vendor="wttj", operation="attachDocuments")[0]
    assert (entry["fault"], entry["response"]) == (
        "wttj.remote_fetch_timeout",
        {"status": 400, "errorCode": "validation_failed"},
    )
    # it fired once; the next attach downloads
    assert wttj.attach(SEEDED, ("resume", url)).status_code == 201


def test_remote_fetch_timeout_names_the_configured_timeout(make_wttj: Any) -> None:
    with in_process_client(make_wttj(fetch=FetchPolicy(total_timeout=2.5))) as http:
        AdminClient(http).add_fault("wttj.remote_fetch_timeout")
        response = Wttj(http).post("/candidates", new_candidate(remote_resume_url="http://files.test/cv.pdf"))
    fails(
        response,
        400,
        "validation_failed",
        "remote_resume_url http://files.test/cv.pdf could not be downloaded: timed out after 2.5 s",
    )


def test_remote_fetch_timeout_leaves_requests_that_fetch_nothing_alone(wttj: Wttj, admin: AdminClient) -> None:
    admin.add_fault("wttj.remote_fetch_timeout")
    response = wttj.post("/candidates", new_candidate())
    assert response.status_code == 201
    [entry] = admin.requests(vendor="wttj")
    assert (entry["fault"], entry["response"]) == ("wttj.remote_fetch_timeout", {"status": 201, "errorCode": None})


def test_transport_scenarios_apply(client: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("malformed_body", operation="getCandidate")
    response = client.get(f"/wttj/api/v1/external/candidates/{SEEDED}", headers={"Authorization": "Bearer x"})
    assert (response.status_code, response.content) == (200, b'{"malformed": tru')
