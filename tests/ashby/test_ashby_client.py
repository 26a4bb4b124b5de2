"""The Ashby reference client: retry rules against MockTransport, the full flow against a live server."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from ashby_support import JOB_BOARD, KEY, PDF, job_board_settings

from client._http import RetryPolicy
from client.ashby import AshbyClient, AshbyError, FilePart, UploadTarget
from client.errors import ApiError, StorageError, TransportError
from mockservers.ashby.postings import COVER_LETTER_PATH, SOFTWARE_ENGINEER
from mockservers.testing import AdminClient, running

Handler = Callable[[httpx.Request], httpx.Response]


def ok(results: Any, **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"success": True, "results": results, **extra})


def failure(status: int, code: str, message: str = "no", request_id: str = "01ABC") -> httpx.Response:
    info = {"code": code, "message": message, "requestId": request_id}
    return httpx.Response(status, json={"success": False, "errors": [code], "errorInfo": info})


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


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make(script: Script, sleeps: list[float]) -> AshbyClient:
    http = httpx.Client(transport=httpx.MockTransport(script), base_url="https://api.ashbyhq.com")
    return AshbyClient(http, "key-1", policy=RetryPolicy(sleep=sleeps.append))


# -- the wire format -------------------------------------------------------------------------------


def test_requests_are_basic_auth_json_posts(sleeps: list[float]) -> None:
    script = Script(ok({"id": "c1"}))
    make(script, sleeps).candidate("c1")
    (request,) = script.requests
    assert (request.method, str(request.url)) == ("POST", "https://api.ashbyhq.com/candidate.info")
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"key-1:").decode()
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"id": "c1"}


def test_errors_carry_error_info(sleeps: list[float]) -> None:
    client = make(Script(failure(200, "candidate_not_found", "No candidate", "01XYZ")), sleeps)
    with pytest.raises(AshbyError) as exc:
        client.candidate("c1")
    error = exc.value
    assert (error.status, error.code, error.message, error.request_id) == (
        200,
        "candidate_not_found",
        "No candidate",
        "01XYZ",
    )
    assert error.error_info == {"code": "candidate_not_found", "message": "No candidate", "requestId": "01XYZ"}
    assert error.errors == ["candidate_not_found"]
    assert isinstance(error, ApiError)
    assert sleeps == []


def test_auth_errors_are_not_retried(sleeps: list[float]) -> None:
    script = Script(failure(403, "missing_endpoint_permission"))
    with pytest.raises(AshbyError) as exc:
        make(script, sleeps).candidate("c1")
    assert (exc.value.status, exc.value.code, len(script.requests)) == (403, "missing_endpoint_permission", 1)


# -- retries ---------------------------------------------------------------------------------------


def test_reads_retry_429_honouring_retry_after(sleeps: list[float]) -> None:
    limited = failure(429, "rate_limit_exceeded")
    limited.headers["Retry-After"] = "3"
    script = Script(limited, limited, ok({"id": "c1"}))
    assert make(script, sleeps).candidate("c1") == {"id": "c1"}
    assert sleeps == [3.0, 3.0]


@pytest.mark.parametrize("method", ["candidate", "create_candidate"])
def test_a_429_asking_for_longer_than_max_delay_is_raised_at_once(sleeps: list[float], method: str) -> None:
    limited = failure(429, "rate_limit_exceeded", "Rate limit exceeded", "01RL")
    limited.headers["Retry-After"] = "3600"
    script = Script(limited)
    with pytest.raises(AshbyError) as exc:
        getattr(make(script, sleeps), method)("c1")
    assert (exc.value.status, exc.value.code, len(script.requests), sleeps) == (429, "rate_limit_exceeded", 1, [])


def test_a_503_asking_for_longer_than_max_delay_is_not_retried(sleeps: list[float]) -> None:
    down = failure(503, "service_unavailable", "Maintenance", "01MT")
    down.headers["Retry-After"] = "600"
    script = Script(down)
    with pytest.raises(AshbyError) as exc:
        make(script, sleeps).candidate("c1")
    assert (exc.value.status, exc.value.code, len(script.requests), sleeps) == (503, "service_unavailable", 1, [])


def test_reads_retry_5xx_until_the_budget_ends(sleeps: list[float]) -> None:
    script = Script(*(failure(500, "internal_server_error") for _ in range(4)))
    with pytest.raises(AshbyError) as exc:
        make(script, sleeps).candidate("c1")
    assert (exc.value.status, len(script.requests), len(sleeps)) == (500, 4, 3)


def test_reads_retry_dropped_connections_and_unreadable_bodies(sleeps: list[float]) -> None:
    garbage = httpx.Response(200, content=b'{"malformed": tru', headers={"Content-Type": "application/json"})
    script = Script(httpx.ConnectError("reset"), garbage, ok({"id": "c1"}))
    assert make(script, sleeps).candidate("c1") == {"id": "c1"}
    assert len(script.requests) == 3 and len(sleeps) == 2


def test_unreadable_bodies_end_in_transport_error(sleeps: list[float]) -> None:
    garbage = httpx.Response(200, content=b"<html>", headers={"X-Request-Id": "r-9"})
    with pytest.raises(TransportError, match="r-9"):
        make(Script(*(garbage for _ in range(4))), sleeps).candidate("c1")


def test_creating_calls_retry_only_429(sleeps: list[float]) -> None:
    script = Script(failure(429, "rate_limit_exceeded"), ok({"id": "c1"}))
    assert make(script, sleeps).create_candidate("Ada") == {"id": "c1"}
    assert len(script.requests) == 2
    for answer in (failure(500, "internal_server_error"), httpx.ConnectError("reset")):
        script = Script(answer)
        with pytest.raises((AshbyError, TransportError)):
            make(script, sleeps).create_candidate("Ada")
        assert len(script.requests) == 1


def test_creating_calls_do_not_retry_unreadable_bodies(sleeps: list[float]) -> None:
    script = Script(httpx.Response(200, content=b"nope"))
    with pytest.raises(TransportError):
        make(script, sleeps).create_candidate("Ada")
    assert len(script.requests) == 1


def test_list_follows_cursors(sleeps: list[float]) -> None:
    script = Script(
        ok([{"id": "a"}], moreDataAvailable=True, nextCursor="n1"),
        ok([{"id": "b"}], moreDataAvailable=False, syncToken="s"),
    )
    assert [c["id"] for c in make(script, sleeps).candidates(limit=1)] == ["a", "b"]
    assert [json.loads(r.content) for r in script.requests] == [{"limit": 1}, {"limit": 1, "cursor": "n1"}]


# -- the storage upload ----------------------------------------------------------------------------


def parts_of(request: httpx.Request) -> list[tuple[str, bytes]]:
    """(name, body) of each multipart part, in the order sent."""
    boundary = request.headers["content-type"].split("boundary=", 1)[1].encode()
    chunks = request.content.split(b"--" + boundary)[1:-1]
    out = []
    for chunk in chunks:
        head, _, body = chunk.partition(b"\r\n\r\n")
        name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
        out.append((name, body[:-2]))
    return out


def test_upload_sends_every_field_then_the_file_last(sleeps: list[float]) -> None:
    script = Script(httpx.Response(204))
    client = make(script, sleeps)
    target = UploadTarget(
        "h", "https://s3.example/bucket", {"key": "k", "Content-Type": "application/pdf", "policy": "p"}
    )
    client.upload(target, PDF, "cv.pdf", "application/pdf")
    (request,) = script.requests
    assert str(request.url) == "https://s3.example/bucket"
    assert "authorization" not in request.headers
    assert parts_of(request) == [("key", b"k"), ("Content-Type", b"application/pdf"), ("policy", b"p"), ("file", PDF)]


def test_storage_refusals_are_storage_errors(sleeps: list[float]) -> None:
    xml = b"<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>"
    script = Script(httpx.Response(403, content=xml, headers={"x-amz-request-id": "amz-1"}))
    with pytest.raises(StorageError) as exc:
        make(script, sleeps).upload(UploadTarget("h", "https://s3.example/b", {}), PDF, "cv.pdf", "application/pdf")
    error = exc.value
    assert (error.status, error.code, error.message, error.request_id) == (
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
        "amz-1",
    )


def test_storage_upload_retries_503(sleeps: list[float]) -> None:
    script = Script(httpx.Response(503, content=b"<Error><Code>SlowDown</Code></Error>"), httpx.Response(204))
    make(script, sleeps).upload(UploadTarget("h", "https://s3.example/b", {}), PDF, "cv.pdf", "application/pdf")
    assert len(script.requests) == 2


# -- the full flow against a live server ----------------------------------------------------------------


@pytest.fixture
def live_ashby(live: Any) -> Iterator[AshbyClient]:
    with httpx.Client(base_url=f"{live.url}/ashby", timeout=10) as http:
        yield AshbyClient(http, KEY, policy=RetryPolicy(sleep=lambda s: None))


@pytest.mark.live
def test_handle_flow_end_to_end(live_ashby: AshbyClient) -> None:
    candidate = live_ashby.create_candidate("Ada Lovelace", email="ada@example.com")
    live_ashby.upload_resume(candidate["id"], PDF, "Ada résumé.pdf", "application/pdf")
    updated = live_ashby.upload_file(candidate["id"], b"cover letter", "cover.txt", "text/plain")
    assert updated["resumeFileHandle"]["name"] == "Ada résumé.pdf"
    assert [f["name"] for f in updated["fileHandles"]] == ["Ada résumé.pdf", "cover.txt"]
    assert live_ashby.download(updated["resumeFileHandle"]["handle"]) == PDF
    assert live_ashby.download(updated["fileHandles"][1]["handle"]) == b"cover letter"
    assert live_ashby.candidate(candidate["id"]) == updated
    assert [c["id"] for c in live_ashby.candidates(limit=1)] == [candidate["id"]]


@pytest.mark.live
def test_deprecated_multipart_forms_end_to_end(live_ashby: AshbyClient) -> None:
    candidate = live_ashby.create_candidate("Grace Hopper")
    live_ashby.upload_resume_multipart(candidate["id"], FilePart("cv.pdf", PDF, "application/pdf"))
    updated = live_ashby.upload_file_multipart(candidate["id"], FilePart("a.bin", b"\x00\x01"))
    assert live_ashby.download(updated["resumeFileHandle"]["handle"]) == PDF
    assert live_ashby.download(updated["fileHandles"][1]["handle"]) == b"\x00\x01"


@pytest.fixture
def job_board() -> Iterator[AshbyClient]:
    """A live server whose client holds a job-board key (jobsRead + candidatesWrite), as careers pages do."""
    with running(job_board_settings()) as server, httpx.Client(base_url=f"{server.url}/ashby", timeout=10) as http:
        yield AshbyClient(http, JOB_BOARD, policy=RetryPolicy(sleep=lambda s: None))


@pytest.mark.live
def test_application_end_to_end(job_board: AshbyClient) -> None:
    live_ashby = job_board
    postings = live_ashby.job_postings(listed_only=True)
    assert [p["id"] for p in postings] == [SOFTWARE_ENGINEER]
    form = live_ashby.job_posting(SOFTWARE_ENGINEER)["applicationFormDefinition"]
    assert form["sections"][0]["fields"][3]["field"]["path"] == "_systemfield_resume"
    values = {"_systemfield_name": "Ada Lovelace", "_systemfield_email": "ada@example.com"}
    results = live_ashby.submit_application(
        SOFTWARE_ENGINEER,
        values,
        {
            "_systemfield_resume": FilePart("cv.pdf", PDF, "application/pdf"),
            COVER_LETTER_PATH: FilePart("c.txt", b"hi"),
        },
    )
    assert results["formMessages"] == {"blocked": False}
    live_ashby.submit_application_multipart(
        SOFTWARE_ENGINEER, values, {"_systemfield_resume": FilePart("v2.pdf", b"v2")}
    )
    (candidate,) = live_ashby.candidates()
    assert len(candidate["applicationIds"]) == 2
    assert live_ashby.download(candidate["resumeFileHandle"]["handle"]) == b"v2"
    with pytest.raises(AshbyError) as exc:
        live_ashby.submit_application(
            SOFTWARE_ENGINEER,
            {**values, "_systemfield_email": "testing-fail-validation@example.com"},
            {"_systemfield_resume": FilePart("cv.pdf", PDF)},
        )
    assert (exc.value.status, exc.value.code) == (200, "invalid_input")


@pytest.mark.live
def test_errors_and_faults_over_the_wire(live: Any, live_ashby: AshbyClient) -> None:
    with httpx.Client(base_url=live.url) as root:
        admin = AdminClient(root)
        with pytest.raises(AshbyError) as exc:
            live_ashby.candidate("f9e52a51-a075-4116-a7b8-484deba69004")
        (entry,) = admin.requests(vendor="ashby", operation="candidateInfo")
        assert (exc.value.code, exc.value.request_id) == ("candidate_not_found", entry["id"])

        admin.add_fault("ashby.rate_limited", operation="candidateCreate", times=2)
        assert live_ashby.create_candidate("Retried")["name"] == "Retried"

        admin.add_fault("ashby.upload_url_expired", operation="fileCreateFileUploadHandle")
        with pytest.raises(ApiError) as storage:
            live_ashby.upload_file_handle("CandidateResume", PDF, "cv.pdf", "application/pdf")
        assert (storage.value.status, storage.value.code, storage.value.message) == (
            403,
            "AccessDenied",
            "Invalid according to Policy: Policy expired.",
        )

        live_ashby_readonly = AshbyClient(live_ashby.http, "atsmock-ashby-readonly")
        with pytest.raises(AshbyError) as denied:
            live_ashby_readonly.create_candidate("Nope")
        assert (denied.value.status, denied.value.code) == (403, "missing_endpoint_permission")
