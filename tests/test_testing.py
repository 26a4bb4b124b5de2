"""mockservers.testing: the in-process client hands the app what a server would, and faults reach the caller."""

from __future__ import annotations

from typing import Any

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
        assert http.post("/up", content=chunks()).content == b"a" * 70_000 + b"b"


def test_an_exception_in_the_app_reaches_the_caller() -> None:
    async def drops(scope: Scope, receive: Receive, send: Send) -> None:
        raise ConnectionDropped("connection reset by fault")

    with in_process_client(drops) as http, pytest.raises(ConnectionDropped, match=r"^connection reset by fault$"):
        http.get("/")


def test_clients_share_one_event_loop_thread() -> None:
    seen: list[int] = []

    async def loop_id(scope: Scope, receive: Receive, send: Send) -> None:
        import asyncio
        import threading

        seen.append(id(asyncio.get_running_loop()))
        seen.append(threading.get_ident())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    for _ in range(2):
        with in_process_client(loop_id) as http:
            assert http.get("/").status_code == 204
    assert seen[0:2] == seen[2:4]
