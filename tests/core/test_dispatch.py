"""The root dispatcher in-process: routing by prefix, X-Request-Id, journaling, and every fault kind."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from echo_vendor import ECHO

from mockservers.config import Settings
from mockservers.core.dispatch import ConnectionDropped
from mockservers.testing import AdminClient, in_process_client, make_app

TIMER_SLACK = 0.005
"""Event-loop timers may fire a few milliseconds early (libuv keeps time in whole, cached milliseconds)."""


def only_entry(admin: AdminClient) -> dict[str, Any]:
    entries = admin.requests()
    assert len(entries) == 1
    return entries[0]


def test_a_vendor_request_is_routed_by_prefix_and_journaled(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    response = echo_client.get("/echo/things/42", params={"q": "1"}, headers={"X-Trace": "t-1"})
    assert response.status_code == 200
    assert response.content == b'{"id":"42"}'
    entry = only_entry(echo_admin)
    assert response.headers["x-request-id"] == entry["id"]
    assert entry["vendor"] == "echo"
    assert entry["operation"] == "get_thing"
    assert entry["request"]["method"] == "GET"
    assert entry["request"]["path"] == "/echo/things/42"
    assert entry["request"]["query"] == "q=1"
    assert entry["request"]["url"] == "/echo/things/42?q=1"
    assert entry["request"]["headers"]["x-trace"] == "t-1"
    assert entry["request"]["bodySize"] == 0
    assert entry["response"] == {"status": 200, "errorCode": None}
    assert entry["fault"] is None
    assert entry["durationMs"] >= 0


def test_every_response_has_its_own_request_id(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    ids = [echo_client.get(f"/echo/things/{n}").headers["x-request-id"] for n in range(5)]
    assert len(set(ids)) == 5
    assert [e["id"] for e in echo_admin.requests()] == ids[::-1]


@pytest.mark.parametrize("path", ["/nowhere", "/", "/pageup/documents", "/echoes/things/1"])
def test_nothing_served_outside_the_prefixes_is_a_404_and_not_journaled(
    echo_client: httpx.Client, echo_admin: AdminClient, path: str
) -> None:
    response = echo_client.get(path)
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": f"nothing is served at {path}; vendors are under /echo, the admin API under /__admin",
        }
    }
    assert echo_admin.requests() == []


def test_admin_calls_are_not_journaled(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    echo_client.get("/__admin/clock")
    echo_client.get("/__admin/requests")
    assert "x-request-id" not in echo_client.get("/__admin/health").headers
    assert echo_admin.requests() == []


def test_the_bare_prefix_reaches_the_vendor(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    response = echo_client.get("/echo")
    assert (response.status_code, response.content) == (404, b'{"echo_error":"not_found"}')
    entry = only_entry(echo_admin)
    assert (entry["operation"], entry["response"]["status"], entry["request"]["path"]) == (None, 404, "/echo")


def test_head_is_journaled_under_the_get_operation(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    assert echo_client.head("/echo/things/1").status_code == 200
    assert only_entry(echo_admin)["operation"] == "get_thing"


def test_request_body_size_is_journaled(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    response = echo_client.post("/echo/things", content=b"a" * 1234)
    assert (response.status_code, response.json()) == (201, {"size": 1234})
    entry = only_entry(echo_admin)
    assert (entry["operation"], entry["request"]["bodySize"], entry["response"]["status"]) == (
        "create_thing",
        1234,
        201,
    )


def test_a_fault_that_answers_before_the_body_is_read_still_journals_its_size(
    echo_client: httpx.Client, echo_admin: AdminClient
) -> None:
    echo_admin.add_fault("echo.server_error", operation="create_thing")
    response = echo_client.post("/echo/things", content=b"b" * 88)
    assert response.status_code == 503
    entry = only_entry(echo_admin)
    assert (entry["fault"], entry["request"]["bodySize"]) == ("echo.server_error", 88)


def test_the_vendor_error_code_is_journaled(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    response = echo_client.get("/echo/refuse")
    assert (response.status_code, response.content) == (403, b'{"echo_error":"forbidden"}')
    assert only_entry(echo_admin)["response"] == {"status": 403, "errorCode": "forbidden"}


def test_an_unhandled_vendor_error_is_a_journaled_500(
    echo_client: httpx.Client, echo_admin: AdminClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="atsmock"):
        response = echo_client.get("/echo/crash")
    rid = response.headers["x-request-id"]
    assert response.status_code == 500
    assert response.json() == {"error": "internal_error", "requestId": rid}
    entry = only_entry(echo_admin)
    assert (entry["id"], entry["operation"], entry["response"]) == (
        rid,
        "crash",
        {"status": 500, "errorCode": "internal_error"},
    )
    assert [r.getMessage() for r in caplog.records] == ["unhandled error in GET /echo/crash"]


def test_a_vendor_scenario_answers_with_the_vendors_envelope(
    echo_client: httpx.Client, echo_admin: AdminClient
) -> None:
    echo_admin.add_fault("echo.server_error")
    response = echo_client.get("/echo/things/1")
    assert response.status_code == 503
    assert response.content == b'{"echo_error":"server_error"}'
    assert response.headers["retry-after"] == "7"
    assert response.headers["content-type"] == "application/json"
    entry = only_entry(echo_admin)
    assert entry["id"] == response.headers["x-request-id"]
    assert (entry["fault"], entry["response"]) == ("echo.server_error", {"status": 503, "errorCode": "server_error"})
    assert echo_client.get("/echo/things/1").status_code == 200  # times defaults to 1


@pytest.mark.parametrize(
    ("scenario", "message", "status"),
    [
        ("connection_reset", "connection reset by fault", None),
        ("empty_response", "empty response by fault", None),
        # The real status went out before the body was cut.
        ("truncated_body", "body truncated by fault", 200),
    ],
)
def test_in_process_connection_faults_raise_connection_dropped(
    echo_client: httpx.Client, echo_admin: AdminClient, scenario: str, message: str, status: int | None
) -> None:
    echo_admin.add_fault(scenario, vendor="echo")
    with pytest.raises(ConnectionDropped, match=f"^{message}$"):
        echo_client.get("/echo/blobs/1000")
    entry = only_entry(echo_admin)
    assert (entry["fault"], entry["operation"], entry["response"]) == (
        scenario,
        "get_blob",
        {"status": status, "errorCode": None},
    )
    # The fault fired once; the connection pool and the app still work.
    assert echo_client.get("/echo/blobs/3").content == b"xxx"


def test_in_process_malformed_body(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    echo_admin.add_fault("malformed_body")
    response = echo_client.get("/echo/refuse")
    assert response.status_code == 200
    assert response.content == b'{"malformed": tru'
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == "17"
    entry = only_entry(echo_admin)
    assert response.headers["x-request-id"] == entry["id"]
    # The vendor never ran, so it noted no error code.
    assert (entry["fault"], entry["response"]) == ("malformed_body", {"status": 200, "errorCode": None})


def test_in_process_delay_then_the_normal_answer(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    echo_admin.add_fault("delay", delay_ms=120)
    started = time.perf_counter()
    response = echo_client.get("/echo/things/7")
    elapsed = time.perf_counter() - started
    assert (response.status_code, response.content) == (200, b'{"id":"7"}')
    assert elapsed >= 0.12 - TIMER_SLACK
    entry = only_entry(echo_admin)
    assert entry["fault"] == "delay"
    assert entry["durationMs"] >= 120 - TIMER_SLACK * 1000


def test_delay_ms_on_another_scenario_waits_first(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    echo_admin.add_fault("malformed_body", delay_ms=100)
    started = time.perf_counter()
    assert echo_client.get("/echo/things/7").content == b'{"malformed": tru'
    assert time.perf_counter() - started >= 0.1 - TIMER_SLACK


def test_an_operation_fault_spares_other_operations(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    echo_admin.add_fault("malformed_body", operation="create_thing", times=0)
    assert echo_client.get("/echo/things/1").content == b'{"id":"1"}'
    assert echo_client.post("/echo/things", content=b"x").content == b'{"malformed": tru'
    assert echo_client.post("/echo/things", content=b"x").content == b'{"malformed": tru'


def test_s3_is_a_journaled_target_with_request_ids(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    response = echo_client.get("/s3/atsmock-no-such-bucket/key.txt")
    entry = only_entry(echo_admin)
    assert response.headers["x-request-id"] == entry["id"]
    assert (entry["vendor"], entry["request"]["path"]) == ("s3", "/s3/atsmock-no-such-bucket/key.txt")
    assert entry["response"]["status"] == response.status_code


def test_transport_faults_apply_to_s3(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    echo_admin.add_fault("connection_reset", vendor="s3")
    assert echo_client.get("/echo/things/1").status_code == 200
    with pytest.raises(ConnectionDropped):
        echo_client.get("/s3/bucket/key")
    assert [(e["vendor"], e["fault"]) for e in echo_admin.requests()] == [("s3", "connection_reset"), ("echo", None)]


def test_single_vendor_mode_serves_the_vendor_at_the_root(make_echo_app: Callable[..., Any]) -> None:
    app = make_echo_app(vendor="echo")
    assert app.platform.vendor_url("echo") == "http://testserver"
    with in_process_client(app) as client:
        admin = AdminClient(client)
        response = client.get("/things/5")
        assert (response.status_code, response.content) == (200, b'{"id":"5"}')
        entry = only_entry(admin)
        assert (entry["vendor"], entry["operation"], entry["request"]["path"]) == ("echo", "get_thing", "/things/5")
        assert response.headers["x-request-id"] == entry["id"]
        # The prefix is not special any more: it is just an unknown vendor path.
        prefixed = client.get("/echo/things/5")
        assert (prefixed.status_code, prefixed.content) == (404, b'{"echo_error":"not_found"}')
        assert admin.requests(limit=1)[0]["operation"] is None
        # Admin and S3 stay where they were.
        assert client.get("/__admin/health").status_code == 200
        client.get("/s3/bucket/key")
        assert admin.requests(limit=1)[0]["vendor"] == "s3"


# --- shutdown: what uvicorn cancels ------------------------------------------------------------------------


async def _receive_nothing() -> dict[str, Any]:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


def test_a_delay_cancelled_by_shutdown_drops_the_connection_without_answering(
    echo_app: Any, echo_admin: AdminClient
) -> None:
    # uvicorn cancels requests still running when its graceful shutdown times out.
    echo_admin.add_fault("delay", delay_ms=60_000)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def cancelled_mid_delay() -> None:
        scope = {"type": "http", "method": "GET", "path": "/echo/things/1", "headers": [], "query_string": b""}
        task = asyncio.ensure_future(echo_app(scope, _receive_nothing, send))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(ConnectionDropped, match=r"^empty response by fault$"):
            await task

    asyncio.run(cancelled_mid_delay())
    assert sent == []
    entry = only_entry(echo_admin)
    assert (entry["fault"], entry["response"]) == ("delay", {"status": None, "errorCode": None})


def test_lifespan_cancelled_without_a_shutdown_message_ends_quietly(echo_app: Any) -> None:
    # A second Ctrl-C makes uvicorn exit at once: the lifespan task is cancelled, never told to shut down.
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def cancelled_lifespan() -> None:
        task = asyncio.ensure_future(echo_app({"type": "lifespan"}, _receive_nothing, send))
        await asyncio.sleep(0.01)
        task.cancel()
        assert await task is None

    asyncio.run(cancelled_lifespan())
    assert sent == []


def test_request_ids_are_version_4_uuids_unique_and_ordered() -> None:
    import itertools
    import uuid

    from mockservers.core.dispatch import RequestIds

    ids, other = RequestIds(), RequestIds()
    drawn = [ids() for _ in range(1000)]
    parsed = [uuid.UUID(i) for i in drawn]
    assert {(u.version, u.variant) for u in parsed} == {(4, uuid.RFC_4122)}
    assert [str(u) for u in parsed] == drawn
    assert len(set(drawn)) == 1000
    assert drawn[0][:24] == drawn[-1][:24] != other()[:24]
    steps = {(int(b[24:], 16) - int(a[24:], 16)) % 2**48 for a, b in itertools.pairwise(drawn)}
    assert steps == {1}  # counting up (and wrapping within the last 48 bits, never into the prefix)


@pytest.mark.parametrize(
    ("single", "api_url"), [("", "http://testserver/echo/things"), ("echo", "http://testserver/things")]
)
def test_a_vendors_api_url_is_its_api_path_below_its_mount(single: str, api_url: str) -> None:
    """``Vendor.api_path``: where the API a connector configures sits below the mount (WTTJ's ``/api/v1/external``)."""
    echo = dataclasses.replace(ECHO, api_path="/things")
    app = make_app(Settings(registry=[echo]).with_server(vendor=single), vendors=[echo])
    assert app.platform.api_url("echo") == api_url
    assert make_app(Settings(registry=[ECHO]), vendors=[ECHO]).platform.api_url("echo") == "http://testserver/echo"
    with in_process_client(app) as client:
        response = client.get(f"{api_url}/5")
        assert (response.status_code, response.content) == (200, b'{"id":"5"}')
