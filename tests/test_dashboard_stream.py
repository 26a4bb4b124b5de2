"""``GET /__admin/requests/stream``: SSE framing, filters, bounds, heartbeats, disconnect and shutdown.

In-process: the app is called as ASGI on an event loop with a receive/send pair the test holds,
and requests reach it through httpx's ASGI transport, each in a task of its own (as a server runs
them), so the stream publishes each one when it has been answered. One test stops a live server
with a stream open.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from echo_vendor import ECHO

from contracts import load_openapi
from mockservers.config import Settings
from mockservers.core.journal import Entry, Journal
from mockservers.request_stream import (
    HEARTBEAT,
    HEARTBEAT_SECONDS,
    MAX_STREAMS,
    OPENING,
    QUEUE_SIZE,
    SHUTDOWN,
    RequestFeed,
    RequestFilter,
)
from mockservers.server import LiveServer
from mockservers.testing import in_process_client

STREAM_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),
    (b"content-type", b"text/event-stream; charset=utf-8"),
]


class Stream:
    """One stream request in progress: what the app sent, and a way to leave as a browser does."""

    def __init__(self, app: Any, query: str = "", headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.messages: list[dict[str, Any]] = []
        self.changed = asyncio.Event()
        self.flowing = asyncio.Event()
        """Cleared: every write waits, as when a browser stops reading."""
        self.flowing.set()
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.inbox.put_nowait({"type": "http.request", "body": b"", "more_body": False})
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/__admin/requests/stream",
            "raw_path": b"/__admin/requests/stream",
            "root_path": "",
            "query_string": query.encode(),
            "headers": [(b"host", b"testserver"), *(headers or [])],
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 50000),
        }
        self.task = asyncio.ensure_future(app(scope, self.inbox.get, self._send))

    async def _send(self, message: dict[str, Any]) -> None:
        await self.flowing.wait()
        self.messages.append(message)
        self.changed.set()

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def text(self) -> str:
        return b"".join(m.get("body", b"") for m in self.messages[1:]).decode()

    async def until(self, condition: Callable[[Stream], bool]) -> None:
        async with asyncio.timeout(5):
            while not condition(self):
                self.changed.clear()
                await self.changed.wait()

    async def events(self, count: int) -> list[tuple[str, Any]]:
        await self.until(lambda s: len(_events(s.text)) >= count)
        return _events(self.text)

    async def leave(self) -> None:
        self.inbox.put_nowait({"type": "http.disconnect"})
        async with asyncio.timeout(5):
            await self.task


def _events(text: str) -> list[tuple[str, Any]]:
    """(event, decoded data) of every complete event frame; comments skipped."""
    found = []
    for frame in text.split("\n\n")[:-1]:
        lines = [line for line in frame.split("\n") if not line.startswith(":")]
        fields = dict(line.split(": ", 1) for line in lines if ": " in line)
        if "data" in fields:
            found.append((fields["event"], json.loads(fields["data"])))
    return found


def run(scenario: Callable[[Any], Awaitable[None]], app: Any) -> None:
    asyncio.run(scenario(app))


async def call(app: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to the app in a task of its own, as a server runs it."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        return await asyncio.ensure_future(client.request(method, path, **kwargs))


def feed_of(app: Any) -> RequestFeed:
    (stop,) = app.platform.on_shutdown
    feed = stop.__self__
    assert isinstance(feed, RequestFeed)
    return feed


def listed(app: Any, **filters: Any) -> list[dict[str, Any]]:
    with in_process_client(app) as client:
        return list(client.get("/__admin/requests", params=filters).json()["requests"])


# --- framing -----------------------------------------------------------------------------------------------------


def test_each_answered_request_is_one_event_with_the_journal_json(echo_app: Any) -> None:
    async def scenario(app: Any) -> None:
        stream = Stream(app)
        await stream.until(lambda s: len(s.messages) >= 2)
        assert stream.messages[0] == {"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS}
        assert stream.messages[1] == {"type": "http.response.body", "body": OPENING, "more_body": True}
        assert OPENING == b": atsmock request journal\nretry: 2000\n\n"
        answer = await call(app, "GET", "/echo/things/7")
        (event,) = await stream.events(1)
        (item,) = listed(app)
        assert event == ("request", item)
        assert (item["id"], item["response"]["status"]) == (answer.headers["x-request-id"], 200)
        frame = stream.messages[2]["body"]
        assert frame == b"event: request\ndata: " + json.dumps(item, separators=(",", ":")).encode() + b"\n\n"
        await stream.leave()

    run(scenario, echo_app)


def test_the_event_carries_the_answer_not_the_request_start(echo_app: Any) -> None:
    async def scenario(app: Any) -> None:
        stream = Stream(app)
        await call(app, "GET", "/echo/refuse")
        await call(app, "POST", "/echo/things", content=b"12345")
        (refused, created) = [data for _, data in await stream.events(2)]
        assert (refused["response"], refused["operation"]) == ({"status": 403, "errorCode": "forbidden"}, "refuse")
        assert (created["response"]["status"], created["request"]["bodySize"]) == (201, 5)
        assert created["durationMs"] > 0
        await stream.leave()

    run(scenario, echo_app)


def test_values_with_newlines_stay_inside_one_data_line(echo_app: Any) -> None:
    async def scenario(app: Any) -> None:
        stream = Stream(app)
        await call(app, "GET", "/echo/things/a%0Ab%0D%0A%0A", headers={"x-note": "<script>\u2028".encode()})
        ((_, data),) = await stream.events(1)
        assert data["request"]["path"] == "/echo/things/a\nb\r\n\n"
        assert data["request"]["headers"]["x-note"] == "<script>\u00e2\u0080\u00a8"  # latin-1, as the journal reads it
        frame = stream.messages[2]["body"]
        assert frame.count(b"\n") == 3 and frame.endswith(b"\n\n")
        await stream.leave()

    run(scenario, echo_app)


# --- filters -----------------------------------------------------------------------------------------------------


def test_filters_are_those_of_the_journal_list(echo_app: Any) -> None:
    async def scenario(app: Any) -> None:
        by_status = Stream(app, "status=403")
        by_operation = Stream(app, "vendor=echo&operation=get_thing")
        other_vendor = Stream(app, "vendor=s3")
        await call(app, "GET", "/echo/things/1")
        await call(app, "GET", "/echo/refuse")
        await call(app, "POST", "/echo/things", content=b"x")
        await call(app, "GET", "/echo/things/2")
        refused = await by_status.events(1)
        things = await by_operation.events(2)
        assert [d["request"]["path"] for _, d in refused] == [e["request"]["path"] for e in listed(app, status=403)]
        assert [d["request"]["path"] for _, d in things] == ["/echo/things/1", "/echo/things/2"]
        for stream in (by_status, by_operation, other_vendor):
            await stream.leave()
        assert [_events(s.text) for s in (by_status, other_vendor)] == [refused, []]
        assert len(_events(by_operation.text)) == 2

    run(scenario, echo_app)


def test_a_status_that_is_not_an_integer_is_refused_as_by_the_list(echo_client: httpx.Client) -> None:
    stream = echo_client.get("/__admin/requests/stream?status=abc")
    listing = echo_client.get("/__admin/requests?status=abc")
    expected = {"error": {"code": "invalid_request", "message": "status must be an integer"}}
    assert (stream.status_code, stream.json()) == (400, expected)
    assert (listing.status_code, listing.json()) == (400, expected)


# --- bounds ------------------------------------------------------------------------------------------------------


def test_a_slow_client_loses_the_oldest_events_and_is_told_how_many(echo_app: Any) -> None:
    async def scenario(app: Any) -> None:
        feed_of(app).queue_size = 4
        stream = Stream(app)
        await stream.until(lambda s: len(s.messages) >= 2)
        stream.flowing.clear()  # the browser stops reading: the next write waits
        for n in range(7):
            await call(app, "GET", f"/echo/things/{n}")
        stream.flowing.set()
        events = await stream.events(6)
        # The first was being written when the reader stalled; of the six after it, the queue kept the newest four.
        assert [(name, data.get("dropped") or data["request"]["path"]) for name, data in events] == [
            ("request", "/echo/things/0"),
            ("dropped", 2),
            *(("request", f"/echo/things/{n}") for n in range(3, 7)),
        ]
        await stream.leave()

    run(scenario, echo_app)


def entry(n: int) -> Entry:
    return Entry(f"e{n}", 0.0, "echo", "get_thing", "GET", f"/echo/things/{n}", b"", [], status=200)


def test_the_admin_contract_states_the_bounds() -> None:
    description = load_openapi("admin")["paths"]["/requests/stream"]["get"]["description"]
    flat = " ".join(description.split())
    for stated in (
        f"at most {QUEUE_SIZE} are held",
        f"every {HEARTBEAT_SECONDS:g} s",
        f"At most {MAX_STREAMS} streams",
    ):
        assert stated in flat


def test_at_most_max_streams_are_open_at_once(echo_app: Any) -> None:
    async def scenario(app: Any) -> None:
        streams = [Stream(app) for _ in range(MAX_STREAMS)]
        await asyncio.gather(*(s.until(lambda s: len(s.messages) >= 2) for s in streams))
        one_more = Stream(app)
        await one_more.until(lambda s: len(s.messages) >= 2)
        assert one_more.status == 503
        assert json.loads(one_more.messages[1]["body"]) == {
            "error": {"code": "too_many_streams", "message": "at most 16 request streams can be open at once"}
        }
        await streams[0].leave()
        again = Stream(app)
        await again.until(lambda s: len(s.messages) >= 2)
        assert again.status == 200
        for stream in [*streams[1:], again]:
            await stream.leave()
        assert len(feed_of(app)) == 0

    run(scenario, echo_app)


def test_a_request_stream_holds_the_journal_only_while_it_is_open() -> None:
    journal = Journal(10)
    seen: list[str] = []
    stop = journal.subscribe(lambda e: seen.append(e.id))
    journal.record(entry(1))
    stop()
    journal.record(entry(2))
    assert seen == ["e1"]
    feed = RequestFeed(journal)

    async def scenario() -> None:
        stream = feed.stream(RequestFilter())
        assert len(feed) == 1
        feed.release(stream.listener)
        published: list[Entry] = []
        feed.publish = published.append  # type: ignore[method-assign]
        journal.record(entry(3))
        assert (len(feed), published) == (0, [])

    asyncio.run(scenario())


# --- heartbeat, disconnect, shutdown -----------------------------------------------------------------------------


def test_an_idle_stream_sends_heartbeat_comments(echo_app: Any) -> None:
    async def scenario(app: Any) -> None:
        feed_of(app).heartbeat = 0.01
        stream = Stream(app)
        await stream.until(lambda s: s.text.count(HEARTBEAT.decode()) >= 2)
        assert stream.text.startswith(OPENING.decode() + HEARTBEAT.decode())
        assert HEARTBEAT == b": heartbeat\n\n"
        await stream.leave()

    run(scenario, echo_app)


def test_a_client_that_leaves_is_dropped_at_once(echo_app: Any) -> None:
    async def scenario(app: Any) -> None:
        stream = Stream(app)
        await stream.until(lambda s: len(s.messages) >= 2)
        assert len(feed_of(app)) == 1
        await stream.leave()
        assert len(feed_of(app)) == 0
        sent = len(stream.messages)
        await call(app, "GET", "/echo/things/1")
        assert len(stream.messages) == sent == 2  # nothing written after the client left, not even the end

    run(scenario, echo_app)


def test_shutdown_ends_every_stream_after_what_is_pending(echo_app: Any) -> None:
    async def scenario(app: Any) -> None:
        stream = Stream(app)
        await stream.until(lambda s: len(s.messages) >= 2)
        await call(app, "GET", "/echo/things/last")
        app.platform.shutdown()
        async with asyncio.timeout(5):
            await stream.task
        (item,) = listed(app)
        assert _events(stream.text) == [("request", item), ("shutdown", {"reason": "the server is stopping"})]
        assert stream.text.endswith(SHUTDOWN.decode())
        assert SHUTDOWN == b'event: shutdown\ndata: {"reason": "the server is stopping"}\n\n'
        assert stream.messages[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
        late = Stream(app)
        await late.until(lambda s: len(s.messages) >= 2)
        assert (late.status, json.loads(late.messages[1]["body"])) == (
            503,
            {"error": {"code": "shutting_down", "message": "the server is stopping"}},
        )

    run(scenario, echo_app)


@pytest.fixture
def stopping_server() -> Iterator[LiveServer]:
    server = LiveServer(Settings(registry=[ECHO]), vendors=[ECHO]).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_live_server_stops_cleanly_with_a_stream_open(
    stopping_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    received: list[bytes] = []
    opened = threading.Event()

    def read() -> None:
        with httpx.stream("GET", f"{stopping_server.url}/__admin/requests/stream", timeout=10) as response:
            for chunk in response.iter_raw():
                received.append(chunk)
                opened.set()

    reader = threading.Thread(target=read)
    reader.start()
    assert opened.wait(5)
    with caplog.at_level(logging.WARNING):
        stopping_server.stop()
    reader.join(5)
    assert not reader.is_alive()
    assert b"".join(received) == OPENING + SHUTDOWN
    # Not uvicorn's way out (waiting timeout_graceful_shutdown, then cancelling the task with an error).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
