"""The root ASGI app: routes by first path segment, journals, and fires faults.

Pure ASGI on purpose: every request to every vendor passes here, so it does one dict look-up to
find the vendor, one table look-up for the operation, and appends to the journal.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import socket
import struct
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockservers.core.faults import Fault
from mockservers.core.journal import JOURNAL_HEADER_BYTES, SCOPE_KEY, Entry, clip_headers
from mockservers.core.logs import RequestLog
from mockservers.core.platform import Platform

log = logging.getLogger("atsmock")

ADMIN_PREFIX = "__admin"

MAX_URL_BYTES = 16 * 1024
"""Longest path and query accepted (414 beyond): presigned URLs are 1-2 KiB; S3 and most proxies stop near 8 KiB."""
MAX_HEADER_BYTES = 64 * 1024
"""Most URL and header bytes accepted (431 beyond), as a load balancer in front of a vendor would refuse them."""
_LIMIT_ERRORS: dict[int, Any] = {
    414: {"error": {"code": "uri_too_long", "message": f"the path and query are longer than {MAX_URL_BYTES} bytes"}},
    431: {
        "error": {
            "code": "request_header_fields_too_large",
            "message": f"the request line and headers are larger than {MAX_HEADER_BYTES} bytes",
        }
    },
}


class RequestIds:
    """Journal ids: UUID-shaped (version 4, the first 80 bits random per process), the last 48 bits
    counting up. Unique like ``uuid4()``, ordered, and about ten times cheaper on the request path."""

    def __init__(self) -> None:
        r = uuid.uuid4().hex
        self._prefix = f"{r[:8]}-{r[8:12]}-{r[12:16]}-{r[16:20]}-"
        self._next = itertools.count(int(r[20:], 16)).__next__

    def __call__(self) -> str:
        return f"{self._prefix}{self._next() & 0xFFFFFFFFFFFF:012x}"


@dataclass(frozen=True, slots=True)
class Target:
    """Something the dispatcher routes to and journals: a vendor or S3."""

    name: str
    app: ASGIApp
    operation_for: Callable[[str, str], str | None]


class Dispatcher:
    def __init__(
        self,
        platform: Platform,
        admin: ASGIApp,
        targets: dict[str, Target],
        root: Target | None = None,
        on_startup: Callable[[], None] | None = None,
    ) -> None:
        self.platform = platform
        self.admin = admin
        self.targets = targets
        self.root = root
        self.on_startup = on_startup
        self.request_ids = RequestIds()
        log_format = platform.settings.server.log_format
        request_log = RequestLog(log_format)
        self._log = request_log if request_log.enabled else None
        """Checked once: with the log off (or no handler listening), nothing is built per request."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind == "websocket":
            await _refuse_websocket(scope, receive, send)
            return
        if kind != "http":
            return
        size = len(scope.get("raw_path") or b"") + len(scope.get("query_string", b""))
        if size > MAX_URL_BYTES:
            await _send_json(send, 414, _LIMIT_ERRORS[414])
            return
        streamed = False
        for name, value in scope["headers"]:
            size += len(name) + len(value)
            if name == b"transfer-encoding":
                streamed = True
        if size > MAX_HEADER_BYTES:
            await _send_json(send, 431, _LIMIT_ERRORS[431])
            return
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        route_path = path[len(root_path) :] if root_path and path.startswith(root_path) else path
        cut = route_path.find("/", 1)
        segment = route_path[1:cut] if cut > 0 else route_path[1:]
        if segment == ADMIN_PREFIX:
            await self.admin({**scope, "root_path": f"{root_path}/{ADMIN_PREFIX}"}, receive, send)
            return
        target = self.targets.get(segment)
        if target is not None:
            child_root = f"{root_path}/{segment}"
            sub_path = route_path[len(segment) + 1 :] or "/"
        elif self.root is not None:
            target, child_root, sub_path = self.root, root_path, route_path
        else:
            await _not_found(self, route_path, send)
            return
        await self._handle(target, {**scope, "root_path": child_root}, sub_path, receive, send, size, streamed)

    async def _handle(
        self,
        target: Target,
        scope: Scope,
        sub_path: str,
        receive: Receive,
        send: Send,
        size: int,
        streamed: bool,
    ) -> None:
        """``streamed``: the body comes chunked, so its size is counted as it arrives (otherwise the journal
        reports the declared Content-Length, and ``receive`` is handed on unwrapped)."""
        platform = self.platform
        method: str = scope["method"]
        request_id = self.request_ids()
        entry = Entry(
            id=request_id,
            time=platform.clock.now(),
            vendor=target.name,
            operation=target.operation_for(method, sub_path),
            method=method,
            path=scope["path"],
            query=scope.get("query_string", b""),
            headers=scope["headers"] if size <= JOURNAL_HEADER_BYTES else clip_headers(scope["headers"]),
        )
        scope[SCOPE_KEY] = entry
        platform.journal.record(entry)
        started = time.perf_counter()
        rid = request_id.encode()

        async def journaled_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid)]
            elif not message.get("more_body", False):
                entry.duration_ms = (time.perf_counter() - started) * 1000
            await send(message)

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                entry.body_size += len(message.get("body", b""))
            return message

        body_receive = counted_receive if streamed else receive
        fault = platform.faults.match(target.name, entry.operation)
        try:
            if fault is not None:
                await self._fire(fault, entry, target, scope, body_receive, journaled_send, send)
            else:
                await target.app(scope, body_receive, journaled_send)
        except ConnectionDropped:
            raise
        except Exception:
            log.exception("unhandled error in %s %s", method, scope["path"])
            if entry.status is None:
                entry.error_code = entry.error_code or "internal_error"
                await _send_json(journaled_send, 500, {"error": "internal_error", "requestId": request_id})
        finally:
            if not entry.duration_ms:
                entry.duration_ms = (time.perf_counter() - started) * 1000
            if self._log is not None:
                self._log(entry)

    async def _fire(
        self,
        fault: Fault,
        entry: Entry,
        target: Target,
        scope: Scope,
        receive: Receive,
        send: Send,
        raw_send: Send,
    ) -> None:
        scenario = fault.scenario
        entry.fault = scenario.name
        if fault.delay_ms:
            # A real wait on purpose: the client is meant to see a slow answer.
            try:
                await asyncio.sleep(fault.delay_ms / 1000)
            except asyncio.CancelledError:
                # uvicorn cancels what still runs when its graceful shutdown times out: drop the connection
                # quietly instead of logging a traceback and answering 500.
                await _close(raw_send, reset=False)
                return
        if scenario.respond is not None:
            entry.error_code = scenario.error_code
            await scenario.respond()(scope, receive, send)
            return
        name = scenario.name
        if name == "delay":
            await target.app(scope, receive, send)
        elif name == "connection_reset":
            await _drain(receive)
            await _close(raw_send, reset=True)
        elif name == "empty_response":
            await _drain(receive)
            await _close(raw_send, reset=False)
        elif name == "malformed_body":
            body = b'{"malformed": tru'
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})
        elif name == "truncated_body":
            await _truncate(target.app, scope, receive, send, raw_send)
        else:  # pragma: no cover - the catalogue and this switch are kept together
            raise RuntimeError(f"scenario {name} has no behaviour")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            try:
                message = await receive()
            except asyncio.CancelledError:
                # A second Ctrl-C forces the exit without a shutdown message: nothing to clean up, no traceback.
                return
            if message["type"] == "lifespan.startup":
                if self.on_startup is not None:
                    self.on_startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


