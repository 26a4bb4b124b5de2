"""The admin API under hostile input: every refusal is its JSON 400/413/409, nothing echoes a body, nothing grows."""

from __future__ import annotations

import httpx
import pytest

from mockservers.admin import MAX_BODY_BYTES
from mockservers.core.faults import MAX_FAULTS


def error(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


DEEP = b'{"seconds": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"


@pytest.mark.parametrize("path", ["/__admin/faults", "/__admin/clock/advance"])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (DEEP, "the body is nested too deeply"),
        (b'{"scenario": "\xed\xa0\x80"}', "the body is not UTF-8"),
        (b'{"scenario": "\\ud800"}', "the body contains a lone UTF-16 surrogate"),
        (b'{"seconds": 1', "the body is not valid JSON"),
    ],
)
def test_json_the_admin_api_cannot_read_is_its_400(
    echo_client: httpx.Client, path: str, body: bytes, message: str
) -> None:
    response = echo_client.post(path, content=body)
    assert (response.status_code, response.json()) == (400, error("invalid_json", message))
    assert echo_client.get("/__admin/faults").json() == {"faults": []}


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_huge_admin_body_is_a_413_that_echoes_nothing(echo_client: httpx.Client, declared: bool) -> None:
    payload = b'{"scenario": "' + b"x" * (MAX_BODY_BYTES * 4) + b'"}'
    content = payload if declared else iter([payload[i : i + 65536] for i in range(0, len(payload), 65536)])
    response = echo_client.post("/__admin/faults", content=content)
    assert (response.status_code, response.json()) == (
        413,
        error("too_large", f"the admin API reads request bodies of at most {MAX_BODY_BYTES} bytes"),
    )


def test_a_long_name_is_shown_cut_short(echo_client: httpx.Client) -> None:
    name = "s" * 5000
    response = echo_client.post("/__admin/faults", json={"scenario": name})
    assert (response.status_code, response.json()) == (
        400,
        error("unknown_scenario", f"unknown scenario '{'s' * 80}... (5000 characters)'"),
    )


def test_scheduled_faults_are_bounded(echo_app: object, echo_client: httpx.Client) -> None:
    plan = echo_app.platform.faults  # type: ignore[attr-defined]
    for _ in range(MAX_FAULTS):
        plan.add({"scenario": "delay", "delay_ms": 1, "times": 0, "probability": 0.0})
    response = echo_client.post("/__admin/faults", json={"scenario": "empty_response"})
    assert (response.status_code, response.json()) == (
        409,
        error("too_many_faults", f"{MAX_FAULTS} faults are scheduled already; remove some first"),
    )
    assert echo_client.delete("/__admin/faults").status_code == 204
    assert echo_client.post("/__admin/faults", json={"scenario": "empty_response"}).status_code == 201
