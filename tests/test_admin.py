"""The admin API under /__admin: clock, reset, health, journal, faults, scenarios, OpenAPI and the token."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jsonschema
import pytest
from starlette.routing import Route

from contracts import load_openapi
from mockservers.core.tokens import TokenError
from mockservers.testing import AdminClient, in_process_client
from mockservers.vendors import registered, served

NOT_MOUNTED = registered()[0].name
"""A real vendor's name, which the echo-only app used here does not mount."""

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


# --- clock -----------------------------------------------------------------------------------------------------


def test_get_clock(echo_client: httpx.Client) -> None:
    response = echo_client.get("/__admin/clock")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"now", "offset_seconds", "frozen"}
    assert ISO.match(body["now"])
    assert body["frozen"] is False
    assert abs(body["offset_seconds"]) < 1
    assert abs(parse_iso(body["now"]) - datetime.now(UTC)) < timedelta(seconds=2)


def test_advance_freeze_unfreeze_and_reset(echo_client: httpx.Client) -> None:
    frozen = echo_client.post("/__admin/clock/freeze").json()
    assert frozen["frozen"] is True
    assert echo_client.get("/__admin/clock").json()["now"] == frozen["now"]

    advanced = echo_client.post("/__admin/clock/advance", json={"seconds": 90.5})
    assert advanced.status_code == 200
    body = advanced.json()
    assert body["frozen"] is True
    assert parse_iso(body["now"]) - parse_iso(frozen["now"]) == timedelta(seconds=90.5)

    back = echo_client.post("/__admin/clock/advance", json={"seconds": -3600}).json()
    assert parse_iso(back["now"]) - parse_iso(body["now"]) == timedelta(hours=-1)

    resumed = echo_client.post("/__admin/clock/unfreeze").json()
    assert resumed["frozen"] is False
    # No jump: mock time resumes from the frozen instant.
    assert timedelta(0) <= parse_iso(resumed["now"]) - parse_iso(back["now"]) < timedelta(seconds=1)

    reset = echo_client.post("/__admin/clock/reset").json()
    assert reset["frozen"] is False
    assert abs(reset["offset_seconds"]) < 1


def test_advance_moves_the_running_clock(echo_client: httpx.Client) -> None:
    body = echo_client.post("/__admin/clock/advance", json={"seconds": 86_400}).json()
    assert 86_399 < body["offset_seconds"] < 86_401
    assert body["frozen"] is False


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", error("invalid_request", "a JSON body is required")),
        (b"{", error("invalid_json", "the body is not valid JSON")),
        (b"{}", error("invalid_request", "seconds must be a number")),
        (b"[]", error("invalid_request", "seconds must be a number")),
        (b'{"seconds": "10"}', error("invalid_request", "seconds must be a number")),
        (b'{"seconds": true}', error("invalid_request", "seconds must be a number")),
        (b'{"seconds": null}', error("invalid_request", "seconds must be a number")),
        (b'{"seconds": NaN}', error("invalid_json", "the body is not valid JSON")),  # NaN is no JSON
    ],
)
def test_advance_rejects_what_is_not_a_number(echo_client: httpx.Client, content: bytes, expected: Any) -> None:
    response = echo_client.post("/__admin/clock/advance", content=content)
    assert (response.status_code, response.json()) == (400, expected)


@pytest.mark.parametrize("seconds", [b"1e400", b"-1e400", b"1e300", b"1e12", b"-1e12", b"1" + b"0" * 400])
def test_advance_out_of_range_is_refused_and_the_clock_still_works(echo_client: httpx.Client, seconds: bytes) -> None:
    response = echo_client.post("/__admin/clock/advance", content=b'{"seconds": ' + seconds + b"}")
    assert response.status_code == 400
    assert response.json() == error("invalid_request", "seconds would move the clock beyond the years 1..9999")
    clock = echo_client.get("/__admin/clock")
    assert clock.status_code == 200
    assert abs(clock.json()["offset_seconds"]) < 1
    assert echo_client.get("/echo/things/1").status_code == 200


