"""The hostile body corpus against every JSON and multipart operation of every served vendor (issue 13, item 2).

Operations and their body types come from each vendor's OpenAPI document, credentials from the
registry (``hostile_access.py``), path parameters from a real run of each vendor's demo, so the
body is what the mock judges. Every answer is the vendor's own: its renderer's status and media
type, a body its document allows. After the corpus every vendor's stored records still read.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hostile_access import Operation, all_operations, assert_documented, authorize, credentials, operations

from mockservers.core import errors as kinds
from mockservers.core.demo import DemoRun, run_demo
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


def json_type(op: Operation) -> str | None:
    return next((t for t in op.content_types if "json" in t), None)


JSON_OPS = [op for op in all_operations() if op.secured and json_type(op)]
MULTIPART_OPS = [op for op in all_operations() if op.secured and "multipart/form-data" in op.content_types]


@pytest.fixture(scope="module")
def world(live_server: Any) -> Iterator[dict[str, Any]]:
    """The live server after one demo run per vendor: the ids each created, by kind, and each vendor's auth."""
    live_server.platform.reset()
    created: dict[str, dict[str, str]] = {}
    original = DemoRun.created

    def keep(self: DemoRun, kind: str, identifier: object) -> None:
        value = identifier.get("id") if isinstance(identifier, dict) else identifier
        created.setdefault(self.vendor, {}).setdefault(kind, str(value))
        original(self, kind, identifier)

    DemoRun.created = keep  # type: ignore[method-assign]
    try:
        for vendor in served():
            assert vendor.demo is not None
            run = run_demo(
                vendor, live_server.settings.vendor(vendor.name), live_server.vendor_url(vendor.name), io.StringIO()
            )
            assert run.ok, vendor.name
    finally:
        DemoRun.created = original  # type: ignore[method-assign]
    http = httpx.Client(base_url=live_server.url, timeout=30)
    auths = {
        v.name: [
            authorize(http, v.name, c, live_server.platform.clock.now)
            for c in credentials(v.name, live_server.settings.vendor(v.name))
        ]
        for v in served()
    }
    world: dict[str, Any] = {"created": created, "auths": auths, "auth": {}, "http": http, "server": live_server}
    for op in all_operations():
        if op.secured:
            world["auth"][op.id] = permitted(world, op)
    yield world
    http.close()
    live_server.platform.reset()


def permitted(world: dict[str, Any], op: Operation) -> httpx.Auth:
    """The first of the vendor's credentials that may call ``op`` (a job-board key for job postings...); a DELETE
    is not probed (it would delete the demo's record) and takes the first, full-access credential."""
    if op.method == "delete":
        return world["auths"][op.vendor][0]
    for auth in world["auths"][op.vendor]:
        probe = world["http"].request(
            op.method.upper(),
            url(op, world),
            content=b"{}",
            headers={"Content-Type": json_type(op) or "application/json"},
            auth=auth,
        )
        if probe.status_code not in (401, 403):
            return auth
    raise AssertionError(f"no default credential of {op.vendor} may call {op.id}")


def url(op: Operation, world: dict[str, Any]) -> str:
    """The operation's path with real ids: each ``{param}`` is what the demo created under the segment before it
    (``/candidates/{id}`` a candidate), a tenant the default credential's."""
    made = world["created"].get(op.vendor, {})
    params = {}
    segments = op.path.split("/")
    for i, segment in enumerate(segments):
        if segment.startswith("{"):
            name = segment[1:-1]
            if name == "tenant":
                grants = credentials(op.vendor)[0].grants
                params[name] = grants.split(",")[0].removeprefix("tenant ").strip()
                continue
            noun = segments[i - 1].rstrip("s") if name in ("id", "reference") else name.removesuffix("Id")
            params[name] = made.get(noun, "1")
    return op.url(**params)


def send(world: dict[str, Any], op: Operation, body: bytes | Iterator[bytes], content_type: str) -> httpx.Response:
    return world["http"].request(
        op.method.upper(),
        url(op, world),
        content=body,
        headers={"Content-Type": content_type},
        auth=world["auth"][op.id],
    )


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
