"""A WebSocket upgrade to any path is refused with a plain 403, never a 500."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from mockservers.vendors import served

UPGRADE = (
    "GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


@pytest.mark.live
@pytest.mark.parametrize("path", ["/", "/__admin/health", "/s3/b/k", *(f"/{v.name}/anything" for v in served())])
def test_an_upgrade_is_a_403(live: Any, path: str) -> None:
    host, port = live.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(UPGRADE.format(path=path).encode())
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 403 Forbidden"
    assert live.platform.journal.find()[1] == 0  # nothing to journal: no request reached a vendor