def test_tokens_expire_on_the_admin_clock(echo_app: Any, echo_client: httpx.Client) -> None:
    tokens = echo_app.platform.tokens
    # Frozen: a running clock may cross a whole second between issue (which truncates) and verify.
    echo_client.post("/__admin/clock/freeze")
    issued = tokens.issue("echo", "c", [], 300)
    echo_client.post("/__admin/clock/advance", json={"seconds": 299})
    assert tokens.verify("echo", issued.token) == issued
    echo_client.post("/__admin/clock/advance", json={"seconds": 2})
    with pytest.raises(TokenError) as raised:
        tokens.verify("echo", issued.token)
    assert raised.value.reason == "expired"
    echo_client.post("/__admin/clock/reset")
    assert tokens.verify("echo", issued.token) == issued


# --- reset -----------------------------------------------------------------------------------------------------


def test_reset_all_wipes_journal_faults_tokens_clock_and_every_vendor(
    echo_vendor: Any, echo_app: Any, echo_client: httpx.Client, echo_admin: AdminClient
) -> None:
    platform = echo_app.platform
    echo_client.get("/echo/things/1")
    echo_admin.add_fault("malformed_body", times=0)
    echo_admin.freeze()
    echo_admin.advance(3600)
    token = platform.tokens.issue("echo", "c", [], 300).token
    resets_before = echo_vendor.resets

    response = echo_client.post("/__admin/reset")
    assert (response.status_code, response.json()) == (200, {"reset": "all"})
    assert echo_client.get("/__admin/requests").json() == {"requests": [], "meta": {"total": 0}}
    assert echo_client.get("/__admin/faults").json() == {"faults": []}
    clock = echo_admin.clock()
    assert clock["frozen"] is False
    assert abs(clock["offset_seconds"]) < 1
    with pytest.raises(TokenError):
        platform.tokens.verify("echo", token)
    assert echo_vendor.resets == resets_before + 1


def test_reset_one_vendor_leaves_the_rest(
    echo_vendor: Any, echo_app: Any, echo_client: httpx.Client, echo_admin: AdminClient
) -> None:
    platform = echo_app.platform
    echo_client.get("/echo/things/1")
    echo_client.get("/s3/bucket/key")
    echo_admin.add_fault("malformed_body", vendor="echo", times=0)
    everywhere = echo_admin.add_fault("empty_response", operation="create_thing")
    on_s3 = echo_admin.add_fault("connection_reset", vendor="s3", operation="put_object")
    echo_admin.freeze()
    frozen_now = echo_admin.advance(600)["now"]
    echo_token = platform.tokens.issue("echo", "c", [], 300)
    other_token = platform.tokens.issue("pageup", "c", [], 300)
    resets_before = echo_vendor.resets

    response = echo_client.post("/__admin/reset", params={"vendor": "echo"})
    assert (response.status_code, response.json()) == (200, {"reset": "echo"})
    assert [e["vendor"] for e in echo_admin.requests()] == ["s3"]
    assert [f["id"] for f in echo_client.get("/__admin/faults").json()["faults"]] == [everywhere, on_s3]
    assert echo_admin.clock()["now"] == frozen_now  # the clock is everyone's: left alone
    with pytest.raises(TokenError):
        platform.tokens.verify("echo", echo_token.token)
    assert platform.tokens.verify("pageup", other_token.token) == other_token
    assert echo_vendor.resets == resets_before + 1


