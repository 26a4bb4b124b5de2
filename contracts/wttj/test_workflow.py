"""WTTJ's documented flow, step by step over HTTP, as the docs' request examples send it.

1. ``POST /candidates`` (the "Create a candidate" example, with a ``job_stage_id``) → 201 candidate.
2. ``POST /documents`` with ``remote_file_urls: [{filename, url}, ...]`` (the seed's example) → 201, the
   document objects; the mock downloaded each URL (here files served on 127.0.0.1).
3. ``GET /documents?candidate_reference=...`` → the same objects, with ``X-Total``.
4. ``GET file_url`` → exactly the bytes the URL served.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.core.fetch_support import ScriptedServer, answer, running_server

API = "/wttj/api/v1/external"
AUTH = {"Authorization": "Bearer atsmock-wttj"}
RESUME = b"%PDF-1.4 resume\n%%EOF\n"
PORTFOLIO = b"%PDF-1.4 portfolio\n%%EOF\n"


@pytest.fixture
def files() -> Iterator[ScriptedServer]:
    for server in running_server():  # one server, closed when the test is done
        server.route("/resume.pdf", answer(200, RESUME, {"Content-Type": "application/pdf"}))
        server.route("/portfolio.pdf", answer(200, PORTFOLIO, {"Content-Type": "application/pdf"}))
        yield server


def test_create_attach_list_download(client: httpx.Client, files: ScriptedServer) -> None:
    # 1. Create a candidate
    created = client.post(
        f"{API}/candidates",
        headers=AUTH,
        json={
            "email": "test@example.com",
            "firstname": "Foo",
            "lastname": "Bar",
            "organization_reference": "Pg4eV6k",
            "job_reference": "WTTJ_KmqkD1Y",
            "job_stage_id": 14598,
        },
    )
    assert created.status_code == 201, created.text
    reference = created.json()["reference"]

    # 2. Attach documents to a candidate (the seed's request, with URLs this test serves)
    attached = client.post(
        f"{API}/documents",
        headers={**AUTH, "Content-Type": "application/json"},
        json={
            "candidate_reference": reference,
            "remote_file_urls": [
                {"filename": "resume", "url": files.url("/resume.pdf")},
                {"filename": "portfolio", "url": files.url("/portfolio.pdf")},
            ],
        },
    )
    assert attached.status_code == 201, attached.text
    resume, portfolio = attached.json()
    assert (resume["id"], resume["filename"], resume["size"], resume["content_type"]) == (
        20,
        "resume",
        len(RESUME),
        "application/pdf",
    )
    assert (portfolio["id"], portfolio["job_reference"], portfolio["candidate_reference"]) == (
        21,
        "WTTJ_KmqkD1Y",
        reference,
    )

    # 3. List candidate documents
    listed = client.get(f"{API}/documents", params={"candidate_reference": reference}, headers=AUTH)
    assert (listed.status_code, listed.headers["x-total"]) == (200, "2")
    assert [{k: v for k, v in d.items() if k != "file_url"} for d in listed.json()] == [
        {k: v for k, v in d.items() if k != "file_url"} for d in (resume, portfolio)
    ]

    # 4. Download what was attached
    assert client.get(resume["file_url"]).content == RESUME
    assert client.get(listed.json()[1]["file_url"]).content == PORTFOLIO


def test_the_docs_list_request_works_as_written(client: httpx.Client) -> None:
    """``curl -X GET -G .../documents -d "candidate_reference=wttj-d655345409a6097309156b05"``: the docs'
    candidate is seeded, so their example answers (with no documents yet)."""
    response = client.get(
        f"{API}/documents", params={"candidate_reference": "wttj-d655345409a6097309156b05"}, headers=AUTH
    )
    assert (response.status_code, response.json(), response.headers["x-total"]) == (200, [], "0")