class ConnectionDropped(ConnectionError):
    """Raised in-process (no socket to drop) when a fault closes the connection."""


def _transport(send: Send) -> asyncio.Transport | None:
    # uvicorn's send is a bound method of its RequestResponseCycle, which holds the transport.
    cycle = getattr(send, "__self__", None)
    return getattr(cycle, "transport", None)


async def _drain(receive: Receive) -> None:
    """Read the request body to its end first: closing a socket with unread bytes sends a TCP reset, so an
    upload would see ``connection_reset`` for ``empty_response``, and a reset while it still writes."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _close(send: Send, *, reset: bool) -> None:
    transport = _transport(send)
    if transport is None:
        raise ConnectionDropped("connection reset by fault" if reset else "empty response by fault")
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # SO_LINGER 0 makes close() send RST instead of FIN: a true "connection reset by peer".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    await asyncio.sleep(0)


async def _truncate(app: ASGIApp, scope: Scope, receive: Receive, send: Send, raw_send: Send) -> None:
    """Run the real handler, then send its headers with the full length but only half its body."""
    start: Message = {}
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    body = b"".join(chunks)
    announced = max(len(body), 64)
    headers = [(k, v) for k, v in start.get("headers", ()) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(announced).encode()))
    await send({"type": "http.response.start", "status": start.get("status", 200), "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
    transport = _transport(raw_send)
    if transport is None:
        raise ConnectionDropped("body truncated by fault")
    transport.close()
    await asyncio.sleep(0)


async def _send_json(send: Callable[[Message], Awaitable[None]], status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _refuse_websocket(scope: Scope, receive: Receive, send: Send) -> None:
    """No vendor speaks WebSocket: refuse the upgrade before accepting it, which the server answers with a
    plain HTTP 403, instead of returning without a handshake, which it answers with a 500."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


async def _not_found(dispatcher: Dispatcher, path: str, send: Send) -> None:
    prefixes = ", ".join(f"/{name}" for name in dispatcher.targets if name != "s3")
    message = f"nothing is served at {path}; vendors are under {prefixes}, the admin API under /{ADMIN_PREFIX}"
    await _send_json(send, 404, {"error": {"code": "not_found", "message": message}})
