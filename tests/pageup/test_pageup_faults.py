"""PageUp's fault scenarios, scheduled through the admin API, and exactly what each answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pageup_support import (
    RATE_LIMITED,
    UNAUTHORIZED,
    PageUp,
)

from mockservers.testing import AdminClient


@pytest.fixture
def pageup(client: httpx.Client) -> PageUp:
    return PageUp(client)


def at_noon(admin: AdminClient) -> datetime:
    """Freeze the mock clock at the next UTC noon (so seconds to midnight are known)."""
    admin.freeze()
    now = datetime.fromisoformat(admin.clock()["now"].replace("Z", "+00:00"))
    noon = datetime(now.year, now.month, now.day, 12, tzinfo=UTC)
    if noon < now:
        noon += timedelta(days=1)
    admin.advance(noon.timestamp() - now.timestamp())
    return noon


def test_scenarios_are_listed(admin: AdminClient) -> None:
    scenarios = {s["name"]: s for s in admin._call("GET", "/scenarios")["scenarios"]}
    assert {n: s["status"] for n, s in scenarios.items() if n.startswith("pageup.")} == {
        "pageup.rate_limited": 429,
        "pageup.server_error": 500,
        "pageup.invalid_token": 401,
    }


def test_rate_limited(pageup: PageUp, admin: AdminClient) -> None:
    at_noon(admin)
    token = pageup.token()
    admin.add_fault("pageup.rate_limited", operation="prepareTempDirectUpload")
    response = pageup.prepare(token=token)
    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    assert response.headers["retry-after"] == str(12 * 3600)
    assert pageup.prepare(token=token).status_code == 200
    entry = admin.requests(vendor="pageup", status=429)[0]
    assert (entry["fault"], entry["response"]["errorCode"]) == ("pageup.rate_limited", "rate_limit_exceeded")


def test_rate_limited_on_the_token_endpoint_speaks_oauth(pageup: PageUp, admin: AdminClient) -> None:
    at_noon(admin)
    admin.add_fault("pageup.rate_limited", operation="requestToken")
    response = pageup.token_response()
    assert response.status_code == 429
    assert response.json() == {
        "error": "rate_limit_exceeded",
        "error_description": "The daily rate limit has been exceeded",
    }
    assert (response.headers["retry-after"], response.headers["cache-control"]) == (str(12 * 3600), "no-store")


def test_server_error(pageup: PageUp, admin: AdminClient) -> None:
    token = pageup.token()
    admin.add_fault("pageup.server_error", times=2)
    for _ in range(2):
        response = pageup.get("1", token)
        assert (response.status_code, response.json()) == (500, [{"message": "An error occurred with the API."}])
    assert pageup.get("1", token).status_code == 404


def test_server_error_on_the_token_endpoint_speaks_oauth(pageup: PageUp, admin: AdminClient) -> None:
    admin.add_fault("pageup.server_error", operation="requestToken")
    response = pageup.token_response()
    assert (response.status_code, response.json()) == (
        500,
        {"error": "server_error", "error_description": "An error occurred with the API."},
    )


def test_invalid_token_answers_as_an_expired_token(pageup: PageUp, admin: AdminClient) -> None:
    noon = at_noon(admin)
    token = pageup.token()
    admin.add_fault("pageup.invalid_token", operation="moveFromTemp")
    response = pageup.move({"title": "t"}, token=token)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    stamp = noon.strftime("%m/%d/%Y %H:%M:%S")
    assert response.headers["www-authenticate"] == (
        f'Bearer error="invalid_token", error_description="The token expired at \'{stamp}\'"'
    )
    entry = admin.requests(vendor="pageup", status=401)[0]
    assert (entry["fault"], entry["response"]["errorCode"]) == ("pageup.invalid_token", "invalid_token")


def test_invalid_token_on_the_token_endpoint_hands_out_a_dead_token(pageup: PageUp, admin: AdminClient) -> None:
    admin.add_fault("pageup.invalid_token")
    response = pageup.token_response()
    assert response.status_code == 200
    assert response.json()["expires_in"] == 300
    dead = response.json()["access_token"]
    refused = pageup.prepare(token=dead)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith('Bearer error="invalid_token", error_description="The token')
    assert pageup.prepare().status_code == 200


@pytest.mark.parametrize("scenario", ["pageup.rate_limited", "pageup.server_error", "pageup.invalid_token"])
def test_scenarios_only_touch_pageup(scenario: str, admin: AdminClient, client: object) -> None:
    fault = admin._call("POST", "/faults", json={"scenario": scenario})
    assert fault["vendor"] == "pageup"
