"""The WTTJ reference client: the whole flow in-process and over a socket, and its retry rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fetch_support import ScriptedServer, answer
from wttj_support import JOB, NEW_STAGE, ORGANIZATION, PDF, READONLY, SEEDED, TOKEN

from client._http import RetryPolicy
from client.errors import StorageError, TransportError
from client.wttj import WttjClient, WttjError
from mockservers.testing import AdminClient, in_process_client


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make(http: httpx.Client, sleeps: list[float], token: str = TOKEN) -> WttjClient:
    return WttjClient(http, token, policy=RetryPolicy(attempts=3, base_delay=0.01, sleep=sleeps.append))


@pytest.fixture
def api(app: Any) -> Iterator[httpx.Client]:
    with in_process_client(app, base_url="http://testserver/wttj/api/v1/external") as http:
        yield http


def new(wttj: WttjClient, **optional: Any) -> dict[str, Any]:
    return wttj.create_candidate(
        organization_reference=ORGANIZATION,
        job_reference=JOB,
        job_stage_id=NEW_STAGE,
        email="ada@example.com",
        firstname="Ada",
        lastname="Lovelace",
        **optional,
    )


def test_create_attach_list_download(api: httpx.Client, files: ScriptedServer, sleeps: list[float]) -> None:
    files.route("/cv.pdf", answer(200, PDF, {"Content-Type": "application/pdf"}))
    files.route("/notes.txt", answer(200, b"notes"))
    wttj = make(api, sleeps)
    candidate = new(wttj, tag_list="python")
    attached = wttj.attach_documents(
        candidate["reference"], [("cv", files.url("/cv.pdf")), ("notes", files.url("/notes.txt"))]
    )
    assert [(d["filename"], d["size"]) for d in attached] == [("cv", len(PDF)), ("notes", 5)]
    assert [d["id"] for d in wttj.documents(candidate["reference"], per_page=1)] == [20, 21]
    assert wttj.download(attached[0]) == PDF
    assert wttj.download(attached[1]["file_url"]) == b"notes"
    assert wttj.candidate(candidate["reference"], tags=True)["tags"] == ["python"]
    assert [c["reference"] for c in wttj.candidates(JOB, per_page=1)] == [SEEDED, candidate["reference"]]
    assert [c["reference"] for c in wttj.candidates(JOB, email="ada@example.com")] == [candidate["reference"]]
    assert sleeps == []


def test_errors_carry_the_envelope(api: httpx.Client, files: ScriptedServer, sleeps: list[float]) -> None:
    with pytest.raises(WttjError) as missing:
        make(api, sleeps).attach_documents(SEEDED, {"cv": files.url("/missing.pdf")})
    error = missing.value
    assert (error.status, error.error, error.code) == (400, "validation_failed", "validation_failed")
    assert error.error_description == (
        f"remote_file_urls[0][url] {files.url('/missing.pdf')} could not be downloaded: the server answered 404"
    )
    assert error.message == error.error_description and error.request_id
    with pytest.raises(WttjError) as forbidden:
        new(make(api, sleeps, READONLY))
    assert (forbidden.value.status, forbidden.value.error) == (403, "invalid_scope")
    with pytest.raises(WttjError) as unknown:
        make(api, sleeps).candidate("wttj-000000000000000000000000")
    assert (unknown.value.status, unknown.value.error, unknown.value.error_description) == (
        404,
        "not_found",
        "Candidate not found",
    )


def test_an_expired_download_is_a_storage_error(
    api: httpx.Client, app: Any, files: ScriptedServer, sleeps: list[float]
) -> None:
    files.route("/cv.pdf", answer(200, PDF))
    wttj = make(api, sleeps)
    [document] = wttj.attach_documents(SEEDED, {"cv": files.url("/cv.pdf")})
    app.platform.clock.advance(600)
    with pytest.raises(StorageError) as expired:
        wttj.download(document)
    assert (expired.value.status, expired.value.code, expired.value.message) == (
        403,
        "AccessDenied",
        "Request has expired",
    )


def test_reads_retry_a_5xx_and_writes_do_not(
    app: Any, api: httpx.Client, admin: AdminClient, sleeps: list[float]
) -> None:
    wttj = make(api, sleeps)
    admin.add_fault("wttj.server_error", operation="getCandidate", times=2)
    assert wttj.candidate(SEEDED)["reference"] == SEEDED
    assert len(sleeps) == 2
    admin.add_fault("wttj.unavailable", operation="createCandidate")
    with pytest.raises(WttjError) as unavailable:
        new(wttj)
    assert (unavailable.value.status, unavailable.value.error, len(sleeps)) == (503, "service_unavailable", 2)
    assert len(admin.requests(vendor="wttj", operation="createCandidate")) == 1


def scripted(*answers: httpx.Response | Exception) -> tuple[httpx.Client, list[httpx.Request]]:
    """An httpx client whose transport answers ``answers`` in turn, recording each request."""
    sent: list[httpx.Request] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.Client(transport=httpx.MockTransport(handle), base_url="https://wk.test/api/v1/external"), sent


def test_a_dropped_connection_is_retried_on_a_read_only(sleeps: list[float]) -> None:
    http, sent = scripted(httpx.ConnectError("reset"), httpx.Response(200, json=[]))
    assert list(make(http, sleeps).documents(SEEDED)) == []
    assert (len(sent), sent[1].url.params["candidate_reference"], len(sleeps)) == (2, SEEDED, 1)
    http, sent = scripted(httpx.ConnectError("reset"))
    with pytest.raises(TransportError):
        make(http, sleeps).attach_documents(SEEDED, {"cv": "http://files.test/cv.pdf"})
    assert len(sent) == 1


def test_a_read_whose_body_is_not_json_is_retried(sleeps: list[float]) -> None:
    http, sent = scripted(httpx.Response(200, content=b"<html>"), httpx.Response(200, json={"reference": SEEDED}))
    assert make(http, sleeps).candidate(SEEDED, stage=True) == {"reference": SEEDED}
    assert (len(sent), sent[0].url.params["stage"], sent[0].url.params["tags"]) == (2, "true", "false")


def test_an_error_without_the_envelope_keeps_the_text(sleeps: list[float]) -> None:
    http, sent = scripted(httpx.Response(502, text="Bad Gateway"), httpx.Response(502, text="Bad Gateway"))
    with pytest.raises(WttjError) as failed:
        make(http, sleeps).attach_documents(SEEDED, [])
    assert (failed.value.status, failed.value.error, failed.value.error_description) == (502, None, "Bad Gateway")
    assert (len(sent), sleeps) == (1, [])  # an attach is never retried, even on a 5xx


def test_an_attach_answered_500_is_sent_once(api: httpx.Client, admin: AdminClient, sleeps: list[float]) -> None:
    admin.add_fault("wttj.server_error", operation="attachDocuments")
    with pytest.raises(WttjError) as failed:
        make(api, sleeps).attach_documents(SEEDED, [])
    assert (failed.value.status, failed.value.error, sleeps) == (500, "internal_server_error", [])
    assert len(admin.requests(vendor="wttj", operation="attachDocuments")) == 1


def test_a_download_retries_a_5xx(sleeps: list[float]) -> None:
    http, sent = scripted(
        httpx.Response(503, text="<Error><Code>SlowDown</Code></Error>"), httpx.Response(200, content=PDF)
    )
    assert make(http, sleeps).download("https://s3.test/wttj-uploads/cv.pdf?X-Amz-Signature=x") == PDF
    assert (len(sent), len(sleeps)) == (2, 1)


def test_a_reference_is_one_path_segment(sleeps: list[float]) -> None:
    """A reference holding ``/``, ``..`` or ``?`` must not reach another endpoint (it read ``/documents``)."""
    http, sent = scripted(httpx.Response(404, json={"error": "not_found", "error_description": "Candidate not found"}))
    with pytest.raises(WttjError):
        make(http, sleeps).candidate("../../documents?candidate_reference=x")
    assert (
        sent[0].url.raw_path
        == b"/api/v1/external/candidates/..%2F..%2Fdocuments%3Fcandidate_reference%3Dx?stage=false&tags=false"
    )


def test_the_client_sends_the_bearer_token_and_json(sleeps: list[float]) -> None:
    http, sent = scripted(httpx.Response(201, json=[]))
    assert make(http, sleeps).attach_documents(SEEDED, {"cv": "http://files.test/cv.pdf"}) == []
    [request] = sent
    assert (request.method, request.url.path, request.headers["authorization"]) == (
        "POST",
        "/api/v1/external/documents",
        f"Bearer {TOKEN}",
    )
    assert request.read() == (
        b'{"candidate_reference":"wttj-d655345409a6097309156b05",'
        b'"remote_file_urls":[{"filename":"cv","url":"http://files.test/cv.pdf"}]}'
    )


@pytest.mark.live
def test_the_flow_over_a_socket(live: Any, files: ScriptedServer, sleeps: list[float]) -> None:
    files.route("/cv.pdf", answer(200, PDF, {"Content-Type": "application/pdf"}))
    with httpx.Client(base_url=f"{live.url}/wttj/api/v1/external", timeout=10) as http:
        wttj = make(http, sleeps)
        candidate = new(wttj)
        [document] = wttj.attach_documents(candidate["reference"], {"cv": files.url("/cv.pdf")})
        assert document["file_url"].startswith(f"{live.url}/s3/")
        assert wttj.download(document) == PDF
