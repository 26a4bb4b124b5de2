"""Helpers for the S3 tests: an in-process transport that keeps the raw path, and S3 error parsing.

These tests call the bare S3 front (no dispatcher) as uvicorn would: ``path`` decoded, ``raw_path``
as sent, ``root_path`` the ``/s3`` mount, and the body in ``chunk_size`` pieces so streaming is
exercised (``mockservers.testing.in_process_client`` hands the body over in one piece).
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BASE_URL = "http://testserver"
BUCKET = "atsmock-test"
REGION = "ap-southeast-2"
SMALL_BUCKET = "atsmock-small"
SMALL_LIMIT = 1000
US_BUCKET = "atsmock-us"
FIXED_NOW = 1_893_456_000.0
"""2030-01-01T00:00:00Z: every signature in these tests is made at a known instant."""


def mounted(app: ASGIApp, prefix: str = "/s3") -> ASGIApp:
    """``app`` as the dispatcher mounts it: ``root_path`` gains ``prefix``, ``path`` stays the full path."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "root_path": scope.get("root_path", "") + prefix}, receive, send)

    return wrapper


class InProcessTransport(httpx.BaseTransport):
    """Calls an ASGI app in-process, feeding the body in ``chunk_size`` pieces (so streaming is exercised)."""

    def __init__(self, app: ASGIApp, chunk_size: int = 64 * 1024) -> None:
        self.app = app
        self.chunk_size = chunk_size

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?", 1)[0],
            "query_string": request.url.query,
            "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "server": (request.url.host, request.url.port or 80),
            "client": ("127.0.0.1", 50000),
        }
        status, headers, content = asyncio.run(self._call(scope, body))
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(self, scope: dict[str, Any], body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        pieces = [body[i : i + self.chunk_size] for i in range(0, len(body), self.chunk_size)] or [b""]
        sent: list[Message] = []

        async def receive() -> Message:
            if pieces:
                chunk = pieces.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(pieces)}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        start = sent[0]
        content = b"".join(m.get("body", b"") for m in sent[1:])
        return start["status"], list(start.get("headers", [])), content


def client_for(app: ASGIApp, chunk_size: int = 64 * 1024) -> httpx.Client:
    return httpx.Client(transport=InProcessTransport(mounted(app), chunk_size), base_url=BASE_URL)


def s3_error(response: httpx.Response) -> tuple[int, str, str]:
    """(status, Code, Message) of an S3 XML error."""
    root = ET.fromstring(response.content)
    return response.status_code, str(root.findtext("Code")), str(root.findtext("Message"))


def error_detail(response: httpx.Response, name: str) -> str | None:
    return ET.fromstring(response.content).findtext(name)


def boto3_client(endpoint: str = BASE_URL + "/s3", region: str = REGION, signature_version: str = "s3v4") -> Any:
    """A real boto3 S3 client with atsmock's default presigning key, path-style, against ``endpoint``."""
    import boto3
    from botocore.config import Config

    from mockservers.config import S3Settings

    settings = S3Settings()
    session = boto3.session.Session(
        aws_access_key_id=settings.access_key, aws_secret_access_key=settings.secret_key, region_name=region
    )
    config = Config(signature_version=signature_version, s3={"addressing_style": "path"})
    return session.client("s3", endpoint_url=endpoint, config=config)