def test_reset_s3_only(echo_vendor: Any, echo_app: Any, echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    echo_client.get("/echo/things/1")
    echo_client.get("/s3/bucket/key")
    resets_before = echo_vendor.resets
    response = echo_client.post("/__admin/reset?vendor=s3")
    assert (response.status_code, response.json()) == (200, {"reset": "s3"})
    assert [e["vendor"] for e in echo_admin.requests()] == ["echo"]
    assert echo_vendor.resets == resets_before


@pytest.mark.parametrize("vendor", [NOT_MOUNTED, "nope", ""])
def test_reset_an_unknown_vendor_is_a_400_naming_it(echo_client: httpx.Client, vendor: str) -> None:
    response = echo_client.post("/__admin/reset", params={"vendor": vendor})
    assert (response.status_code, response.json()) == (400, error("unknown_vendor", f"unknown vendor '{vendor}'"))


# --- health ----------------------------------------------------------------------------------------------------


def test_health_is_200_when_every_component_answers(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    now = echo_admin.freeze()["now"]
    response = echo_client.get("/__admin/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "components": {"echo": True, "s3": True}, "now": now}


def test_health_is_503_when_a_vendor_cannot_answer(echo_vendor: Any, echo_app: Any, echo_client: httpx.Client) -> None:
    echo_vendor.is_ready = False
    response = echo_client.get("/__admin/health")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["components"]) == ("unavailable", {"echo": False, "s3": True})


def test_health_is_503_when_s3_cannot_answer(
    echo_app: Any, echo_client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def not_ready() -> bool:
        return False

    monkeypatch.setattr(echo_app.platform.s3, "ready", not_ready)
    response = echo_client.get("/__admin/health")
    assert response.status_code == 503
    assert response.json()["components"] == {"echo": True, "s3": False}


def test_health_of_the_real_app_covers_every_mounted_vendor_and_s3(client: httpx.Client, app: Any) -> None:
    response = client.get("/__admin/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["components"] == {**{v.name: True for v in served()}, "s3": True}
    assert list(app.platform.vendors) == [v.name for v in served()]


# --- journal ---------------------------------------------------------------------------------------------------


def test_request_id_header_equals_the_journal_entry(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    echo_admin.freeze()
    now = echo_admin.advance(86_400)["now"]
    response = echo_client.post("/echo/things?x=1", content=b"12345", headers={"Content-Type": "text/plain"})
    rid = response.headers["x-request-id"]
    uuid.UUID(rid)
    one = echo_client.get(f"/__admin/requests/{rid}")
    assert one.status_code == 200
    entry = one.json()
    assert entry == {
        "id": rid,
        "loggedDate": now,  # mock-clock time, not real time
        "vendor": "echo",
        "operation": "create_thing",
        "request": {
            "method": "POST",
            "url": "/echo/things?x=1",
            "path": "/echo/things",
            "query": "x=1",
            "headers": {
                "host": "testserver",
                "accept": "*/*",
                "accept-encoding": "gzip, deflate",
                "connection": "keep-alive",
                "user-agent": f"python-httpx/{httpx.__version__}",
                "content-length": "5",
                "content-type": "text/plain",
            },
            "bodySize": 5,
        },
        "response": {"status": 201, "errorCode": None},
        "durationMs": entry["durationMs"],
        "fault": None,
    }
    assert isinstance(entry["durationMs"], float) and entry["durationMs"] >= 0
    assert echo_client.get("/__admin/requests").json()["requests"] == [entry]


def test_secrets_never_reach_the_journal(echo_client: httpx.Client) -> None:
    secrets = ["Bearer-tok-1a", "cookie-2b", "apikey-3c", "secret-4d", "sig-5e", "token-6f", "refresh-7g"]
    echo_client.get(
        "/echo/things/1",
        params={"client_secret": secrets[3], "X-Amz-Signature": secrets[4], "access_token": secrets[5], "a": "b"},
        headers={
            "Authorization": f"Bearer {secrets[0]}",
            "Cookie": f"session={secrets[1]}",
            "X-Api-Key": secrets[2],
            "X-Refresh-Token": secrets[6],
        },
    )
    text = echo_client.get("/__admin/requests").text
    assert not [s for s in secrets if s in text]
    entry = echo_client.get("/__admin/requests").json()["requests"][0]
    assert (
        entry["request"]["query"] == "client_secret=[redacted]&X-Amz-Signature=[redacted]&access_token=[redacted]&a=b"
    )
    headers = entry["request"]["headers"]
    assert [headers[h] for h in ("authorization", "cookie", "x-api-key", "x-refresh-token")] == ["[redacted]"] * 4


def test_list_requests_filters_newest_first_with_total(echo_client: httpx.Client) -> None:
    echo_client.get("/echo/things/1")  # get_thing 200
    echo_client.post("/echo/things", content=b"x")  # create_thing 201
    echo_client.get("/echo/refuse")  # refuse 403
    echo_client.get("/echo/things/2")  # get_thing 200
    echo_client.get("/s3/bucket/key")  # s3

    def listed(**params: Any) -> tuple[list[tuple[str, str | None, int]], int]:
        response = echo_client.get("/__admin/requests", params=params)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"requests", "meta"}
        rows = [(e["vendor"], e["operation"], e["request"]["path"]) for e in body["requests"]]
        return rows, body["meta"]["total"]  # type: ignore[return-value]

    rows, total = listed()
    assert [r[2] for r in rows] == [
        "/s3/bucket/key",
        "/echo/things/2",
        "/echo/refuse",
        "/echo/things",
        "/echo/things/1",
    ]
    assert total == 5
    assert listed(vendor="echo")[1] == 4
    assert listed(vendor="echo", operation="get_thing") == (
        [("echo", "get_thing", "/echo/things/2"), ("echo", "get_thing", "/echo/things/1")],
        2,
    )
    assert listed(status=403) == ([("echo", "refuse", "/echo/refuse")], 1)
    assert listed(status=201, vendor="echo") == ([("echo", "create_thing", "/echo/things")], 1)
    assert listed(vendor="echo", limit=1) == ([("echo", "get_thing", "/echo/things/2")], 4)
    assert listed(limit=0) == ([], 5)
    assert listed(vendor="", operation="", status="", limit="")[1] == 5  # empty means no filter
    assert listed(vendor="s3") == ([("s3", "get_object", "/s3/bucket/key")], 1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "abc"}, "status must be an integer"),
        ({"limit": "ten"}, "limit must be an integer"),
        ({"limit": "-1"}, "limit must be an integer >= 0"),
    ],
)
def test_list_requests_rejects_bad_parameters_as_faults_and_reset_do(
    echo_client: httpx.Client, params: dict[str, str], message: str
) -> None:
    echo_client.get("/echo/things/1")
    echo_client.get("/echo/things/2")
    response = echo_client.get("/__admin/requests", params=params)
    assert (response.status_code, response.json()) == (400, error("invalid_request", message))


@pytest.mark.parametrize("vendor", [NOT_MOUNTED, "foo"])
def test_list_requests_of_an_unknown_vendor_is_a_400_as_for_faults_and_reset(
    echo_client: httpx.Client, vendor: str
) -> None:
    response = echo_client.get("/__admin/requests", params={"vendor": vendor})
    assert (response.status_code, response.json()) == (400, error("unknown_vendor", f"unknown vendor '{vendor}'"))


def test_get_unknown_request_is_404(echo_client: httpx.Client) -> None:
    response = echo_client.get("/__admin/requests/nope")
    assert (response.status_code, response.json()) == (
        404,
        error("not_found", "no request with id 'nope' in the journal"),
    )


def test_delete_requests_empties_the_journal(echo_client: httpx.Client) -> None:
    rid = echo_client.get("/echo/things/1").headers["x-request-id"]
    response = echo_client.delete("/__admin/requests")
    assert (response.status_code, response.content) == (204, b"")
    assert echo_client.get("/__admin/requests").json() == {"requests": [], "meta": {"total": 0}}
    assert echo_client.get(f"/__admin/requests/{rid}").status_code == 404


def test_the_journal_is_bounded_by_journal_size(make_echo_app: Callable[..., Any]) -> None:
    with in_process_client(make_echo_app(journal_size=3)) as client:
        ids = [client.get(f"/echo/things/{n}").headers["x-request-id"] for n in range(7)]
        body = client.get("/__admin/requests").json()
        assert [e["id"] for e in body["requests"]] == ids[:3:-1]
        assert body["meta"]["total"] == 3
        assert client.get(f"/__admin/requests/{ids[3]}").status_code == 404
        assert client.get(f"/__admin/requests/{ids[4]}").status_code == 200


# --- faults ----------------------------------------------------------------------------------------------------


def test_add_fault_answers_201_with_the_fault(echo_client: httpx.Client) -> None:
    response = echo_client.post(
        "/__admin/faults",
        json={"scenario": "delay", "vendor": "echo", "operation": "get_thing", "times": 3, "delay_ms": 10, "seed": 4},
    )
    assert response.status_code == 201
    body = response.json()
    uuid.UUID(body["id"])
    assert body == {
        "id": body["id"],
        "scenario": "delay",
        "vendor": "echo",
        "operation": "get_thing",
        "times": 3,
        "remaining": 3,
        "fired": 0,
        "probability": 1.0,
        "seed": 4,
        "delay_ms": 10,
    }
    assert echo_client.get("/__admin/faults").json() == {"faults": [body]}


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"scenario": "nope"}, 400, error("unknown_scenario", "unknown scenario 'nope'")),
        (
            {"scenario": "empty_response", "vendor": NOT_MOUNTED},
            400,
            error("unknown_vendor", f"unknown vendor '{NOT_MOUNTED}'"),
        ),
        (
            {"scenario": "empty_response", "vendor": "echo", "operation": "put_object"},
            400,
            error(
                "unknown_operation",
                "unknown operation 'put_object' for vendor 'echo'; "
                "valid: crash, create_thing, get_blob, get_thing, refuse",
            ),
        ),
        (
            {"scenario": "empty_response", "operation": "nope"},
            400,
            error(
                "unknown_operation",
                "unknown operation 'nope'; valid: delete_object, get_object, head_object, post_object, put_object, "
                "crash, create_thing, get_blob, get_thing, refuse",
            ),
        ),
        ({"scenario": "pageup.server_error"}, 400, error("unknown_scenario", "unknown scenario 'pageup.server_error'")),
        ({"scenario": "empty_response", "times": -1}, 400, error("invalid_request", "times must be an integer >= 0")),
        ([1, 2], 400, error("invalid_request", "body must be a JSON object")),
    ],
)
def test_add_fault_errors_name_what_is_unknown(
    echo_client: httpx.Client, body: Any, status: int, expected: Any
) -> None:
    response = echo_client.post("/__admin/faults", json=body)
    assert (response.status_code, response.json()) == (status, expected)
    assert echo_client.get("/__admin/faults").json() == {"faults": []}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", error("invalid_request", "a JSON body is required")),
        (b"scenario=delay", error("invalid_json", "the body is not valid JSON")),
    ],
)
def test_add_fault_needs_a_json_body(echo_client: httpx.Client, content: bytes, expected: Any) -> None:
    response = echo_client.post("/__admin/faults", content=content)
    assert (response.status_code, response.json()) == (400, expected)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"scenario": "malformed_body", "probability": 1e400}', "probability must be a number 0.0..1.0"),
        (b'{"scenario": "malformed_body", "times": -1e400}', "times must be an integer >= 0"),
        (b'{"scenario": "delay", "delay_ms": 1' + b"0" * 400 + b"}", "delay_ms must be an integer 0..600000"),
    ],
)
def test_add_fault_refuses_non_finite_and_huge_numbers(
    echo_client: httpx.Client, content: bytes, expected: str
) -> None:
    response = echo_client.post("/__admin/faults", content=content)
    assert (response.status_code, response.json()) == (400, error("invalid_request", expected))
    listed = echo_client.get("/__admin/faults")
    assert (listed.status_code, listed.json()) == (200, {"faults": []})
    assert echo_client.get("/echo/things/1").content == b'{"id":"1"}'


