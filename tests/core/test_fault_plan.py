"""The fault plan: validation that names what is wrong, times, order, and seeded determinism."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockservers.core.errors import AdminError
from mockservers.core.faults import FaultPlan
from mockservers.core.scenarios import TRANSPORT_SCENARIOS, Scenario
from mockservers.vendors import registered

NOT_MOUNTED = registered()[0].name
"""A real vendor's name, which the echo-only app used here does not mount."""

ECHO_ERROR = Scenario("echo.server_error", "echo", "503 in the echo envelope", status=503, error_code="server_error")


def plan() -> FaultPlan:
    p = FaultPlan()
    p.register_target("echo", {"get_thing", "create_thing"}, [ECHO_ERROR], {"things.get": "get_thing"})
    p.register_target("s3", {"get_object", "put_object"}, [])
    return p


def test_scenarios_are_the_transport_ones_then_each_registered_target() -> None:
    names = [s.name for s in plan().scenarios]
    assert names == [
        "delay",
        "connection_reset",
        "empty_response",
        "truncated_body",
        "malformed_body",
        "echo.server_error",
    ]
    assert [s.as_json() for s in TRANSPORT_SCENARIOS][1] == {
        "name": "connection_reset",
        "vendor": "*",
        "description": "Close the socket with a TCP reset, sending no response.",
        "status": None,
    }
    assert ECHO_ERROR.as_json() == {
        "name": "echo.server_error",
        "vendor": "echo",
        "description": "503 in the echo envelope",
        "status": 503,
    }


def test_defaults() -> None:
    fault = plan().add({"scenario": "malformed_body"})
    assert fault.as_json() == {
        "id": fault.id,
        "scenario": "malformed_body",
        "vendor": None,
        "operation": None,
        "times": 1,
        "remaining": 1,
        "fired": 0,
        "probability": 1.0,
        "seed": None,
        "delay_ms": 0,
    }


@pytest.mark.parametrize("name", ["get_thing", "things.get"])
def test_an_operation_is_targeted_by_its_operation_id_or_the_vendors_own_name(name: str) -> None:
    p = plan()
    fault = p.add({"scenario": "echo.server_error", "operation": name})
    assert fault.operation == "get_thing"
    assert (p.match("echo", "create_thing"), p.match("echo", "get_thing")) == (None, fault)


def test_a_vendor_scenario_implies_its_vendor() -> None:
    fault = plan().add({"scenario": "echo.server_error", "operation": "get_thing", "times": 0})
    assert (fault.vendor, fault.operation, fault.times) == ("echo", "get_thing", 0)
    assert fault.as_json()["remaining"] is None


@pytest.mark.parametrize(
    ("spec", "code", "message"),
    [
        ([], "invalid_request", "body must be a JSON object"),
        ({"scenario": "delay", "delay_ms": 5, "colour": "red"}, "invalid_request", "unknown field(s): colour"),
        ({}, "invalid_request", "scenario is required"),
        ({"scenario": ""}, "invalid_request", "scenario is required"),
        ({"scenario": "nope"}, "unknown_scenario", "unknown scenario 'nope'"),
        ({"scenario": "connection_reset", "vendor": NOT_MOUNTED}, "unknown_vendor", f"unknown vendor '{NOT_MOUNTED}'"),
        ({"scenario": "connection_reset", "vendor": 7}, "unknown_vendor", "unknown vendor '7'"),
        (
            {"scenario": "echo.server_error", "vendor": "s3"},
            "invalid_request",
            "scenario 'echo.server_error' belongs to vendor 'echo', not 's3'",
        ),
        (
            {"scenario": "connection_reset", "operation": "nope"},
            "unknown_operation",
            "unknown operation 'nope'; valid: create_thing, get_thing (things.get), get_object, put_object",
        ),
        (
            {"scenario": "connection_reset", "vendor": "s3", "operation": "get_thing"},
            "unknown_operation",
            "unknown operation 'get_thing' for vendor 's3'; valid: get_object, put_object",
        ),
        (
            {"scenario": "echo.server_error", "operation": "put_object"},
            "unknown_operation",
            "unknown operation 'put_object' for vendor 'echo'; valid: create_thing, get_thing (things.get)",
        ),
        ({"scenario": "empty_response", "times": -1}, "invalid_request", "times must be an integer >= 0"),
        ({"scenario": "empty_response", "times": 1.5}, "invalid_request", "times must be an integer >= 0"),
        ({"scenario": "empty_response", "times": "2"}, "invalid_request", "times must be an integer >= 0"),
        ({"scenario": "empty_response", "times": True}, "invalid_request", "times must be an integer >= 0"),
        (
            {"scenario": "empty_response", "probability": 1.5},
            "invalid_request",
            "probability must be a number 0.0..1.0",
        ),
        (
            {"scenario": "empty_response", "probability": -0.1},
            "invalid_request",
            "probability must be a number 0.0..1.0",
        ),
        (
            {"scenario": "empty_response", "probability": "x"},
            "invalid_request",
            "probability must be a number 0.0..1.0",
        ),
        *[
            (
                {"scenario": "empty_response", "probability": value},
                "invalid_request",
                "probability must be a number 0.0..1.0",
            )
            for value in (float("nan"), float("inf"), float("-inf"))
        ],
        *[
            ({"scenario": "delay", "delay_ms": value}, "invalid_request", "delay_ms must be an integer 0..600000")
            for value in (float("nan"), float("inf"), 10**400)
        ],
        ({"scenario": "empty_response", "times": float("nan")}, "invalid_request", "times must be an integer >= 0"),
        ({"scenario": "empty_response", "times": float("inf")}, "invalid_request", "times must be an integer >= 0"),
        ({"scenario": "empty_response", "seed": "x"}, "invalid_request", "seed must be an integer"),
        ({"scenario": "empty_response", "seed": 1.0}, "invalid_request", "seed must be an integer"),
        ({"scenario": "empty_response", "seed": False}, "invalid_request", "seed must be an integer"),
        ({"scenario": "delay", "delay_ms": -1}, "invalid_request", "delay_ms must be an integer 0..600000"),
        ({"scenario": "delay", "delay_ms": 600_001}, "invalid_request", "delay_ms must be an integer 0..600000"),
        ({"scenario": "delay"}, "invalid_request", "scenario 'delay' needs delay_ms"),
    ],
)
def test_invalid_specs_answer_400_naming_the_problem(spec: Any, code: str, message: str) -> None:
    p = plan()
    with pytest.raises(AdminError) as raised:
        p.add(spec)
    assert (raised.value.status, raised.value.code, raised.value.message) == (400, code, message)
    assert p.list() == []


