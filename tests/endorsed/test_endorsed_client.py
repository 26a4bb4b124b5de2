"""The reference client (client/endorsed.py): against the in-process mock, over a socket, and against
``httpx.MockTransport`` for the retry and refresh rules."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from endorsed_support import PDF, RO, RW

from client._http import RetryPolicy
from client.endorsed import EndorsedClient, EndorsedError, StorageError, remote
from mockservers.testing import AdminClient, in_process_client
from tests.core.fetch_support import ScriptedServer, answer


@pytest.fixture
def http(app: Any) -> Iterator[httpx.Client]:
    with in_process_client(app, base_url="http://testserver/endorsed") as c:
        yield c


def make(http: httpx.Client, app: Any, client: Any = RW, **kwargs: Any) -> EndorsedClient:
    return EndorsedClient(http, client.client_id, client.client_secret, clock=app.platform.clock.now, **kwargs)


def token_requests(admin: AdminClient) -> int:
    return len(admin.requests(vendor="endorsed", operation="createAccessToken"))


def test_the_whole_flow(http: httpx.Client, app: Any, tmp_path: Path, files: ScriptedServer) -> None:
    endorsed = make(http, app)
    candidate = endorsed.create_candidate(first_name="Ada", remote_id="c-1", title="Engineer")
    assert endorsed.candidate(remote("c-1"))["title"] == "Engineer"
    path = tmp_path / "Ada CV.pdf"
    path.write_bytes(PDF)
    from_path = endorsed.upload(path, remote_id="cv/1", type="resume", candidate_id=candidate)
    assert endorsed.attachment(remote("cv/1"))["file_name"] == "Ada CV.pdf"
    assert endorsed.download(from_path) == PDF
    files.route("/about.txt", answer(200, b"about me", {"Content-Type": "text/plain"}))
    from_url = endorsed.upload_from_url(files.url("/about.txt"), remote_id="about-1", type="about")
    assert endorsed.download(remote("about-1")) == b"about me" and from_url != from_path
    assert endorsed.upsert("new", b"v1", type="resume", file_name="v1.pdf") == (
        endorsed.attachment(remote("new"))["id"],
        True,
    )
    replaced, created = endorsed.upsert("new", public_file_url=files.url("/about.txt"), type="about")
    assert (created, endorsed.download(replaced)) == (False, b"about me")
    assert endorsed.update_candidate(candidate, first_name="Ada", remote_id="c-2") == candidate
    assert endorsed.delete_attachment(from_path) == from_path
    with pytest.raises(EndorsedError) as exc:
        endorsed.attachment(from_path)
    assert (exc.value.status, exc.value.code, exc.value.message) == (
        404,
        "NOT_FOUND",
        "This resource entity does not exist.",
    )


def test_errors_carry_the_code_and_issues(http: httpx.Client, app: Any) -> None:
    endorsed = make(http, app)
    with pytest.raises(EndorsedError) as exc:
        endorsed.create_candidate(first_name="", remote_id="r", phone_numbers=[{"value": "1", "type": "pager"}])
    error = exc.value
    assert (error.status, error.code) == (400, "BAD_REQUEST")
    assert error.fields == {
        "first_name": ["String must contain at least 1 character(s)"],
        "phone_numbers.0.type": ["Invalid enum value. Expected 'home' | 'work' | 'mobile' | 'other', received 'pager'"],
    }
    assert error.issues[0] == {"message": "String must contain at least 1 character(s)", "path": ["first_name"]}
    assert error.request_id == app.platform.journal.newest_first().__next__().id


def test_one_token_until_shortly_before_it_expires(http: httpx.Client, app: Any, admin: AdminClient) -> None:
    app.platform.clock.freeze()
    endorsed = make(http, app)
    for remote_id in ("a", "b", "c"):
        endorsed.create_candidate(first_name="A", remote_id=remote_id)
    assert token_requests(admin) == 1
    app.platform.clock.advance(1_209_600 - 61)
    endorsed.candidate(remote("a"))
    assert token_requests(admin) == 1
    app.platform.clock.advance(1)
    endorsed.candidate(remote("a"))
    assert token_requests(admin) == 2
    assert endorsed.auth.granted == ["all:read", "all:write"]


def test_a_revoked_token_is_replaced_once(http: httpx.Client, app: Any, admin: AdminClient) -> None:
    endorsed = make(http, app)
    attachment = endorsed.upload(PDF, remote_id="r", type="resume", file_name="cv.pdf")
    app.platform.tokens.forget("endorsed")
    assert endorsed.attachment(attachment)["remote_id"] == "r"
    assert token_requests(admin) == 2
    entries = admin.requests(vendor="endorsed", operation="getAttachment")
    assert [e["response"]["status"] for e in entries] == [200, 401]


def test_a_read_only_client_is_forbidden_to_write(http: httpx.Client, app: Any) -> None:
    endorsed = make(http, app, RO, scopes=["all:read"])
    with pytest.raises(EndorsedError) as exc:
        endorsed.upload(PDF, remote_id="r", type="resume", file_name="cv.pdf")
    assert (exc.value.status, exc.value.code, exc.value.message) == (
        403,
        "FORBIDDEN",
        "Access to this resource is not authorized.",
    )


def test_wrong_credentials_are_an_error_from_the_token_endpoint(http: httpx.Client, app: Any) -> None:
    endorsed = EndorsedClient(http, RW.client_id, "wrong", policy=RetryPolicy(sleep=lambda s: None))
    with pytest.raises(EndorsedError) as exc:
        endorsed.candidate(remote("x"))
    assert (exc.value.status, exc.value.code, exc.value.message) == (
        401,
        "UNAUTHENTICATED",
        "Invalid client credentials.",
    )


# -- retry rules against a scripted transport ------------------------------------------------------------------


TOKEN = {
    "is_error": False,
    "access_token": "a.b.c",
    "token_type": "Bearer",
    "expires_in": "1209600",
    "scope": ["all:read"],
}


def scripted(answers: dict[str, list[httpx.Response]]) -> tuple[httpx.Client, list[str]]:
    """A client whose ``METHOD path`` requests get the next scripted answer; the log of what was sent."""
    sent: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        key = f"{request.method} {request.url.path}"
        sent.append(key if "authorization" not in request.headers else f"{key} [{request.headers['authorization']}]")
        return answers[key].pop(0)

    return httpx.Client(transport=httpx.MockTransport(handle), base_url="https://endorsed.test"), sent


def ok(result: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"is_error": False, "result": result})


def no_wait() -> RetryPolicy:
    return RetryPolicy(sleep=lambda seconds: None)


def client_for(http: httpx.Client, clock: Callable[[], float] = lambda: 0.0) -> EndorsedClient:
    return EndorsedClient(http, RW.client_id, RW.client_secret, policy=no_wait(), clock=clock)


def test_reads_retry_5xx_and_creates_only_429() -> None:
    http, sent = scripted(
        {
            "POST /api/v1/auth/tokens": [httpx.Response(500), httpx.Response(200, json=TOKEN)],
            "GET /api/v1/attachments/remote.x": [httpx.Response(503), ok({"id": "1"})],
            "POST /api/v1/candidates": [
                httpx.Response(429, headers={"Retry-After": "0"}),
                httpx.Response(500, json={"is_error": True, "error": {"code": "INTERNAL_SERVER_ERROR", "issues": []}}),
            ],
        }
    )
    endorsed = client_for(http)
    assert endorsed.attachment(remote("x")) == {"id": "1"}
    with pytest.raises(EndorsedError) as exc:
        endorsed.create_candidate(first_name="A", remote_id="r")
    assert (exc.value.status, exc.value.code) == (500, "INTERNAL_SERVER_ERROR")
    assert sent == [
        "POST /api/v1/auth/tokens",
        "POST /api/v1/auth/tokens",
        "GET /api/v1/attachments/remote.x [Bearer a.b.c]",
        "GET /api/v1/attachments/remote.x [Bearer a.b.c]",
        "POST /api/v1/candidates [Bearer a.b.c]",
        "POST /api/v1/candidates [Bearer a.b.c]",
    ]


def test_the_token_form_is_what_endorsed_documents() -> None:
    seen: list[bytes] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/tokens"):
            seen.append(request.content)
            assert request.headers["content-type"] == "application/x-www-form-urlencoded"
            return httpx.Response(200, json=TOKEN)
        return ok({"id": "1"})

    with httpx.Client(transport=httpx.MockTransport(handle), base_url="https://endorsed.test") as http:
        client_for(http).candidate("x")
    assert [dict(httpx.QueryParams(body.decode())) for body in seen] == [
        {
            "grant_type": "client_credentials",
            "client_id": RW.client_id,
            "client_secret": RW.client_secret,
            "scope": "all:read all:write",
        }
    ]


def test_an_expired_download_link_is_fetched_afresh_once() -> None:
    http, sent = scripted(
        {
            "POST /api/v1/auth/tokens": [httpx.Response(200, json=TOKEN)],
            "GET /api/v1/attachments/a": [
                ok({"ephemeral_url": "https://s3.test/b/k1"}),
                ok({"ephemeral_url": "https://s3.test/b/k2"}),
            ],
            "GET /b/k1": [
                httpx.Response(
                    403, content=b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
                )
            ],
            "GET /b/k2": [httpx.Response(200, content=b"bytes")],
        }
    )
    assert client_for(http).download("a") == b"bytes"
    assert [s.split(" [")[0] for s in sent][-2:] == ["GET /api/v1/attachments/a", "GET /b/k2"]


def test_a_missing_object_is_a_storage_error() -> None:
    missing = b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"
    http, _ = scripted(
        {
            "POST /api/v1/auth/tokens": [httpx.Response(200, json=TOKEN)],
            "GET /api/v1/attachments/a": [ok({"ephemeral_url": "https://s3.test/b/k"})],
            "GET /b/k": [httpx.Response(404, content=missing)],
        }
    )
    with pytest.raises(StorageError) as exc:
        client_for(http).download("a")
    assert (exc.value.status, exc.value.code) == (404, "NoSuchKey")


def test_an_answer_that_is_not_the_envelope_is_still_an_endorsed_error() -> None:
    http, _ = scripted(
        {
            "POST /api/v1/auth/tokens": [httpx.Response(200, json=TOKEN)],
            "DELETE /api/v1/attachments/a": [httpx.Response(404, text="Not Found")],
        }
    )
    with pytest.raises(EndorsedError) as exc:
        client_for(http).delete_attachment("a")
    assert (exc.value.status, exc.value.code, exc.value.issues) == (404, None, [{"message": "Not Found"}])


def test_the_remote_helper_encodes_the_id() -> None:
    assert remote("greenhouse/cv 1?") == "remote.greenhouse%2Fcv%201%3F"
    assert json.dumps(remote("ü")) == '"remote.%C3%BC"'


def test_over_a_socket(live: Any, tmp_path: Path) -> None:
    with httpx.Client(base_url=f"{live.url}/endorsed", timeout=10) as http:
        endorsed = EndorsedClient(http, RW.client_id, RW.client_secret)
        attachment = endorsed.upload(PDF, remote_id="wire", type="resume", file_name="cv.pdf")
        assert endorsed.download(remote("wire")) == PDF
        assert endorsed.upsert("wire", b"v2", type="resume", file_name="cv.pdf") == (attachment, False)
        assert endorsed.download(attachment) == b"v2"
