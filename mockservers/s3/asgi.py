"""ASGI plumbing the front's handlers share: the request body as a stream, and sending answers and errors.

Pure ASGI (no Starlette Request/Response on the hot path): a presigned PUT is a handful of sends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from email.utils import formatdate

from starlette.types import Receive, Send

from mockservers.s3.errors import host_id


class ClientDisconnected(Exception):
    """The client went away mid-request; nothing can be answered."""


class Body:
    """The request body, read once as a stream of chunks; ``drain`` discards what is left."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.done = False

    async def chunks(self) -> AsyncIterator[bytes]:
        while not self.done:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.done = True
                raise ClientDisconnected
            self.done = not message.get("more_body", False)
            chunk = message.get("body", b"")
            if chunk:
                yield chunk

    async def drain(self) -> None:
        """Read and drop the rest, so the client sees the answer instead of a broken pipe."""
        async for _ in self.chunks():
            pass


def http_date(epoch: float) -> str:
    """RFC 1123 date, as in S3's Last-Modified."""
    return formatdate(epoch, usegmt=True)


def base_headers(request_id: str) -> list[tuple[bytes, bytes]]:
    return [(b"x-amz-request-id", request_id.encode()), (b"x-amz-id-2", host_id().encode())]


def encode_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """Header pairs as ASGI wants them; a non-ASCII value (a UTF-8 filename, say) goes out as UTF-8 bytes."""
    return [(name.encode("latin-1"), value.encode("utf-8")) for name, value in headers]


async def send_reply(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> None:
    """A whole answer in one body message."""
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
