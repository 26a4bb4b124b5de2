"""Endorsed's envelope on every kind of answer, its routing, the journal, and the root mount."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from endorsed_support import INTERNAL, NOT_FOUND, PDF, Endorsed, created, envelope, fails, form, issue

from mockservers.config import Settings
from mockservers.endorsed.errors import CODE, STATUS
from mockservers.testing import AdminClient, in_process_client, make_app


def test_documented_codes_have_their_statuses() -> None:
    documented = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "INTERNAL_SERVER_ERROR": 500}
    assert {CODE[kind]: STATUS[kind] for kind in CODE if CODE[kind] in documented} == documented
    assert {CODE[kind]: STATUS[kind] for kind in CODE}["BAD_REQUEST"] == 400


def test_success_is_is_error_false_with_a_result(endorsed: Endorsed) -> None:
    response = endorsed.call("POST", "candidates", json={"first_name": "A", "remote_id": "r"})
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert list(response.json()) == ["is_error", "result"]


def test_unknown_paths_are_not_found_and_wrong_methods_405(endorsed: Endorsed) -> None:
    fails(endorsed.http.get("/endorsed/api/v1/jobs"), 404, NOT_FOUND)
    empty_id = envelope("BAD_REQUEST", issue("Invalid id: expected a UUID or remote.<remote_id>", "id"))
    fails(endorsed.call("GET", "attachments/"), 400, empty_id)
    response = endorsed.http.get("/endorsed/api/v1/auth/tokens")
    message = "GET is not allowed on /endorsed/api/v1/auth/tokens"
    fails(response, 405, envelope("METHOD_NOT_ALLOWED", issue(message)))
    assert response.headers["allow"] == "POST"
    patch = endorsed.http.patch("/endorsed/api/v1/attachments/remote.x")
    assert (patch.status_code, patch.headers["allow"]) == (405, "DELETE, GET, HEAD, PUT")


def test_an_unexpected_exception_is_the_documented_500(
    endorsed: Endorsed, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidates = app.platform.vendors["endorsed"].app.state.vendor.candidates

    def boom(*args: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(candidates, "find", boom)
    fails(endorsed.call("GET", "candidates/remote.x"), 500, INTERNAL)


def test_the_journal_records_the_operation_and_code(endorsed: Endorsed, admin: AdminClient) -> None:
    endorsed.token()
    endorsed.call("GET", "attachments/remote.nobody")
    endorsed.call("PUT", "attachments/nope", files={"file": ("a", b"a")})
    entries = admin.requests(vendor="endorsed")
    assert [(e["operation"], e["response"]) for e in entries] == [
        ("upsertAttachment", {"status": 400, "errorCode": "BAD_REQUEST"}),
        ("getAttachment", {"status": 404, "errorCode": "NOT_FOUND"}),
        ("createAccessToken", {"status": 200, "errorCode": None}),
        ("createAccessToken", {"status": 200, "errorCode": None}),
    ]
    assert entries[1]["request"]["headers"]["authorization"] == "[redacted]"


def test_the_contract_is_served_naming_the_mock(endorsed: Endorsed) -> None:
    document = endorsed.http.get("/endorsed/openapi.json").json()
    assert document["servers"] == [{"url": "http://testserver/endorsed"}]
    assert "/api/v1/attachments/{id}" in document["paths"]


def test_single_vendor_mode_serves_endorsed_at_the_root() -> None:
    with in_process_client(make_app(Settings().with_server(vendor="endorsed"))) as http:
        endorsed = Endorsed(http, prefix="")
        attachment = created(endorsed.upload())
        url = endorsed.attachment(attachment)["ephemeral_url"]
        assert url.startswith("http://testserver/s3/")
        assert http.get(url).content == PDF
        assert http.get("/openapi.json").json()["servers"] == [{"url": "http://testserver"}]


def test_over_the_wire_with_curl_like_requests(live: Any) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as http:
        endorsed = Endorsed(http)
        token = endorsed.token_response(form()).json()["access_token"]
        response = http.post(
            "/endorsed/api/v1/attachments",
            headers={"Authorization": f"Bearer {token}"},
            data={"remote_id": "wire", "type": "resume"},
            files={"file": ("cv.pdf", PDF, "application/pdf")},
        )
        attachment = created(response)
        url = endorsed.attachment(attachment)["ephemeral_url"]
        assert url.startswith(f"{live.url}/s3/endorsed-attachments/")
        assert http.get(url).content == PDF