def test_integral_values_of_any_size_are_kept_as_integers() -> None:
    fault = plan().add({"scenario": "malformed_body", "times": 10**400, "probability": 1, "delay_ms": 2.0})
    assert (fault.times, fault.probability, fault.delay_ms) == (10**400, 1.0, 2)
    assert (type(fault.times), type(fault.probability), type(fault.delay_ms)) == (int, float, int)
    assert fault.as_json()["remaining"] == 10**400


def test_times_counts_down_and_an_exhausted_fault_disappears() -> None:
    p = plan()
    fault = p.add({"scenario": "malformed_body", "times": 2})
    assert p.match("echo", "get_thing") is fault
    assert [f.as_json()["remaining"] for f in p.list()] == [1]
    assert p.match("s3", None) is fault
    assert p.list() == []
    assert p.match("echo", "get_thing") is None
    assert (fault.fired, fault.as_json()["remaining"]) == (2, 0)


def test_times_zero_fires_until_removed() -> None:
    p = plan()
    fault = p.add({"scenario": "empty_response", "times": 0})
    assert all(p.match("echo", "get_thing") is fault for _ in range(100))
    assert fault.fired == 100
    assert p.list() == [fault]
    assert p.remove(fault.id) is True
    assert p.remove(fault.id) is False
    assert p.match("echo", "get_thing") is None


def test_vendor_and_operation_narrow_what_a_fault_applies_to() -> None:
    p = plan()
    fault = p.add({"scenario": "connection_reset", "vendor": "echo", "operation": "create_thing", "times": 0})
    assert p.match("s3", "create_thing") is None
    assert p.match("echo", "get_thing") is None
    assert p.match("echo", None) is None  # a request no operation matched is not that operation
    assert p.match("echo", "create_thing") is fault
    assert fault.fired == 1


def test_faults_are_checked_in_insertion_order_and_the_first_that_fires_wins() -> None:
    p = plan()
    first = p.add({"scenario": "empty_response", "vendor": "echo"})
    second = p.add({"scenario": "malformed_body"})
    assert [f.id for f in p.list()] == [first.id, second.id]
    assert p.match("echo", "get_thing") is first
    assert second.fired == 0
    assert p.match("echo", "get_thing") is second
    assert p.list() == []


def test_probability_zero_never_fires_and_keeps_its_count() -> None:
    p = plan()
    fault = p.add({"scenario": "empty_response", "probability": 0, "times": 1})
    assert [p.match("echo", "get_thing") for _ in range(50)] == [None] * 50
    assert p.list() == [fault]
    assert fault.fired == 0


def test_clear_one_vendor_keeps_faults_for_all_vendors() -> None:
    p = plan()
    everywhere = p.add({"scenario": "empty_response"})
    p.add({"scenario": "empty_response", "vendor": "echo"})
    p.add({"scenario": "echo.server_error"})
    on_s3 = p.add({"scenario": "empty_response", "vendor": "s3"})
    p.clear("echo")
    assert p.list() == [everywhere, on_s3]
    p.clear()
    assert p.list() == []


def schedule(p: FaultPlan, requests: list[tuple[str, str | None]]) -> list[bool]:
    return [p.match(vendor, op) is not None for vendor, op in requests]


@given(
    seed=st.integers(min_value=0, max_value=2**32),
    probability=st.floats(min_value=0.05, max_value=0.95),
    requests=st.lists(
        st.sampled_from([("echo", "get_thing"), ("echo", "create_thing"), ("s3", "get_object")]), max_size=40
    ),
)
def test_the_same_seed_fires_on_the_same_requests(
    seed: int, probability: float, requests: list[tuple[str, str | None]]
) -> None:
    spec = {"scenario": "malformed_body", "vendor": "echo", "times": 0, "probability": probability, "seed": seed}
    first, second = plan(), plan()
    first.add(spec)
    second.add(spec)
    fired = schedule(first, requests)
    assert schedule(second, requests) == fired
    # Each eligible request draws exactly once from Random(seed); other vendors' requests draw nothing.
    draws = random.Random(seed)
    expected = [vendor == "echo" and draws.random() < probability for vendor, _ in requests]
    assert fired == expected


def test_a_seeded_schedule_with_times_stops_after_times_firings() -> None:
    p = plan()
    p.add({"scenario": "malformed_body", "times": 3, "probability": 0.5, "seed": 7})
    draws = random.Random(7)
    expected, fired = [], 0
    for _ in range(20):
        hit = fired < 3 and draws.random() < 0.5
        fired += hit
        expected.append(hit)
    assert schedule(p, [("echo", "get_thing")] * 20) == expected
    assert sum(expected) == 3
