"""A small closed-loop HTTP/1.1 load driver for multi-step workflows, measuring each whole workflow.

wrk measures single requests well, but a workflow whose next request is built from the previous
answer (the presigned URL of a prepare, the ``physicalFile`` of a PUT) needs per-connection state
and the latency of the whole chain. This driver keeps ``connections`` keep-alive sockets, each
running workflows back to back (closed loop, like wrk), and records every workflow's wall time.
Requests are written by hand and answers parsed with ``Content-Length`` only (what uvicorn sends
for every answer measured here): the client costs a few microseconds per request, so on a small
machine most of the CPU stays with the server.

Used by bench/throughput.py; importable on its own (``Driver``, ``run_workflows``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    """An answer the workflow did not expect (the bench stops: figures of failing requests mean nothing)."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One keep-alive HTTP/1.1 connection to ``host:port``."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.authority = f"{host}:{port}".encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def request(
        self, method: str, target: str, headers: Mapping[str, str] | None = None, body: bytes = b""
    ) -> Answer:
        assert self._reader is not None and self._writer is not None
        lines = [f"{method} {target} HTTP/1.1".encode(), b"Host: " + self.authority]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}".encode())
        if body or method in ("POST", "PUT"):
            lines.append(b"Content-Length: " + str(len(body)).encode())
        self._writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        answer_headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            answer_headers[name.strip().lower()] = value.strip()
        length = int(answer_headers.get("content-length", "0"))
        content = await self._reader.readexactly(length) if length else b""
        return Answer(int(status_line.split(" ", 2)[1]), answer_headers, content)


def target_of(url: str) -> str:
    """The request target (path and query) of an absolute URL, as sent."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


Workflow = Callable[[Connection], Awaitable[None]]


@dataclass
class Result:
    """Whole workflows completed in ``seconds``; their latencies in seconds."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    requests: int = 0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile (nearest rank) of the workflow latencies, in seconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]


async def run_workflows(
    host: str, port: int, workflow: Workflow, *, connections: int, seconds: float, steps: int, warmup: float = 1.0
) -> Result:
    """Run ``workflow`` back to back on each of ``connections`` sockets for ``warmup`` + ``seconds``;
    only workflows that start after the warm-up and end before the deadline count."""
    conns = [Connection(host, port) for _ in range(connections)]
    for conn in conns:
        await conn.open()
    started = time.perf_counter()
    measure_from = started + warmup
    deadline = measure_from + seconds
    result = Result(seconds)

    async def loop(conn: Connection) -> None:
        while True:
            begun = time.perf_counter()
            if begun >= deadline:
                return
            await workflow(conn)
            ended = time.perf_counter()
            if begun >= measure_from and ended <= deadline:
                result.latencies.append(ended - begun)
                result.requests += steps

    try:
        await asyncio.gather(*(loop(conn) for conn in conns))
    finally:
        for conn in conns:
            await conn.close()
    return result


async def run_count(host: str, port: int, workflow: Workflow, *, connections: int, count: int) -> int:
    """Run ``workflow`` exactly ``count`` times over ``connections`` keep-alive sockets; the count run."""
    conns = [Connection(host, port) for _ in range(connections)]
    for conn in conns:
        await conn.open()
    left = count

    async def loop(conn: Connection) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await workflow(conn)

    try:
        await asyncio.gather(*(loop(conn) for conn in conns))
    finally:
        for conn in conns:
            await conn.close()
    return count
