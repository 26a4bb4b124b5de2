"""Over HTTP: auth (401/403), the envelope, and bad input of every kind getting the envelope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from ashby_support import JOB_BOARD, KEY, READONLY, Ashby, basic, envelope, job_board_settings

from mockservers.ashby import inputs
from mockservers.ashby.postings import SOFTWARE_ENGINEER
from mockservers.ashby.settings import AshbyKey
from mockservers.config import Settings
from mockservers.testing import AdminClient, in_process_client, make_app

MISSING_KEY = "Missing API key: send it as the username of HTTP Basic authentication, with an empty password"
WRITE_OPERATIONS = [
    "file.createFileUploadHandle",
    "candidate.create",
    "candidate.uploadResume",
    "candidate.uploadFile",
    "applicationForm.submit",
]
READ_OPERATIONS = ["candidate.info", "candidate.list", "file.info"]
JOB_OPERATIONS = ["jobPosting.list", "jobPosting.info"]


@pytest.fixture
def ashby(client: httpx.Client) -> Ashby:
    return Ashby(client)


@pytest.fixture
def custom() -> Iterator[Ashby]:
    """An app with a deactivated key and the job-board key (jobsRead)."""
    gone = AshbyKey("gone", ("candidatesRead", "candidatesWrite"), active=False)
    settings = job_board_settings(api_keys=(*job_board_settings().ashby.api_keys, gone))
    with in_process_client(make_app(settings)) as http:
        yield Ashby(http)


# -- auth --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", WRITE_OPERATIONS + READ_OPERATIONS + JOB_OPERATIONS)
def test_missing_key_is_401(ashby: Ashby, operation: str) -> None:
    response = ashby.fails(operation, {}, "unauthenticated", MISSING_KEY, status=401, key=None)
    assert response.headers["www-authenticate"] == 'Basic realm="Ashby API"'


@pytest.mark.parametrize("header", ["Bearer atsmock-ashby", "Basic !!!", "Basic Og=="])
def test_unreadable_credentials_are_401(ashby: Ashby, header: str) -> None:
    ashby.fails(
        "candidate.list", {}, "unauthenticated", MISSING_KEY, status=401, key=None, headers={"Authorization": header}
    )


def test_unknown_key_is_403(ashby: Ashby) -> None:
    ashby.fails("candidate.list", {}, "invalid_api_key", "The API key provided is invalid", status=403, key="nope")


def test_deactivated_key_is_403(custom: Ashby) -> None:
    message = "The API key provided has been deactivated"
    custom.fails("candidate.list", {}, "invalid_api_key", message, status=403, key="gone")


@pytest.mark.parametrize("operation", WRITE_OPERATIONS)
def test_read_only_key_cannot_write(ashby: Ashby, operation: str) -> None:
    message = "The API key does not have the candidatesWrite permission required by this endpoint"
    ashby.fails(operation, {}, "missing_endpoint_permission", message, status=403, key=READONLY)


@pytest.mark.parametrize("operation", READ_OPERATIONS)
def test_read_only_key_can_read(ashby: Ashby, operation: str) -> None:
    response = ashby.post(operation, {}, READONLY)
    assert response.status_code == 200
    assert response.json()["success"] in (True, False)
    assert response.json().get("errors") != ["missing_endpoint_permission"]


@pytest.mark.parametrize("operation", JOB_OPERATIONS)
@pytest.mark.parametrize("key", [KEY, READONLY])
def test_job_postings_need_jobs_read(custom: Ashby, operation: str, key: str) -> None:
    message = "The API key does not have the jobsRead permission required by this endpoint"
    custom.fails(operation, {}, "missing_endpoint_permission", message, status=403, key=key)
    assert custom.post(operation, {"jobPostingId": SOFTWARE_ENGINEER}, JOB_BOARD).json()["success"] is True


def test_auth_comes_before_body_parsing(ashby: Ashby) -> None:
    ashby.fails("candidate.list", None, "unauthenticated", MISSING_KEY, status=401, key=None, content=b"{not json")


def test_password_is_ignored(ashby: Ashby) -> None:
    response = ashby.http.post("/ashby/candidate.list", json={}, headers=basic(KEY, "secret"))
    assert response.json()["success"] is True


# -- envelope ----------------------------------------------------------------------------------------


def test_success_envelope(ashby: Ashby) -> None:
    response = ashby.post("candidate.list", {})
    assert response.status_code == 200
    body = response.json()
    assert body == {"success": True, "results": [], "moreDataAvailable": False, "syncToken": body["syncToken"]}


def test_empty_body_reads_as_an_empty_object(ashby: Ashby) -> None:
    assert ashby.post("candidate.list").json()["success"] is True
    ashby.fails("candidate.create", None, "invalid_input", "name: is required")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "Request payload is malformed: the body is not valid JSON"),
        (b"[1, 2]", "Request payload is malformed: the body must be a JSON object"),
        (b'"name"', "Request payload is malformed: the body must be a JSON object"),
        (b"\xff\xfe{}", "Request payload is malformed: the body is not UTF-8"),
        (b'{"name": "\xed\xa0\x80"}', "Request payload is malformed: the body is not UTF-8"),
        (b"[" * 100_000, "Request payload is malformed: the body is nested too deeply"),
        (b'{"name": "\\ud800"}', "Request payload is malformed: the body contains a lone UTF-16 surrogate"),
    ],
)
def test_malformed_json_is_invalid_input(ashby: Ashby, content: bytes, message: str) -> None:
    headers = {"Content-Type": "application/json"}
    ashby.fails("candidate.create", None, "invalid_input", message, content=content, headers=headers)


def test_surrogate_pairs_are_fine(ashby: Ashby) -> None:
    headers = {"Content-Type": "application/json"}
    response = ashby.post("candidate.create", None, content=b'{"name": "Ada \\ud83d\\ude00"}', headers=headers)
    assert response.json()["results"]["name"] == "Ada \U0001f600"


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        ("text/plain", "Content-Type: must be application/json, not text/plain"),
        (
            "application/x-www-form-urlencoded",
            "Content-Type: must be application/json, not application/x-www-form-urlencoded",
        ),
        (
            "multipart/form-data; boundary=x",
            "Content-Type: candidate.create accepts application/json only, not multipart/form-data",
        ),
    ],
)
def test_wrong_content_type(ashby: Ashby, content_type: str, message: str) -> None:
    ashby.fails(
        "candidate.create",
        None,
        "invalid_input",
        message,
        content=b'{"name":"A"}',
        headers={"Content-Type": content_type},
    )


def test_json_content_type_with_charset_and_suffix(ashby: Ashby) -> None:
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        response = ashby.post("candidate.create", None, content=b'{"name":"A"}', headers={"Content-Type": content_type})
        assert response.json()["success"] is True


def test_huge_json_body_gets_the_envelope(ashby: Ashby, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "JSON_BODY_LIMIT", 1024)
    message = "Request payload is too large: the limit is 1024 bytes"
    body = b'{"name": "' + b"x" * 2000 + b'"}'
    headers = {"Content-Type": "application/json"}
    ashby.fails("candidate.create", None, "invalid_input", message, content=body, headers=headers)


@pytest.mark.live
def test_huge_chunked_json_body_gets_the_envelope(live: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Content-Length (chunked, over a socket): the cap must hold while the body streams in."""
    monkeypatch.setattr(inputs, "JSON_BODY_LIMIT", 1024)
    body = b'{"name": "' + b"x" * 2000 + b'"}'

    def chunks() -> Iterator[bytes]:
        yield body[:1000]
        yield body[1000:]

    with httpx.Client(base_url=live.url) as http:
        message = "Request payload is too large: the limit is 1024 bytes"
        Ashby(http).fails(
            "candidate.create",
            None,
            "invalid_input",
            message,
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )


