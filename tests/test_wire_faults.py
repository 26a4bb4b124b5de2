"""Transport faults over a real socket: httpx against a live uvicorn on an ephemeral port, and raw bytes.

What a client sees is pinned exactly (exception type and message, status, headers, bytes), on the echo
vendor (whose answers we know) and on every mounted vendor and S3 of the real app.
"""

from __future__ import annotations

import json
import random
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockservers.testing import AdminClient

pytestmark = pytest.mark.live

TIMER_SLACK = 0.005
"""Event-loop timers may fire a few milliseconds early (libuv keeps time in whole, cached milliseconds)."""


@pytest.fixture
def http(echo_live: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=echo_live.url, timeout=5) as c:
        yield c


@pytest.fixture
def admin(http: httpx.Client) -> AdminClient:
    return AdminClient(http)


def last_entry(admin: AdminClient) -> dict[str, Any]:
    return admin.requests(limit=1)[0]


def raw_exchange(url: str, path: str) -> tuple[bytes, BaseException | None]:
    """Send one HTTP/1.1 request on a fresh socket; everything received until close, and how it ended."""
    host, port = url.removeprefix("http://").split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as exc:
            return received, exc
    return received, None


def test_connection_reset_is_a_tcp_reset(echo_live: Any, http: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("connection_reset", vendor="echo")
    with pytest.raises(httpx.ReadError) as raised:
        http.get("/echo/things/1")
    assert type(raised.value) is httpx.ReadError
    assert str(raised.value) == "[Errno 104] Connection reset by peer"
    entry = last_entry(admin)
    assert (entry["fault"], entry["operation"], entry["response"]) == (
        "connection_reset",
        "get_thing",
        {"status": None, "errorCode": None},
    )
    admin.add_fault("connection_reset", vendor="echo")
    received, ended = raw_exchange(echo_live.url, "/echo/things/1")
    assert received == b""
    assert isinstance(ended, ConnectionResetError)
    # The server is unharmed: the next request on a new connection is answered.
    assert http.get("/echo/things/1").content == b'{"id":"1"}'


def test_empty_response_closes_cleanly_without_a_byte(echo_live: Any, http: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("empty_response", vendor="echo")
    with pytest.raises(httpx.RemoteProtocolError) as raised:
        http.get("/echo/things/1")
    assert str(raised.value) == "Server disconnected without sending a response."
    assert last_entry(admin)["response"] == {"status": None, "errorCode": None}
    admin.add_fault("empty_response", vendor="echo")
    assert raw_exchange(echo_live.url, "/echo/things/1") == (b"", None)
    assert http.get("/echo/things/1").status_code == 200


@pytest.mark.parametrize(
    ("scenario", "error", "message"),
    [
        ("connection_reset", httpx.ReadError, "[Errno 104] Connection reset by peer"),
        ("empty_response", httpx.RemoteProtocolError, "Server disconnected without sending a response."),
    ],
)
@pytest.mark.parametrize("size", [100_000, 5_000_000])
def test_connection_faults_on_an_upload_read_the_body_first(
    http: httpx.Client, admin: AdminClient, scenario: str, error: type[Exception], message: str, size: int
) -> None:
    # Closing with unread request bytes makes the kernel reset: empty_response must still close cleanly,
    # and connection_reset must not reach the client while it is still writing.
    admin.add_fault(scenario, vendor="echo")
    with pytest.raises(error) as raised:
        http.post("/echo/things", content=b"u" * size)
    assert type(raised.value) is error
    assert str(raised.value) == message
    entry = last_entry(admin)
    assert (entry["fault"], entry["request"]["bodySize"], entry["response"]) == (
        scenario,
        size,
        {"status": None, "errorCode": None},
    )
    assert http.post("/echo/things", content=b"u" * size).json() == {"size": size}


@pytest.mark.parametrize(("size", "announced", "sent"), [(1000, 1000, 500), (10, 64, 5)])
def test_truncated_body_announces_more_than_it_sends(
    echo_live: Any, http: httpx.Client, admin: AdminClient, size: int, announced: int, sent: int
) -> None:
    admin.add_fault("truncated_body", vendor="echo", operation="get_blob")
    received = b""
    with http.stream("GET", f"/echo/blobs/{size}") as response:
        assert response.status_code == 200
        assert response.headers["content-length"] == str(announced)
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["x-request-id"] == last_entry(admin)["id"]
        with pytest.raises(httpx.RemoteProtocolError) as raised:
            for chunk in response.iter_raw():
                received += chunk
    assert received == b"x" * sent
    assert str(raised.value) == (
        f"peer closed connection without sending complete message body (received {sent} bytes, expected {announced})"
    )
    entry = last_entry(admin)
    assert (entry["fault"], entry["response"]) == ("truncated_body", {"status": 200, "errorCode": None})

    admin.add_fault("truncated_body", vendor="echo")
    raw, ended = raw_exchange(echo_live.url, f"/echo/blobs/{size}")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert ended is None
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert f"content-length: {announced}".encode() in head.lower().split(b"\r\n")
    assert body == b"x" * sent


def test_malformed_body_is_a_200_that_is_not_json(http: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("malformed_body", vendor="echo")
    response = http.get("/echo/refuse")
    assert response.status_code == 200
    assert response.content == b'{"malformed": tru'
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == "17"
    assert response.headers["x-request-id"] == last_entry(admin)["id"]
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_delay_then_the_normal_answer(http: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("delay", vendor="echo", delay_ms=150)
    started = time.perf_counter()
    response = http.get("/echo/things/9")
    assert time.perf_counter() - started >= 0.15 - TIMER_SLACK
    assert (response.status_code, response.content) == (200, b'{"id":"9"}')
    entry = last_entry(admin)
    assert response.headers["x-request-id"] == entry["id"]
    assert entry["fault"] == "delay"
    assert entry["durationMs"] >= 150 - TIMER_SLACK * 1000
    # A client with a shorter timeout gives up: what the scenario is for.
    admin.add_fault("delay", vendor="echo", delay_ms=300)
    with pytest.raises(httpx.ReadTimeout):
        http.get("/echo/things/9", timeout=0.05)


def test_vendor_scenario_over_the_wire(http: httpx.Client, admin: AdminClient) -> None:
    admin.add_fault("echo.server_error")
    response = http.get("/echo/things/1")
    assert (response.status_code, response.content) == (503, b'{"echo_error":"server_error"}')
    assert response.headers["retry-after"] == "7"
    assert response.headers["x-request-id"] == last_entry(admin)["id"]


def test_request_ids_over_the_wire(http: httpx.Client, admin: AdminClient) -> None:
    ids = [http.get(f"/echo/things/{n}").headers["x-request-id"] for n in range(3)]
    assert [e["id"] for e in admin.requests()] == ids[::-1]


def test_a_seeded_reset_schedule_repeats_over_the_wire(http: httpx.Client, admin: AdminClient) -> None:
    def run() -> list[int]:
        admin.add_fault("connection_reset", vendor="echo", times=0, probability=0.4, seed=99)
        reset = []
        for n in range(25):
            try:
                http.get(f"/echo/things/{n}")
            except httpx.ReadError:
                reset.append(n)
        admin.clear_faults()
        return reset

    first = run()
    assert run() == first
    draws = random.Random(99)
    assert first == [n for n in range(25) if draws.random() < 0.4]


# --- the real app: every mounted vendor and S3 -----------------------------------------------------------------


def probe_path(target: str) -> str:
    """A path under the target that needs no state; whatever it answers, faults must change it the same way."""
    return "/s3/atsmock-probe-bucket/probe.txt" if target == "s3" else f"/{target}/atsmock-probe"


def targets(live: Any) -> list[str]:
    return [*live.platform.vendors, "s3"]


def test_the_real_app_mounts_the_vendors_and_s3(live: Any) -> None:
    assert targets(live) == ["pageup", "ashby", "endorsed", "s3"]


def test_every_transport_fault_on_every_vendor_and_s3(live: Any) -> None:
    with httpx.Client(base_url=live.url, timeout=5) as http:
        admin = AdminClient(http)
        for target in targets(live):
            path = probe_path(target)
            baseline = http.get(path)
            entry = last_entry(admin)
            assert baseline.headers["x-request-id"] == entry["id"]
            assert (entry["vendor"], entry["response"]["status"]) == (target, baseline.status_code)

            admin.add_fault("connection_reset", vendor=target)
            with pytest.raises(httpx.ReadError, match="Connection reset by peer"):
                http.get(path)

            admin.add_fault("empty_response", vendor=target)
            with pytest.raises(httpx.RemoteProtocolError, match=r"^Server disconnected without sending a response\.$"):
                http.get(path)

            admin.add_fault("truncated_body", vendor=target)
            with http.stream("GET", path) as response:
                assert response.status_code == baseline.status_code
                announced = int(response.headers["content-length"])
                assert announced == max(len(baseline.content), 64)
                with pytest.raises(
                    httpx.RemoteProtocolError, match=r"^peer closed connection without sending complete message body"
                ):
                    response.read()

            admin.add_fault("malformed_body", vendor=target)
            malformed = http.get(path)
            assert (malformed.status_code, malformed.content) == (200, b'{"malformed": tru')

            admin.add_fault("delay", vendor=target, delay_ms=20)
            delayed = http.get(path)
            assert delayed.status_code == baseline.status_code

            faults = [(e["vendor"], e["fault"]) for e in admin.requests(vendor=target, limit=5)]
            assert faults == [
                (target, "delay"),
                (target, "malformed_body"),
                (target, "truncated_body"),
                (target, "empty_response"),
                (target, "connection_reset"),
            ]
            assert admin.requests(vendor=target)[-1]["fault"] is None
