"""The hostile body corpus against every JSON and multipart operation of every served vendor (issue 13, item 2).

Operations and their body types come from each vendor's OpenAPI document, credentials from the
registry (``hostile_access.py``), path parameters from a real run of each vendor's demo, so the
body is what the mock judges. Every answer is the vendor's own: its renderer's status and media
type, a body its document allows. After the corpus every vendor's stored records still read.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hostile_access import Operation, assert_documented, operations
from hostile_world import JSON_OPS, json_type, send, url

from mockservers.core import errors as kinds
from mockservers.vendors import served

pytestmark = pytest.mark.live

MALFORMED: dict[str, bytes] = {
    "truncated": b'{"name": "abc',
    "deeply nested": b"[" * 10_000 + b"]" * 10_000,
    "deeply nested object": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "raw lone surrogate": b'{"name": "\xed\xa0\x80"}',
    "escaped lone surrogate": b'{"name": "\\ud800"}',
    "not UTF-8": b'{"name": "\xff\xfe"}',
    "NaN": b'{"limit": NaN}',
    "not JSON": b"hello",
}
"""Bodies no JSON operation may take: each is the vendor's invalid-input answer."""

ODD: dict[str, bytes] = {
    "duplicate keys": b'{"name": "first", "name": "second"}',
    "numbers out of range": b'{"limit": 1e999, "page": 123456789012345678901234567890, "per_page": -1}',
    "empty object": b"{}",
    "array": b"[]",
    "null": b"null",
}
"""Well-formed JSON with odd content: refused or taken as the vendor would, never a 5xx."""


@pytest.mark.parametrize("case", MALFORMED)
@pytest.mark.parametrize("op", JSON_OPS, ids=lambda op: op.id)
def test_malformed_json_is_the_vendors_invalid_input(world: dict[str, Any], op: Operation, case: str) -> None:
    response = send(world, op, MALFORMED[case], json_type(op) or "")
    assert_documented(op, response, kinds.INVALID_INPUT)


@pytest.mark.parametrize("case", ODD)
@pytest.mark.parametrize("op", JSON_OPS, ids=lambda op: op.id)
def test_odd_json_never_breaks_a_vendor(world: dict[str, Any], op: Operation, case: str) -> None:
    response = send(world, op, ODD[case], json_type(op) or "")
    assert response.status_code < 500, response.text[:300]
    assert response.json() is not None


@pytest.mark.parametrize("op", JSON_OPS, ids=lambda op: op.id)
def test_the_wrong_content_type_is_the_vendors_refusal(world: dict[str, Any], op: Operation) -> None:
    response = send(world, op, b'{"name": "x"}', "text/plain")
    kind = kinds.UNSUPPORTED_MEDIA_TYPE if "415" in op.spec["responses"] else kinds.INVALID_INPUT
    assert_documented(op, response, kind)


HUNDRED_MB = 100 * 1024 * 1024


@pytest.mark.parametrize("vendor", [v.name for v in served()])
def test_100_mb_of_json_is_refused_after_a_bounded_read(world: dict[str, Any], vendor: str) -> None:
    """Streamed chunked over a raw socket: the vendor answers its 413 while most of the body is still unsent."""
    [op, *_] = sorted((op for op in JSON_OPS if op.vendor == vendor), key=lambda op: op.path.count("{"))
    headers = signed_headers(world["auth"][op.id], op, url(op, world), json_type(op) or "")
    status, body, sent = stream_until_answered(
        world["server"].url, op.method.upper(), url(op, world), headers, HUNDRED_MB
    )
    assert sent < HUNDRED_MB / 4, sent  # answered long before the end: the server stopped reading
    assert_documented(op, httpx.Response(status, headers=body[0], content=body[1]), kinds.TOO_LARGE)


def signed_headers(auth: httpx.Auth, op: Operation, path: str, content_type: str) -> dict[str, str]:
    """The headers ``auth`` adds to a request of unknown body (``Content-MD5`` left out of any HMAC)."""
    request = httpx.Request(
        op.method.upper(), "http://x" + path, headers={"Content-Type": content_type, "Content-MD5": ""}
    )
    signed = next(auth.auth_flow(request))
    return {k: v for k, v in signed.headers.items() if v and k.lower() not in ("host", "content-length")}


def stream_until_answered(
    base: str, method: str, path: str, headers: dict[str, str], total: int
) -> tuple[int, tuple[dict[str, str], bytes], int]:
    """Send up to ``total`` bytes of one JSON string, chunked, until the server answers.

    Returns (status, (headers, body), bytes sent)."""
    import select
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    head = f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode("latin-1"))
    chunk = b"a" * (256 * 1024)
    framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    sent = 0
    try:
        sock.sendall(b'b\r\n{"name": "a\r\n')
        while sent < total and not select.select([sock], [], [], 0)[0]:
            sock.sendall(framed)
            sent += len(chunk)
    except OSError:
        pass  # the server answered and closed while we wrote
    raw = b""
    while True:
        try:
            data = sock.recv(65536)
        except OSError:
            break
        if not data:
            break
        raw += data
    sock.close()
    head_bytes, _, content = raw.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:])
    if fields.get("transfer-encoding", "").lower() == "chunked":
        content = _dechunk(content)
    return int(lines[0].split()[1]), (fields, content), sent


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out


def test_every_vendor_still_reads_its_records_after_the_corpus(world: dict[str, Any]) -> None:
    """Nothing the corpus sent was stored half-way: each secured GET of a demo record still answers 200."""
    checked = 0
    for vendor in served():
        for op in operations(vendor.name):
            required = [p for p in op.spec.get("parameters", []) if p.get("in") == "query" and p.get("required")]
            if op.secured and op.method == "get" and not required:
                response = world["http"].get(url(op, world), auth=world["auth"][op.id])
                assert response.status_code == 200, (op.id, response.text[:300])
                checked += 1
    assert checked >= len(served())