def test_unknown_endpoint_is_404(ashby: Ashby) -> None:
    ashby.fails("candidate.nope", {}, "not_found", "Unknown endpoint: POST /ashby/candidate.nope", status=404)


def test_trailing_slash_is_not_redirected(ashby: Ashby) -> None:
    ashby.fails("candidate.list/", {}, "not_found", "Unknown endpoint: POST /ashby/candidate.list/", status=404)


def test_get_is_405(ashby: Ashby) -> None:
    response = ashby.http.get("/ashby/candidate.list", headers=basic(KEY))
    message = "GET is not allowed on /ashby/candidate.list; every Ashby endpoint is a POST"
    assert (response.status_code, response.json()) == (405, envelope(response, "method_not_allowed", message))
    assert response.headers["allow"] == "POST"


def test_unexpected_exception_is_a_500_envelope(
    client: httpx.Client, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = app.platform.vendors["ashby"].app.state.vendor.store

    def boom(*args: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(store, "list_candidates", boom)
    response = Ashby(client).post("candidate.list", {})
    assert (response.status_code, response.json()) == (
        500,
        envelope(response, "internal_server_error", "An unexpected error occurred"),
    )


def test_journal_records_the_error_code(ashby: Ashby, admin: AdminClient) -> None:
    ashby.post("candidate.info", {"id": "f9e52a51-a075-4116-a7b8-484deba69004"})
    (entry,) = admin.requests(vendor="ashby")
    assert entry["operation"] == "candidateInfo"
    assert entry["response"] == {"status": 200, "errorCode": "candidate_not_found"}


def test_openapi_is_served_with_this_mocks_url(client: httpx.Client) -> None:
    response = client.get("/ashby/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["servers"] == [{"url": "http://testserver/ashby"}]
    assert document["openapi"] == "3.1.0"


def test_openapi_states_the_configured_content_length_maximum() -> None:
    def maximum(settings: Settings) -> Any:
        with in_process_client(make_app(settings)) as http:
            document = http.get("/ashby/openapi.json").json()
        operation = document["paths"]["/file.createFileUploadHandle"]["post"]
        return operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["contentLength"]

    from contracts import load_openapi

    assert maximum(Settings())["maximum"] == 104_857_600
    assert maximum(job_board_settings(max_content_length=2048))["maximum"] == 2048
    shared = load_openapi("ashby")["paths"]["/file.createFileUploadHandle"]["post"]["requestBody"]
    assert shared["content"]["application/json"]["schema"]["properties"]["contentLength"]["maximum"] == 104_857_600


def test_single_vendor_mode_serves_ashby_at_the_root() -> None:
    with in_process_client(make_app(Settings().with_server(vendor="ashby"))) as http:
        ashby = Ashby(http, prefix="")
        assert ashby.ok("candidate.create", {"name": "Root"})["name"] == "Root"
        assert http.get("/openapi.json").json()["servers"] == [{"url": "http://testserver"}]
        target = ashby.handle()
        assert target["url"].startswith("http://testserver/s3/")
        assert ashby.upload(target).status_code in (200, 201, 204)


def test_reset_wipes_candidates_but_keeps_the_postings(custom: Ashby) -> None:
    custom.candidate()
    AdminClient(custom.http).reset("ashby")
    assert custom.ok("candidate.list", {}) == []
    assert len(custom.ok("jobPosting.list", {}, JOB_BOARD)) == 2
