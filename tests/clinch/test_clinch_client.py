"""The Clinch reference client: its signing and retry rules against MockTransport, its flows against the mock."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from clinch_support import ACCESS_ID, PDF, SECRET

from client._http import RetryPolicy
from client.clinch import (
    ClinchAuth,
    ClinchAuthError,
    ClinchClient,
    ClinchError,
    ClinchNotFound,
    ClinchValidationError,
    body_md5,
    canonical_string,
    hmac_signature,
)
from client.errors import TransportError
from mockservers.testing import in_process_client

RUBY_EPOCH = 1388538061


class Script:
    """A MockTransport handler answering from a list, recording every request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def make(script: Script, sleeps: list[float], now: list[float], **options: Any) -> ClinchClient:
    http = httpx.Client(transport=httpx.MockTransport(script), base_url="https://api.clinchtalent.com/v1")
    return ClinchClient(
        http, "access_id", "secret", policy=RetryPolicy(sleep=sleeps.append), clock=lambda: now[0], **options
    )


def jsonapi(status: int, body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"Content-Type": "application/vnd.api+json"})


# -- signing -------------------------------------------------------------------------------------------------


def test_the_auth_signs_as_the_ruby_client_does() -> None:
    """The Clinch Ruby client's own POST test: same headers, same signature."""
    auth = ClinchAuth("access_id", "secret", clock=lambda: RUBY_EPOCH)
    body = (
        b'{"data":{"type":"candidates","attributes":{"first_name":"Steve","last_name":"Jobs",'
        b'"email":"steve.jobs@example.com"}}}'
    )
    request = httpx.Request(
        "POST",
        "https://api.clinchtalent.com/v1/candidates",
        content=body,
        headers={"Content-Type": "application/vnd.api+json"},
    )
    auth.sign(request)
    assert (request.headers["date"], request.headers["content-md5"], request.headers["authorization"]) == (
        "Wed, 01 Jan 2014 01:01:01 GMT",
        "BHelHgS90QHICtQEYCK1CA==",
        "APIAuth access_id:GpqVWbyL6re9hA4PVFciK9JGXtE=",
    )


def test_sha256_with_the_method_and_a_date_already_set() -> None:
    auth = ClinchAuth("access_id", "YOUR-SECRET", digest="sha256", with_method=True, clock=lambda: 5.0)
    request = httpx.Request("GET", "https://x/v1/candidates", headers={"X-HMAC-Date": "Thu, 01 Jan 1970 00:00:00 GMT"})
    next(auth.auth_flow(request))
    canonical = "GET,,1B2M2Y8AsgTpgAmY7PhCfg==,/v1/candidates,Thu, 01 Jan 1970 00:00:00 GMT"
    assert "date" not in request.headers
    assert (
        request.headers["authorization"]
        == f"APIAuth-HMAC-SHA256 access_id:{hmac_signature('YOUR-SECRET', canonical, 'SHA256')}"
    )
    with pytest.raises(ValueError, match="digest must be one of"):
        ClinchAuth("a", "b", digest="SHA3")


def test_the_canonical_string_helpers() -> None:
    assert canonical_string("get", "", "", "https://h.example/v1/x?a=1", "D") == ",,/v1/x?a=1,D"
    assert canonical_string("get", "t", "m", "", "D", with_method=True) == "GET,t,m,/,D"
    assert body_md5(b"") == "1B2M2Y8AsgTpgAmY7PhCfg=="


# -- retries and errors ----------------------------------------------------------------------------------------


def test_a_read_is_retried_and_signed_afresh_each_time() -> None:
    sleeps: list[float] = []
    now = [RUBY_EPOCH]
    script = Script(jsonapi(503, {"errors": [{"status": "503"}]}), jsonapi(200, {"data": [], "links": {}}))

    def tick(request: httpx.Request) -> httpx.Response:
        now[0] += 60
        return script(request)

    http = httpx.Client(transport=httpx.MockTransport(tick), base_url="https://api.clinchtalent.com/v1")
    clinch = ClinchClient(http, "access_id", "secret", policy=RetryPolicy(sleep=sleeps.append), clock=lambda: now[0])
    assert list(clinch.candidates()) == []
    first, second = script.requests
    assert (first.headers["date"], second.headers["date"]) == (
        "Wed, 01 Jan 2014 01:01:01 GMT",
        "Wed, 01 Jan 2014 01:02:01 GMT",
    )
    assert first.headers["authorization"] != second.headers["authorization"] and len(sleeps) == 1


