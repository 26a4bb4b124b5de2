"""The PageUp reference client's own rules, against ``httpx.MockTransport``: tokens, retries, errors, logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from client._http import RetryPolicy
from client.errors import TransportError
from client.pageup import PageUpClient, PageUpError, StorageError

DISPOSITION = "attachment;filename=\"a.txt\"; filename*=utf-8''a.txt"
PREPARED: dict[str, Any] = {
    "url": "https://s3.test/pageup-storage-temp-au/218/Document/abc.txt?X-Amz-Signature=s",
    "contentType": "text/plain",
    "physicalFile": "abc.txt",
    "headers": {
        "Content-Disposition": DISPOSITION,
        "x-amz-server-side-encryption": "AES256",
        "x-amz-acl": "bucket-owner-full-control",
    },
    "method": "PUT",
    "fallbackUrl": None,
}
DOC = {"id": "8621", "title": "a.txt", "fileName": "a.txt", "physicalFile": "def.txt"}


class FakePageUp:
    """A scripted PageUp: ``script[path]`` is a list of responses served in order (the last repeats)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []
        self.tokens = 0
        self.script: dict[str, list[httpx.Response | Callable[[httpx.Request], httpx.Response]]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(request.read())
        path = request.url.path
        key = "PUT" if request.method == "PUT" else path.rsplit("/", 1)[-1]
        if path.endswith("/connect/token") and "token" not in self.script:
            self.tokens += 1
            return httpx.Response(200, json={"access_token": f"t{self.tokens}", "expires_in": 300})
        queue = self.script.get(key)
        if not queue:
            raise AssertionError(f"unscripted {request.method} {request.url}")
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        return item(request) if callable(item) else item

    def calls(self, suffix: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith(suffix)]


def error(status: int, *items: dict[str, str], **headers: str) -> httpx.Response:
    return httpx.Response(status, json=list(items), headers={"X-Request-Id": f"rid-{status}", **headers})


@pytest.fixture
def fake() -> FakePageUp:
    return FakePageUp()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def now() -> list[float]:
    return [1000.0]


@pytest.fixture
def pageup(fake: FakePageUp, sleeps: list[float], now: list[float]) -> PageUpClient:
    http = httpx.Client(transport=httpx.MockTransport(fake), base_url="https://api.test")
    policy = RetryPolicy(attempts=3, base_delay=0.1, max_delay=5, sleep=sleeps.append)
    return PageUpClient(http, "cid", "secret", tenant="218", policy=policy, clock=lambda: now[0])


# -- tokens ------------------------------------------------------------------------------------------


def test_token_request_is_client_credentials_with_both_scopes(pageup: PageUpClient, fake: FakePageUp) -> None:
    assert pageup.token() == "t1"
    request = fake.requests[0]
    assert (request.method, str(request.url)) == ("POST", "https://api.test/connect/token")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(fake.bodies[0].decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["cid"],
        "client_secret": ["secret"],
        "scope": ["Public.Document.Read Public.Document.Write"],
    }


def test_token_is_cached_and_refreshed_before_expiry(pageup: PageUpClient, fake: FakePageUp, now: list[float]) -> None:
    assert pageup.token() == "t1"
    now[0] += 269
    assert pageup.token() == "t1"
    now[0] += 1  # 30 s before the 300 s expiry
    assert pageup.token() == "t2"
    assert fake.tokens == 2


def test_api_401_refreshes_the_token_once(pageup: PageUpClient, fake: FakePageUp) -> None:
    fake.script["8621"] = [error(401, {"message": "Your API key is invalid or expired"}), httpx.Response(200, json=DOC)]
    assert pageup.document(8621) == DOC
    assert [r.headers["authorization"] for r in fake.calls("/8621")] == ["Bearer t1", "Bearer t2"]


def test_a_second_401_is_raised(pageup: PageUpClient, fake: FakePageUp) -> None:
    challenge = 'Bearer error="invalid_token", error_description="The signature is invalid"'
    fake.script["8621"] = [
        error(401, {"message": "Your API key is invalid or expired"}, **{"WWW-Authenticate": challenge})
    ]
    with pytest.raises(PageUpError) as exc:
        pageup.document(8621)
    assert (exc.value.status, exc.value.code, exc.value.message) == (
        401,
        "invalid_token",
        "Your API key is invalid or expired",
    )
    assert fake.tokens == 2 and len(fake.calls("/8621")) == 2


def test_token_errors_carry_the_oauth_error(pageup: PageUpClient, fake: FakePageUp) -> None:
    fake.script["token"] = [
        httpx.Response(
            400, json={"error": "invalid_client", "error_description": "The client credentials are invalid."}
        )
    ]
    with pytest.raises(PageUpError) as exc:
        pageup.token()
    assert (exc.value.status, exc.value.code, exc.value.message) == (
        400,
        "invalid_client",
        "The client credentials are invalid.",
    )
    assert exc.value.errors == [{"message": "The client credentials are invalid."}]


def test_token_request_retries_server_errors(pageup: PageUpClient, fake: FakePageUp, sleeps: list[float]) -> None:
    ok = httpx.Response(200, json={"access_token": "tok", "expires_in": 300})
    fake.script["token"] = [httpx.Response(500, json={"error": "server_error"}), ok]
    assert pageup.token() == "tok"
    assert len(sleeps) == 1


# -- errors ------------------------------------------------------------------------------------------


def test_field_errors_are_kept(pageup: PageUpClient, fake: FakePageUp) -> None:
    fake.script["moveFromTemp"] = [
        error(
            400,
            {"message": "The request is invalid."},
            {"field": "documentCategoryName", "message": "m1"},
            {"field": "documentCategoryId", "message": "m2"},
        )
    ]
    with pytest.raises(PageUpError) as exc:
        pageup.move_from_temp("abc.txt", title="t", file_name="a.txt")
    assert exc.value.message == "The request is invalid."
    assert exc.value.fields == {"documentCategoryName": ["m1"], "documentCategoryId": ["m2"]}
    assert exc.value.request_id == "rid-400"
    assert str(exc.value) == "400 : The request is invalid."


def test_failed_requests_are_logged_with_their_request_id(
    pageup: PageUpClient, fake: FakePageUp, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script["8621"] = [error(404, {"message": "The resource does not exist."})]
    with caplog.at_level(logging.WARNING, logger="atsmock.client"), pytest.raises(PageUpError):
        pageup.document(8621)
    assert [r.getMessage() for r in caplog.records] == [
        "GET https://api.test/v3/218/recruitment/document/8621 answered 404 (X-Request-Id rid-404, attempt 1): "
        '[{"message":"The resource does not exist."}]'
    ]


# -- retries -----------------------------------------------------------------------------------------


def test_reads_retry_5xx_and_honour_retry_after(pageup: PageUpClient, fake: FakePageUp, sleeps: list[float]) -> None:
    fake.script["8621"] = [
        error(503, {"message": "An error occurred with the API."}, **{"Retry-After": "2"}),
        error(500, {"message": "An error occurred with the API."}, **{"Retry-After": "1"}),
        httpx.Response(200, json=DOC),
    ]
    assert pageup.document(8621) == DOC
    assert sleeps == [2.0, 1.0]


def test_a_429_until_midnight_is_raised_at_once(pageup: PageUpClient, fake: FakePageUp, sleeps: list[float]) -> None:
    fake.script["8621"] = [error(429, {"message": "The daily rate limit has been exceeded"}, **{"Retry-After": "3600"})]
    with pytest.raises(PageUpError) as exc:
        pageup.document(8621)
    assert (exc.value.status, exc.value.retry_after, exc.value.message) == (
        429,
        3600.0,
        "The daily rate limit has been exceeded",
    )
    assert sleeps == [] and len(fake.calls("/8621")) == 1


def test_a_short_429_is_retried_even_on_move(pageup: PageUpClient, fake: FakePageUp, sleeps: list[float]) -> None:
    fake.script["moveFromTemp"] = [
        error(429, {"message": "The daily rate limit has been exceeded"}, **{"Retry-After": "3"}),
        httpx.Response(200, json=DOC),
    ]
    assert pageup.move_from_temp("abc.txt", title="t", file_name="a.txt", document_category_id=7) == DOC
    assert sleeps == [3.0]


def test_move_is_not_retried_on_5xx(pageup: PageUpClient, fake: FakePageUp, sleeps: list[float]) -> None:
    fake.script["moveFromTemp"] = [error(500, {"message": "An error occurred with the API."})]
    with pytest.raises(PageUpError) as exc:
        pageup.move_from_temp("abc.txt", title="t", file_name="a.txt", document_category_id=7)
    assert exc.value.status == 500 and sleeps == [] and len(fake.calls("/moveFromTemp")) == 1


def test_move_is_not_retried_when_the_connection_drops(pageup: PageUpClient, fake: FakePageUp) -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    fake.script["moveFromTemp"] = [drop]
    with pytest.raises(TransportError):
        pageup.move_from_temp("abc.txt", title="t", file_name="a.txt", document_category_id=7)
    assert len(fake.calls("/moveFromTemp")) == 1


def malformed() -> httpx.Response:
    return httpx.Response(200, content=b'{"malformed": tru', headers={"X-Request-Id": "rid-bad"})


def test_reads_retry_a_body_that_is_not_json(
    pageup: PageUpClient, fake: FakePageUp, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script["8621"] = [malformed(), httpx.Response(200, json=DOC)]
    with caplog.at_level(logging.WARNING, logger="atsmock.client"):
        assert pageup.document(8621) == DOC
    assert [r.getMessage() for r in caplog.records] == [
        "GET https://api.test/v3/218/recruitment/document/8621 answered 200 with a body that is not JSON "
        '(X-Request-Id rid-bad, attempt 1): {"malformed": tru'
    ]


def test_reads_retry_a_bare_json_null(pageup: PageUpClient, fake: FakePageUp) -> None:
    fake.script["8621"] = [httpx.Response(200, content=b"null"), httpx.Response(200, json=DOC)]
    assert pageup.document(8621) == DOC
    assert len(fake.calls("/8621")) == 2


def test_move_raises_on_a_body_that_is_not_json(
    pageup: PageUpClient, fake: FakePageUp, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script["moveFromTemp"] = [malformed()]
    with caplog.at_level(logging.WARNING, logger="atsmock.client"), pytest.raises(TransportError):
        pageup.move_from_temp("abc.txt", title="t", file_name="a.txt", document_category_id=7)
    assert len(fake.calls("/moveFromTemp")) == 1
    assert [r.getMessage() for r in caplog.records] == [
        "POST https://api.test/v3/218/recruitment/document/moveFromTemp answered 200 with a body that is not JSON "
        '(X-Request-Id rid-bad, attempt 1): {"malformed": tru'
    ]


# -- upload ------------------------------------------------------------------------------------------


def move_echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"echo": json.loads(request.content)})


@pytest.mark.parametrize("kind", ["bytes", "path", "file", "chunks"])
def test_upload_sends_every_step(pageup: PageUpClient, fake: FakePageUp, tmp_path: Path, kind: str) -> None:
    data = b"0123456789" * 50_000
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    source: Any = {"bytes": data, "path": path, "file": io.BytesIO(data), "chunks": iter([data[:7], data[7:]])}[kind]
    fake.script["prepareTempDirectUpload"] = [httpx.Response(200, json=PREPARED)]
    fake.script["PUT"] = [httpx.Response(503), httpx.Response(200)]
    fake.script["moveFromTemp"] = [move_echo]
    answer = pageup.upload(
        source, filename=None if kind == "path" else "a.txt", document_category_id=7, applicant_id=26459460
    )
    assert answer == {
        "echo": {
            "title": "a.txt",
            "fileName": "a.txt",
            "physicalFile": "abc.txt",
            "documentCategoryId": 7,
            "applicantId": 26459460,
        }
    }
    prepare = fake.calls("/prepareTempDirectUpload")[0]
    assert prepare.url.params["filename"] == "a.txt" and prepare.headers["authorization"] == "Bearer t1"
    puts = [(r, b) for r, b in zip(fake.requests, fake.bodies, strict=True) if r.method == "PUT"]
    assert len(puts) == 2  # the 503 was retried with the whole body again
    for request, body in puts:
        assert str(request.url) == PREPARED["url"]
        assert body == data
        assert request.headers["content-length"] == str(len(data))
        assert "transfer-encoding" not in request.headers
        assert "authorization" not in request.headers
        assert request.headers["content-type"] == "text/plain"
        assert request.headers["x-amz-acl"] == "bucket-owner-full-control"
        assert request.headers["x-amz-server-side-encryption"] == "AES256"
        assert request.headers["content-disposition"] == DISPOSITION


def test_upload_needs_a_filename_unless_given_a_path(pageup: PageUpClient) -> None:
    with pytest.raises(ValueError, match="filename is required"):
        pageup.upload(b"x", document_category_id=7)


def test_storage_refusal_is_a_storage_error(pageup: PageUpClient, fake: FakePageUp) -> None:
    fake.script["prepareTempDirectUpload"] = [httpx.Response(200, json=PREPARED)]
    body = (
        b"<?xml version='1.0'?><Error><Code>EntityTooLarge</Code>"
        b"<Message>Your proposed upload exceeds the maximum allowed size</Message></Error>"
    )
    fake.script["PUT"] = [httpx.Response(400, content=body, headers={"x-amz-request-id": "s3rid"})]
    with pytest.raises(StorageError) as exc:
        pageup.upload(b"x", filename="a.txt", document_category_id=7)
    assert (exc.value.status, exc.value.code, exc.value.request_id) == (400, "EntityTooLarge", "s3rid")
    assert exc.value.message == "Your proposed upload exceeds the maximum allowed size"
    assert fake.calls("/moveFromTemp") == []


# -- download ----------------------------------------------------------------------------------------


def test_download_refetches_a_link_that_expired(pageup: PageUpClient, fake: FakePageUp, tmp_path: Path) -> None:
    expired = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
    fake.script["8621"] = [
        httpx.Response(200, json={**DOC, "url": "https://s3.test/b/k1"}),
        httpx.Response(200, json={**DOC, "url": "https://s3.test/b/k2"}),
    ]
    fake.script["k1"] = [httpx.Response(403, content=expired)]
    fake.script["k2"] = [httpx.Response(200, content=b"payload")]
    assert pageup.download("8621", expires_in=10) == b"payload"
    assert [r.url.params["expiresInSeconds"] for r in fake.calls("/8621")] == ["10", "10"]
    target = tmp_path / "out.bin"
    fake.script["8621"] = [httpx.Response(200, json={**DOC, "url": "https://s3.test/b/k2"})]
    assert pageup.download_to(8621, target)["id"] == "8621"
    assert target.read_bytes() == b"payload"


def test_download_raises_when_storage_refuses_twice(pageup: PageUpClient, fake: FakePageUp) -> None:
    fake.script["8621"] = [httpx.Response(200, json={**DOC, "url": "https://s3.test/b/k1"})]
    fake.script["k1"] = [httpx.Response(403, content=b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>")]
    with pytest.raises(StorageError) as exc:
        pageup.download(8621)
    assert (exc.value.status, exc.value.code) == (403, "AccessDenied")
    assert len(fake.calls("/k1")) == 2


def test_download_retries_storage_5xx(pageup: PageUpClient, fake: FakePageUp, sleeps: list[float]) -> None:
    fake.script["8621"] = [httpx.Response(200, json={**DOC, "url": "https://s3.test/b/k1"})]
    fake.script["k1"] = [httpx.Response(503, headers={"Retry-After": "1"}), httpx.Response(200, content=b"ok")]
    assert pageup.download(8621) == b"ok"
    assert sleeps == [1.0]
