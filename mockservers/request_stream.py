"""``GET /__admin/requests/stream``: the request journal as Server-Sent Events (the dashboard's live list, or curl).

Each journaled request is sent once it has been answered, so its status, error code, fault and
duration are known: ``event: request`` with the same JSON as an item of ``GET /__admin/requests``.
The journal tells the feed of a request as it starts (``Journal.subscribe``, called from
``record``); the feed waits for the task running that request to finish, which under uvicorn (a
task per request) and the in-process client is the moment it was answered.

Bounded on purpose: at most ``MAX_STREAMS`` streams at once (then 503), and each holds at most
``QUEUE_SIZE`` events not yet written. A client that reads slower than requests arrive loses the
oldest ones and is told how many (``event: dropped``, ``{"dropped": N}``): it can reload the list.
A comment line every ``HEARTBEAT_SECONDS`` keeps proxies from closing an idle stream. When the
server stops, each stream gets ``event: shutdown`` and ends; when the client leaves, its stream
is dropped at once. There is no replay: a client that (re)connects reads ``GET /__admin/requests``.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from mockservers.core.errors import AdminError
from mockservers.core.journal import Entry, Journal

HEARTBEAT_SECONDS = 15.0
QUEUE_SIZE = 256
MAX_STREAMS = 16

OPENING = b": atsmock request journal\nretry: 2000\n\n"
"""First bytes of every stream: a comment, and how long an ``EventSource`` waits before reconnecting (ms)."""
HEARTBEAT = b": heartbeat\n\n"
SHUTDOWN = b'event: shutdown\ndata: {"reason": "the server is stopping"}\n\n'


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """What a stream wants, as ``GET /__admin/requests`` filters: None matches anything."""

    vendor: str | None = None
    operation: str | None = None
    status: int | None = None

    def matches(self, entry: Entry) -> bool:
        return (
            (self.vendor is None or entry.vendor == self.vendor)
            and (self.operation is None or entry.operation == self.operation)
            and (self.status is None or entry.status == self.status)
        )


class Listener:
    """One open stream: its filter and the events not yet written (at most ``size``; the oldest go first)."""

    __slots__ = ("dropped", "ended", "left", "pending", "wake", "wanted")

    def __init__(self, wanted: RequestFilter, size: int) -> None:
        self.wanted = wanted
        self.pending: deque[str] = deque(maxlen=size)
        self.dropped = 0
        self.ended = False
        """The server is stopping: write what is pending, then ``event: shutdown``."""
        self.left = False
        """The client went away: write nothing more."""
        self.wake = asyncio.Event()

    def push(self, data: str) -> None:
        if len(self.pending) == self.pending.maxlen:
            self.dropped += 1
        self.pending.append(data)
        self.wake.set()

    def end(self) -> None:
        self.ended = True
        self.wake.set()

    def leave(self) -> None:
        self.left = True
        self.wake.set()

    def take(self) -> bytes:
        """Everything pending as SSE frames (the count of dropped events first), emptying the queue."""
        frames = [f'event: dropped\ndata: {{"dropped": {self.dropped}}}\n\n'] if self.dropped else []
        frames.extend(f"event: request\ndata: {data}\n\n" for data in self.pending)
        self.pending.clear()
        self.dropped = 0
        return "".join(frames).encode()


class RequestFeed:
    """Fans answered requests out to the open streams; subscribed to the journal only while one is open."""

    def __init__(
        self,
        journal: Journal,
        *,
        queue_size: int = QUEUE_SIZE,
        max_streams: int = MAX_STREAMS,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.journal = journal
        self.queue_size = queue_size
        self.max_streams = max_streams
        self.heartbeat = heartbeat
        self.stopping = False
        self._listeners: set[Listener] = set()
        self._unsubscribe: Callable[[], None] | None = None

    def __len__(self) -> int:
        return len(self._listeners)

    def stream(self, wanted: RequestFilter) -> EventStream:
        """A new stream's response; ``AdminError`` 503 past ``max_streams`` or while the server stops."""
        if self.stopping:
            raise AdminError(503, "shutting_down", "the server is stopping")
        if len(self._listeners) >= self.max_streams:
            raise AdminError(503, "too_many_streams", f"at most {self.max_streams} request streams can be open at once")
        listener = Listener(wanted, self.queue_size)
        self._listeners.add(listener)
        if self._unsubscribe is None:
            self._unsubscribe = self.journal.subscribe(self._recorded)
        return EventStream(self, listener)

    def release(self, listener: Listener) -> None:
        self._listeners.discard(listener)
        if not self._listeners and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def shutdown(self) -> None:
        """End every stream (``Platform.shutdown``, as the server starts to stop) and refuse new ones."""
        self.stopping = True
        for listener in list(self._listeners):
            listener.end()

    def _recorded(self, entry: Entry) -> None:
        # On the request path, as the request starts: only note when to publish it.
        try:
            task = asyncio.current_task()
        except RuntimeError:  # no event loop: nothing is running this request, it is complete
            task = None
        if task is None:
            self.publish(entry)
        else:
            task.add_done_callback(lambda _: self.publish(entry))

    def publish(self, entry: Entry) -> None:
        """Queue an answered entry for every stream whose filter it matches (rendered once for all)."""
        data: str | None = None
        for listener in self._listeners:
            if listener.wanted.matches(entry):
                if data is None:
                    data = json.dumps(self.journal.render(entry), separators=(",", ":"))
                listener.push(data)


class EventStream(Response):
    """The ``text/event-stream`` answer of one stream: written until the client leaves or the server stops."""

    media_type = "text/event-stream"

    def __init__(self, feed: RequestFeed, listener: Listener) -> None:
        self.feed = feed
        self.listener = listener
        self.status_code = 200
        self.background = None
        self.init_headers({"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        listener = self.listener
        watcher = asyncio.ensure_future(_watch_disconnect(receive, listener))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await send(_body(OPENING))
            while not listener.left:
                try:
                    async with asyncio.timeout(self.feed.heartbeat):
                        await listener.wake.wait()
                except TimeoutError:
                    await send(_body(HEARTBEAT))
                    continue
                listener.wake.clear()
                if listener.left:
                    break
                if listener.pending or listener.dropped:
                    await send(_body(listener.take()))
                if listener.ended:
                    await send(_body(SHUTDOWN))
                    break
            if not listener.left:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the client left while a write was under way (uvicorn's ClientDisconnected)
            pass
        finally:
            watcher.cancel()
            self.feed.release(listener)


def _body(chunk: bytes) -> Message:
    return {"type": "http.response.body", "body": chunk, "more_body": True}


async def _watch_disconnect(receive: Receive, listener: Listener) -> None:
    """Wait for ``http.disconnect`` (a GET's empty body comes first), then let the stream go at once."""
    while True:
        if (await receive())["type"] == "http.disconnect":
            listener.leave()
            return