def test_a_create_is_not_retried_on_a_5xx_but_is_on_a_429() -> None:
    sleeps: list[float] = []
    server = Script(jsonapi(500, {"errors": [{"status": "500", "code": "internal_server_error", "detail": "boom"}]}))
    with pytest.raises(ClinchError) as exc:
        make(server, sleeps, [0.0]).create_candidate("a@example.com")
    assert (exc.value.status, exc.value.code, exc.value.message, len(server.requests)) == (
        500,
        "internal_server_error",
        "boom",
        1,
    )
    limited = Script(
        httpx.Response(429, headers={"Retry-After": "1"}, json={"errors": [{"status": "429"}]}),
        jsonapi(201, {"data": {"id": "c1"}}),
    )
    assert make(limited, sleeps, [0.0]).create_candidate("a@example.com") == {"id": "c1"}
    assert sleeps == [1.0]


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, ClinchAuthError), (404, ClinchNotFound), (422, ClinchValidationError), (409, ClinchError)],
)
def test_errors_are_typed_and_carry_the_json_api_error_objects(status: int, kind: type[ClinchError]) -> None:
    errors = [
        {
            "status": str(status),
            "code": "c",
            "title": "T",
            "detail": "first",
            "source": {"pointer": "/data/attributes/email"},
        },
        {"status": str(status), "code": "d", "title": "T", "detail": "second", "source": {"parameter": "include"}},
    ]
    script = Script(httpx.Response(status, json={"errors": errors}, headers={"X-Request-Id": "r-1"}))
    with pytest.raises(kind) as exc:
        make(script, [], [0.0]).candidate("x")
    assert (type(exc.value), exc.value.errors, exc.value.message, exc.value.request_id, exc.value.pointers) == (
        kind,
        errors,
        "first",
        "r-1",
        ["/data/attributes/email"],
    )


def test_an_answer_that_is_not_json_is_a_transport_error() -> None:
    script = Script(*[httpx.Response(200, text="<html>")] * 4)
    with pytest.raises(TransportError, match="answered 200 with a body that is not JSON"):
        make(script, [], [0.0]).candidate("x")


def test_an_error_without_json_api_errors_keeps_the_text() -> None:
    script = Script(httpx.Response(404, json={"message": "gone"}))
    with pytest.raises(ClinchNotFound) as exc:
        make(script, [], [0.0]).candidate("x")
    assert exc.value.errors == [{"status": "404", "detail": '{"message":"gone"}'}]


# -- against the mock ---------------------------------------------------------------------------------------------


@pytest.fixture
def clinch(app: Any) -> ClinchClient:
    http = in_process_client(app, base_url="http://testserver/clinch/v1")
    return ClinchClient(http, ACCESS_ID, SECRET, clock=app.platform.clock.now)


def test_create_find_update_and_page_through_candidates(clinch: ClinchClient) -> None:
    made = [clinch.create_candidate(f"c{i}@example.com", first_name=f"C{i}")["id"] for i in range(5)]
    assert [c["id"] for c in clinch.candidates(per_page=2)] == made
    found = clinch.find_candidate("C3@example.com")
    assert found is not None and found["id"] == made[3]
    assert clinch.find_candidate("nobody@example.com") is None
    assert clinch.update_candidate(made[0], last_name="Zero")["attributes"]["name"] == "C0 Zero"
    assert [
        c["id"] for c in clinch.candidates(updated_since="2000-01-01T00:00:00Z", updated_before="2999-01-01T00:00:00")
    ] == made


def test_upload_from_bytes_and_from_a_path_and_download_the_exact_bytes(clinch: ClinchClient, tmp_path: Path) -> None:
    candidate = clinch.create_candidate("ada@example.com")
    from_bytes = clinch.upload_file(candidate["id"], PDF, "cv.pdf")
    path = tmp_path / "cover letter.txt"
    path.write_bytes(b"Dear recruiter")
    from_path = clinch.upload_file(candidate["id"], path)
    assert (from_path["attributes"]["filename"], clinch.download(from_bytes), clinch.download(from_path)) == (
        "cover letter.txt",
        PDF,
        b"Dear recruiter",
    )
    assert [f["id"] for f in clinch.files(candidate["id"])] == [from_bytes["id"], from_path["id"]]
    with pytest.raises(ValueError, match="filename is required"):
        clinch.upload_file(candidate["id"], b"x")


