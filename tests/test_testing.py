"""mockservers.testing: the in-process client hands the app what a server would, and faults reach the caller."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from mockservers.core.dispatch import ConnectionDropped
from mockservers.testing import in_process_client


class Echo:
    """Answers with what it was handed: path, raw path, one header's bytes and the body."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        headers = [(b"x-echo", dict(scope["headers"]).get(b"x-name", b"")), (b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def test_a_non_ascii_path_and_header_reach_the_app_as_a_server_hands_them_over() -> None:
    app = Echo()
    with in_process_client(app) as http:
        response = http.put("/s3/b/Müller%20CV.pdf?x=1", content=b"bytes", headers={"x-name": "Müller".encode()})
    scope = app.scopes[0]
    assert (scope["path"], scope["raw_path"], scope["query_string"]) == (
        "/s3/b/Müller CV.pdf",
        b"/s3/b/M%C3%BCller%20CV.pdf",
        b"x=1",
    )
    assert (response.status_code, response.content, response.headers.raw[0]) == (
        201,
        b"bytes",
        (b"x-echo", "Müller".encode()),
    )


def test_a_streamed_request_body_arrives_whole() -> None:
    def chunks() -> Any:
        yield b"a" * 70_000
        yield b"b"

    with in_process_client(Echo()) as http:
        response = http.post("/up", content=chunks())
    assert (response.status_code, response.content) == (201, b"a" * 70_000 + b"b")


def test_an_exception_in_the_app_reaches_the_caller() -> None:
    async def drops(scope: Scope, receive: Receive, send: Send) -> None:
        raise ConnectionDropped("connection reset by fault")

    with in_process_client(drops) as http, pytest.raises(ConnectionDropped, match=r"^connection reset by fault$"):
        http.get("/")


def test_clients_in_many_threads_share_one_event_loop_thread() -> None:
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    loops: set[int] = set()
    threads: set[int] = set()

    async def where(scope: Scope, receive: Receive, send: Send) -> None:
        loops.add(id(asyncio.get_running_loop()))
        threads.add(threading.get_ident())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def call(_: int) -> int:
        with in_process_client(where) as http:
            return http.get("/").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(call, range(32)))
    assert (statuses, len(loops), len(threads)) == ([204] * 32, 1, 1)
    assert threading.get_ident() not in threads


def test_the_client_read_timeout_applies() -> None:
    import asyncio

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(5)  # never answers within the client's 0.05 s read timeout

    with in_process_client(slow, timeout=0.05) as http, pytest.raises(httpx.ReadTimeout):
        http.get("/")


def test_the_app_cannot_call_itself_in_process() -> None:
    seen: list[str] = []

    async def reentrant(scope: Scope, receive: Receive, send: Send) -> None:
        with in_process_client(reentrant) as inner:
            try:
                inner.get("/again")
            except RuntimeError as exc:
                seen.append(str(exc))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with in_process_client(reentrant) as http:
        assert http.get("/").status_code == 204
    assert seen == ["in_process_client cannot be used from inside the app it calls"]


BODY_MESSAGE = (
    "assert_request_made cannot match on {names}: the journal keeps no request bodies (only their size, "
    "request.bodySize); assert on what the request did instead, by reading the resource it created or "
    "changed back through the vendor's API"
)


@pytest.mark.parametrize("field", ["body", "json", "data", "content", "files", "form"])
def test_assert_request_made_says_why_it_cannot_match_a_body_and_what_to_do(echo_admin: Any, field: str) -> None:
    with pytest.raises(TypeError) as raised:
        echo_admin.assert_request_made("echo", "get_thing", **{field: {"name": "Ada"}})
    assert str(raised.value) == BODY_MESSAGE.format(names=field)


def test_assert_request_made_names_other_unknown_fields_plainly(echo_admin: Any) -> None:
    with pytest.raises(TypeError) as raised:
        echo_admin.assert_request_made("echo", "get_thing", colour="red", status=200)
    assert str(raised.value) == "assert_request_made cannot match on colour"
    with pytest.raises(TypeError) as raised:
        echo_admin.assert_request_made("echo", colour="red", json={})
    assert str(raised.value) == BODY_MESSAGE.format(names="colour, json")