def test_times_counts_down_then_the_fault_disappears(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    fault_id = echo_admin.add_fault("malformed_body", vendor="echo", times=2)
    assert echo_client.get("/echo/things/1").content == b'{"malformed": tru'
    listed = echo_client.get("/__admin/faults").json()["faults"]
    assert [(f["id"], f["fired"], f["remaining"]) for f in listed] == [(fault_id, 1, 1)]
    assert echo_client.get("/echo/things/1").content == b'{"malformed": tru'
    assert echo_client.get("/__admin/faults").json() == {"faults": []}
    assert echo_client.get("/echo/things/1").content == b'{"id":"1"}'
    response = echo_client.delete(f"/__admin/faults/{fault_id}")
    assert (response.status_code, response.json()) == (404, error("not_found", f"no fault with id '{fault_id}'"))


def test_times_zero_fires_until_deleted(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    fault_id = echo_admin.add_fault("malformed_body", times=0)
    for _ in range(10):
        assert echo_client.get("/echo/things/1").content == b'{"malformed": tru'
    listed = echo_client.get("/__admin/faults").json()["faults"]
    assert [(f["fired"], f["remaining"]) for f in listed] == [(10, None)]
    response = echo_client.delete(f"/__admin/faults/{fault_id}")
    assert (response.status_code, response.content) == (204, b"")
    assert echo_client.get("/echo/things/1").content == b'{"id":"1"}'


def test_delete_all_faults(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    first = echo_admin.add_fault("malformed_body", times=0)
    second = echo_admin.add_fault("empty_response", vendor="s3")
    assert [f["id"] for f in echo_client.get("/__admin/faults").json()["faults"]] == [first, second]
    response = echo_client.delete("/__admin/faults")
    assert (response.status_code, response.content) == (204, b"")
    assert echo_client.get("/__admin/faults").json() == {"faults": []}
    assert echo_client.get("/echo/things/1").status_code == 200


def fired_on(client: httpx.Client, admin: AdminClient, count: int) -> list[int]:
    for n in range(count):
        client.get(f"/echo/things/{n}")
    entries = admin.requests(vendor="echo")[::-1]
    return [n for n, e in enumerate(entries) if e["fault"] is not None]


def test_the_same_seed_fires_on_the_same_requests_again(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    spec = {"vendor": "echo", "times": 0, "probability": 0.3, "seed": 20260101}
    echo_admin.add_fault("malformed_body", **spec)
    first = fired_on(echo_client, echo_admin, 40)
    echo_admin.reset()
    echo_admin.add_fault("malformed_body", **spec)
    assert fired_on(echo_client, echo_admin, 40) == first
    draws = random.Random(20260101)
    assert first == [n for n in range(40) if draws.random() < 0.3]
    assert 0 < len(first) < 40

    echo_admin.reset()
    echo_admin.add_fault("malformed_body", **{**spec, "seed": 7})
    assert fired_on(echo_client, echo_admin, 40) != first


# --- scenarios -------------------------------------------------------------------------------------------------


def test_scenarios_list_transport_and_vendor_scenarios(echo_client: httpx.Client) -> None:
    response = echo_client.get("/__admin/scenarios")
    assert response.status_code == 200
    scenarios = response.json()["scenarios"]
    transport = [s for s in scenarios if s["vendor"] == "*"]
    assert [s["name"] for s in transport] == [
        "delay",
        "connection_reset",
        "empty_response",
        "truncated_body",
        "malformed_body",
    ]
    assert all(s["status"] is None and s["description"] for s in transport)
    assert {
        "name": "echo.server_error",
        "vendor": "echo",
        "description": "Answer 503 with the echo envelope.",
        "status": 503,
    } in scenarios
    assert all(set(s) == {"name", "vendor", "description", "status"} for s in scenarios)


def test_every_mounted_vendor_registers_its_server_error(client: httpx.Client, app: Any) -> None:
    scenarios = client.get("/__admin/scenarios").json()["scenarios"]
    assert all(set(s) == {"name", "vendor", "description", "status"} for s in scenarios)
    names = {s["name"]: s for s in scenarios}
    assert len(names) == len(scenarios)
    for vendor in app.platform.vendors:
        server_error = names[f"{vendor}.server_error"]
        assert server_error["vendor"] == vendor
        assert 500 <= server_error["status"] <= 599
    for s in scenarios:
        if s["vendor"] != "*":
            assert s["name"].startswith(f"{s['vendor']}.")
            assert isinstance(s["status"], int)
            # Every listed scenario can be scheduled.
            assert client.post("/__admin/faults", json={"scenario": s["name"]}).status_code == 201


# --- errors, OpenAPI -------------------------------------------------------------------------------------------


def test_unknown_admin_endpoint_and_method(echo_client: httpx.Client) -> None:
    response = echo_client.get("/__admin/nope")
    assert (response.status_code, response.json()) == (404, error("not_found", "no admin endpoint GET /__admin/nope"))
    response = echo_client.put("/__admin/clock")
    assert (response.status_code, response.json()) == (
        405,
        error("method_not_allowed", "PUT is not allowed on /__admin/clock"),
    )


def admin_routes(app: Any) -> set[tuple[str, str, str]]:
    admin = app.admin
    admin = getattr(admin, "app", admin)  # under the token gate, when there is one
    return {
        (method, route.path, route.name)
        for route in admin.routes
        if isinstance(route, Route)
        for method in route.methods
        if method != "HEAD"
    }


def test_openapi_json_is_the_admin_contract_and_matches_the_routes(echo_app: Any, echo_client: httpx.Client) -> None:
    response = echo_client.get("/__admin/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document == load_openapi("admin")
    documented = {
        (method.upper(), path, operation["operationId"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert documented == admin_routes(echo_app)


def schema_for(document: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    response = document["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return {**response["content"]["application/json"]["schema"], "components": document["components"]}


def test_admin_answers_match_the_documented_schemas(echo_client: httpx.Client, echo_admin: AdminClient) -> None:
    document = load_openapi("admin")
    echo_client.get("/echo/refuse")
    fault = echo_client.post("/__admin/faults", json={"scenario": "malformed_body", "times": 0})
    echo_client.get("/echo/things/1")
    rid = echo_admin.requests(limit=1)[0]["id"]
    calls = [
        ("/health", "get", echo_client.get("/__admin/health")),
        ("/clock", "get", echo_client.get("/__admin/clock")),
        ("/clock/advance", "post", echo_client.post("/__admin/clock/advance", json={"seconds": 1})),
        ("/clock/advance", "post", echo_client.post("/__admin/clock/advance", json={})),
        ("/clock/freeze", "post", echo_client.post("/__admin/clock/freeze")),
        ("/clock/unfreeze", "post", echo_client.post("/__admin/clock/unfreeze")),
        ("/clock/reset", "post", echo_client.post("/__admin/clock/reset")),
        ("/requests", "get", echo_client.get("/__admin/requests")),
        ("/requests", "get", echo_client.get("/__admin/requests?status=x")),
        ("/requests/{id}", "get", echo_client.get(f"/__admin/requests/{rid}")),
        ("/requests/{id}", "get", echo_client.get("/__admin/requests/nope")),
        ("/faults", "post", fault),
        ("/faults", "post", echo_client.post("/__admin/faults", json={"scenario": "nope"})),
        ("/faults", "get", echo_client.get("/__admin/faults")),
        ("/faults/{id}", "delete", echo_client.delete("/__admin/faults/nope")),
        ("/scenarios", "get", echo_client.get("/__admin/scenarios")),
        ("/reset", "post", echo_client.post("/__admin/reset?vendor=nope")),
        ("/reset", "post", echo_client.post("/__admin/reset")),
    ]
    for path, method, response in calls:
        assert str(response.status_code) in document["paths"][path][method]["responses"], (path, response.status_code)
        jsonschema.Draft202012Validator(schema_for(document, path, method, response.status_code)).validate(
            response.json()
        )


# --- admin token -----------------------------------------------------------------------------------------------

UNAUTHORIZED = error("unauthorized", "the admin API needs Authorization: Bearer <admin token>")


@pytest.fixture
def guarded(make_echo_app: Callable[..., Any]) -> Any:
    return make_echo_app(admin_token="s3cret-admin")


def every_admin_call() -> list[tuple[str, str]]:
    """(method, documented path) of every admin operation."""
    return [(method.upper(), path) for path, item in load_openapi("admin")["paths"].items() for method in item]


def is_open(method: str, path: str) -> bool:
    """Documented as needing no token (``security: [{}]``): health, and the dashboard's static files."""
    return load_openapi("admin")["paths"][path][method.lower()].get("security") == [{}]


@pytest.mark.parametrize(("method", "path"), [c for c in every_admin_call() if not is_open(*c)])
def test_with_an_admin_token_every_endpoint_but_health_needs_it(guarded: Any, method: str, path: str) -> None:
    assert "401" in load_openapi("admin")["paths"][path][method.lower()]["responses"]
    with in_process_client(guarded) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-admin"}):
            # "/faults/health" and "/requests/health" are not the health check: they need the token too.
            response = client.request(method, f"/__admin{path.replace('{id}', 'health')}", headers=headers)
            assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
            assert response.headers["www-authenticate"] == 'Bearer realm="atsmock-admin"'


def test_with_the_admin_token_the_admin_api_answers(guarded: Any) -> None:
    with in_process_client(guarded) as client:
        admin = AdminClient(client, token="s3cret-admin")
        assert admin.clock()["frozen"] is False
        assert admin.add_fault("malformed_body")
        # Vendors never need the admin token.
        assert client.get("/echo/things/1").content == b'{"malformed": tru'
        assert client.get("/echo/things/1").status_code == 200
        assert client.get("/__admin/health").status_code == 200
        assert len(admin.requests()) == 2


def test_the_admin_token_also_guards_single_vendor_mode(make_echo_app: Callable[..., Any]) -> None:
    with in_process_client(make_echo_app(admin_token="t", vendor="echo")) as client:
        assert client.get("/__admin/clock").status_code == 401
        assert client.get("/__admin/clock", headers={"Authorization": "Bearer t"}).status_code == 200
        assert client.get("/things/1").status_code == 200


def test_operations_of_the_echo_vendor_are_targetable(echo_app: Any) -> None:
    assert echo_app.platform.faults.targets["echo"] == {"create_thing", "get_thing", "get_blob", "refuse", "crash"}


@pytest.mark.parametrize("vendor", [v.name for v in served()])
def test_list_requests_of_an_unknown_operation_is_a_400_listing_the_valid_ones_as_faults_do(vendor: str) -> None:
    """A typo in the operation matched nothing: ``assert_request_made(vendor, "typo", times=0)`` passed."""
    from mockservers.testing import make_app

    app = make_app()
    valid = app.platform.faults.valid_operations(vendor)
    with in_process_client(app) as client:
        response = client.get("/__admin/requests", params={"vendor": vendor, "operation": "nope"})
        expected = error("unknown_operation", f"unknown operation 'nope' for vendor '{vendor}'; valid: {valid}")
        assert (response.status_code, response.json()) == (400, expected)
        with pytest.raises(httpx.HTTPStatusError, match=re.escape(f"unknown operation 'nope' for vendor '{vendor}'")):
            AdminClient(client).assert_request_made(vendor, "nope", times=0)
        everywhere = client.get("/__admin/requests", params={"operation": "nope"})
        all_valid = app.platform.faults.valid_operations(None)
        assert (everywhere.status_code, everywhere.json()) == (
            400,
            error("unknown_operation", f"unknown operation 'nope'; valid: {all_valid}"),
        )