def test_tags_through_the_client(clinch: ClinchClient) -> None:
    candidate = clinch.create_candidate("ada@example.com", tag_values=["a"])
    tag = clinch.add_tag(candidate["id"], "b")
    assert [t["attributes"]["name"] for t in clinch.tags(candidate["id"])] == ["a", "b"]
    clinch.delete_tag(candidate["id"], tag["id"])
    assert [t["attributes"]["name"] for t in clinch.tags(candidate["id"])] == ["a"]


def test_the_mocks_refusals_arrive_as_typed_errors(clinch: ClinchClient, app: Any) -> None:
    clinch.create_candidate("ada@example.com")
    with pytest.raises(ClinchValidationError) as invalid:
        clinch.create_candidate("ADA@example.com")
    assert (invalid.value.pointers, invalid.value.message) == (
        ["/data/attributes/email"],
        "Email has already been taken",
    )
    with pytest.raises(ClinchNotFound):
        clinch.candidate("nobody")
    wrong = ClinchClient(clinch.http, ACCESS_ID, "not-the-secret", clock=app.platform.clock.now)
    with pytest.raises(ClinchAuthError) as denied:
        wrong.candidate("nobody")
    assert denied.value.code == "signature_mismatch"
    app.platform.clock.advance(3600)
    stale = ClinchClient(clinch.http, ACCESS_ID, SECRET, clock=lambda: app.platform.clock.now() - 3600)
    with pytest.raises(ClinchAuthError) as old:
        stale.candidate("nobody")
    assert old.value.code == "date_outside_window"


@pytest.mark.parametrize(("digest", "with_method"), [("SHA1", True), ("SHA256", False), ("SHA512", True)])
def test_every_signing_option_is_accepted(app: Any, digest: str, with_method: bool) -> None:
    http = in_process_client(app, base_url="http://testserver/clinch/v1")
    clinch = ClinchClient(http, ACCESS_ID, SECRET, digest=digest, with_method=with_method, clock=app.platform.clock.now)
    created = clinch.create_candidate("ada@example.com")
    assert clinch.candidate(created["id"])["data"]["id"] == created["id"]


def test_the_auth_on_a_plain_httpx_client(app: Any) -> None:
    auth = ClinchAuth(ACCESS_ID, SECRET, clock=app.platform.clock.now)
    with in_process_client(app, auth=auth) as http:
        body = json.dumps({"data": {"type": "candidates", "attributes": {"email": "a@example.com"}}})
        created = http.post("/clinch/v1/candidates", content=body, headers={"Content-Type": "application/vnd.api+json"})
        content = base64.b64encode(PDF).decode()
        files = f"/clinch/v1/candidates/{created.json()['data']['id']}/candidate_files"
        upload = http.post(
            files, json={"data": {"type": "candidate_files", "attributes": {"filename": "a.pdf", "content": content}}}
        )
    assert (created.status_code, upload.status_code) == (201, 201)


@pytest.mark.live
def test_the_whole_flow_over_a_socket(live: Any) -> None:
    """uvicorn hands the app the raw path as sent, so a client pointed at ``/clinch/v1`` signs what arrives."""
    with httpx.Client(base_url=f"{live.url}/clinch/v1", timeout=10) as http:
        clinch = ClinchClient(http, ACCESS_ID, SECRET, clock=live.platform.clock.now, with_method=True)
        candidate = clinch.create_candidate("ada@example.com", tag_values=["live"])
        stored = clinch.upload_file(candidate["id"], PDF, "cv.pdf")
        assert clinch.download(clinch.files(candidate["id"])[0]) == PDF
        assert [c["id"] for c in clinch.candidates(email="ada@example.com")] == [candidate["id"]]
        assert stored["attributes"]["url"].startswith(f"{live.url}/s3/clinch-candidate-files/")
