"""Endorsed's documented calls, step by step over HTTP, as the API reference's examples make them.

0. ``POST /api/v1/auth/tokens`` (form-encoded, the default) → a Bearer JWT with ``expires_in`` "1209600".
1. ``POST /api/v1/candidates`` (JSON) → ``{"is_error": false, "result": {"id"}}``.
2. ``POST /api/v1/attachments`` as JSON with ``public_file_url`` (the page's curl example), and as
   multipart with the ``file``; ``GET /api/v1/attachments/remote.<id>`` → ``ephemeral_url`` → the bytes.
3. ``PUT /api/v1/attachments/remote.<id>`` replaces it; ``DELETE`` removes it.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.core.fetch_support import ScriptedServer, answer, running_server

API = "/endorsed/api/v1"
RESUME = b"%PDF-1.4 workflow resume"


@pytest.fixture
def files() -> Iterator[ScriptedServer]:
    yield from running_server()


def token(client: httpx.Client) -> dict[str, str]:
    response = client.post(
        f"{API}/auth/tokens",
        data={
            "client_id": "00000000-0000-4000-8000-000000000001",
            "client_secret": "atsmock-endorsed-secret",
            "grant_type": "client_credentials",
            "scope": "all:read all:write",
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["is_error"], body["token_type"], body["expires_in"]) == (False, "Bearer", "1209600")
    return {"Authorization": f"Bearer {body['access_token']}"}


def test_candidate_then_attachments(client: httpx.Client, files: ScriptedServer) -> None:
    auth = token(client)

    # 1. a candidate
    candidate = {
        "first_name": "John",
        "last_name": "Doe",
        "email_addresses": [{"value": "john.doe@example.com", "type": "personal"}],
        "remote_id": "remote-id_from-originating-system",
    }
    response = client.post(f"{API}/candidates", json=candidate, headers=auth)
    assert response.status_code == 201, response.text
    candidate_id = response.json()["result"]["id"]

    # 2. an attachment from a public URL, as the page's curl example sends it
    files.route("/public-example-file.pdf", answer(200, RESUME, {"Content-Type": "application/pdf"}))
    body = {
        "remote_id": "remote-id_from-originating-system",
        "type": "resume",
        "public_file_url": files.url("/public-example-file.pdf"),
        "candidate_id": candidate_id,
    }
    response = client.post(f"{API}/attachments", json=body, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    attachment_id = response.json()["result"]["id"]

    read = client.get(f"{API}/attachments/remote.remote-id_from-originating-system", headers=auth)
    assert read.status_code == 200, read.text
    result = read.json()["result"]
    assert (result["id"], result["candidate_id"], result["file_name"]) == (
        attachment_id,
        candidate_id,
        "public-example-file.pdf",
    )
    assert client.get(result["ephemeral_url"]).content == RESUME

    # 2b. the same by multipart (the default encoding), another remote id
    response = client.post(
        f"{API}/attachments",
        data={"remote_id": "about-1", "type": "about", "candidate_id": candidate_id},
        files={"file": ("about.txt", b"About John", "text/plain")},
        headers=auth,
    )
    assert response.status_code == 201, response.text

    # 3. replace, then delete
    response = client.put(
        f"{API}/attachments/remote.remote-id_from-originating-system",
        data={"remote_id": "remote-id_from-originating-system", "type": "resume"},
        files={"file": ("cv-v2.pdf", b"%PDF-1.4 v2", "application/pdf")},
        headers=auth,
    )
    assert (response.status_code, response.json()) == (200, {"is_error": False, "result": {"id": attachment_id}})
    again = client.get(f"{API}/attachments/{attachment_id}", headers=auth).json()["result"]
    assert client.get(again["ephemeral_url"]).content == b"%PDF-1.4 v2"

    response = client.delete(f"{API}/attachments/{attachment_id}", headers=auth)
    assert (response.status_code, response.json()) == (200, {"is_error": False, "result": {"id": attachment_id}})
    gone = client.get(f"{API}/attachments/{attachment_id}", headers=auth)
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "NOT_FOUND")
