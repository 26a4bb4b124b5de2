"""Clinch's documented workflow over HTTP, signed exactly as the Knowledge Portal's "Getting Started" says.

0. Every request: ``Date`` (RFC 1123), ``Authorization: APIAuth <key>:<Base64(HMAC-SHA1(secret,
   canonical string))>``, canonical string ``content-type,content-MD5,request URI,timestamp`` (the
   current docs put the HTTP method in front; both are used here).
1. ``POST /candidates`` (JSON:API, ``type: "candidates"`` as the Ruby client sends it) → 201.
2. ``POST /candidates/{id}/candidate_files`` with ``filename`` and base64 ``content`` → 201.
3. ``GET /candidates/{id}?include=resumes`` → the file among ``included``; ``GET`` its ``url`` → the bytes.
4. ``GET /candidates?filter[email][eq]=...`` finds the candidate; tags are added and listed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from email.utils import formatdate
from typing import Any

import httpx

from mockservers.testing import make_app

KEY, SECRET = "atsmock-clinch", "atsmock-clinch-secret"
JSON_API = "application/vnd.api+json"
RESUME = b"%PDF-1.4 workflow resume\n"


def signed(app: Any, method: str, uri: str, body: bytes = b"", *, with_method: bool = False) -> dict[str, str]:
    date = formatdate(app.platform.clock.now(), usegmt=True)
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    canonical = f"{JSON_API},{md5},{uri},{date}"
    if with_method:
        canonical = f"{method},{canonical}"
    signature = base64.b64encode(hmac.new(SECRET.encode(), canonical.encode(), hashlib.sha1).digest()).decode()
    return {
        "Accept": JSON_API,
        "Content-Type": JSON_API,
        "Content-MD5": md5,
        "Date": date,
        "Authorization": f"APIAuth {KEY}:{signature}",
    }


def call(client: httpx.Client, app: Any, method: str, uri: str, document: Any = None, **kw: Any) -> Any:
    body = b"" if document is None else json.dumps(document).encode()
    response = client.request(method, uri, content=body or None, headers=signed(app, method, uri, body, **kw))
    assert response.status_code in (200, 201), response.text
    assert response.headers["content-type"] == JSON_API
    return response.json()


def test_create_upload_include_download_find_and_tag(client: httpx.Client, app: Any) -> None:
    person = {
        "data": {
            "type": "candidates",
            "attributes": {"first_name": "Jane", "last_name": "Smith", "email": "jane.smith@example.com"},
        }
    }
    candidate = call(client, app, "POST", "/clinch/v1/candidates", person)["data"]
    assert (candidate["type"], candidate["attributes"]["name"]) == ("candidates", "Jane Smith")

    upload = {
        "data": {
            "type": "candidate_files",
            "attributes": {"filename": "resume.pdf", "content": base64.b64encode(RESUME).decode()},
        }
    }
    stored = call(
        client, app, "POST", f"/clinch/v1/candidates/{candidate['id']}/candidate_files", upload, with_method=True
    )["data"]
    assert (stored["type"], stored["attributes"]["size"]) == ("candidate_files", len(RESUME))

    fetched = call(client, app, "GET", f"/clinch/v1/candidates/{candidate['id']}?include=resumes")
    assert fetched["data"]["relationships"]["resumes"]["data"] == [{"id": stored["id"], "type": "candidate_files"}]
    download = client.get(fetched["included"][0]["attributes"]["url"])
    assert (download.status_code, download.content) == (200, RESUME)

    found = call(
        client, app, "GET", "/clinch/v1/candidates?filter%5Bemail%5D%5Beq%5D=jane.smith%40example.com", with_method=True
    )
    assert [c["id"] for c in found["data"]] == [candidate["id"]]

    call(
        client,
        app,
        "POST",
        f"/clinch/v1/candidates/{candidate['id']}/tags",
        {"data": {"type": "tag", "attributes": {"name": "Tag Name"}}},
    )
    tags = call(client, app, "GET", f"/clinch/v1/candidates/{candidate['id']}/tags")["data"]
    assert [t["attributes"]["name"] for t in tags] == ["Tag Name"]


def test_the_signature_is_over_the_uri_exactly_as_sent() -> None:
    """A query percent-encoded one way is not the same request URI as the same query encoded another way."""
    from mockservers.testing import in_process_client

    app = make_app()
    with in_process_client(app) as http:
        headers = signed(app, "GET", "/clinch/v1/candidates?filter%5Bemail%5D%5Beq%5D=a%40b.co")
        same = http.get("/clinch/v1/candidates?filter%5Bemail%5D%5Beq%5D=a%40b.co", headers=headers)
        other = http.get("/clinch/v1/candidates?filter[email][eq]=a@b.co", headers=headers)
    assert (same.status_code, other.status_code, other.json()["errors"][0]["code"]) == (200, 401, "signature_mismatch")
