"""Endorsed's fault scenarios, scheduled through the admin API, and exactly what each answers.

The transport scenarios (connection_reset, empty_response, truncated_body, malformed_body, delay) are
the platform's, the same for every vendor: ``tests/test_wire_faults.py`` runs each on endorsed too.
"""

from __future__ import annotations

from endorsed_support import INTERNAL, UNAUTHENTICATED, Endorsed, created, fails, form

from mockservers.testing import AdminClient


def test_scenarios_are_listed(admin: AdminClient) -> None:
    scenarios = {s["name"]: s for s in admin._call("GET", "/scenarios")["scenarios"]}
    assert {n: s["status"] for n, s in scenarios.items() if n.startswith("endorsed.")} == {
        "endorsed.internal_error": 500,
        "endorsed.unauthenticated": 401,
        "endorsed.server_error": 500,
    }


def test_internal_error(endorsed: Endorsed, admin: AdminClient) -> None:
    endorsed.auth()
    admin.add_fault("endorsed.internal_error", operation="createAttachment", times=2)
    for _ in range(2):
        fails(endorsed.upload(), 500, INTERNAL)
    assert created(endorsed.upload())
    entry = admin.requests(vendor="endorsed", status=500)[0]
    assert (entry["fault"], entry["response"]["errorCode"]) == ("endorsed.internal_error", "INTERNAL_SERVER_ERROR")


def test_server_error_is_the_same_answer(endorsed: Endorsed, admin: AdminClient) -> None:
    endorsed.auth()
    admin.add_fault("endorsed.server_error")
    fails(endorsed.call("GET", "candidates/remote.x"), 500, INTERNAL)


def test_unauthenticated_on_the_api_and_the_token_endpoint(endorsed: Endorsed, admin: AdminClient) -> None:
    endorsed.auth()
    admin.add_fault("endorsed.unauthenticated", times=2)
    response = endorsed.call("GET", "attachments/remote.x")
    fails(response, 401, UNAUTHENTICATED)
    assert response.headers["www-authenticate"] == "Bearer"
    fails(endorsed.token_response(form()), 401, UNAUTHENTICATED)
    assert endorsed.token_response(form()).status_code == 200
    entry = admin.requests(vendor="endorsed", status=401)[0]
    assert (entry["fault"], entry["response"]["errorCode"]) == ("endorsed.unauthenticated", "UNAUTHENTICATED")


def test_a_transport_fault_on_endorsed_in_process(endorsed: Endorsed, admin: AdminClient) -> None:
    endorsed.auth()
    admin.add_fault("malformed_body", vendor="endorsed", operation="getAttachment")
    response = endorsed.http.get("/endorsed/api/v1/attachments/remote.x", headers=endorsed.auth())
    assert (response.status_code, response.content) == (200, b'{"malformed": tru')
