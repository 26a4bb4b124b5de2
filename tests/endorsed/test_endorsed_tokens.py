"""``POST /auth/tokens`` and the bearer check of every API call, over HTTP with exact answers."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from endorsed_support import FORBIDDEN, RO, RW, UNAUTHENTICATED, Endorsed, envelope, fails, form, issue

from mockservers.config import Settings
from mockservers.endorsed.settings import EndorsedSettings
from mockservers.testing import AdminClient, in_process_client, make_app


def payload(token: str) -> bytes:
    part = token.split(".")[1]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_a_form_request_answers_the_documented_token(endorsed: Endorsed) -> None:
    response = endorsed.token_response(form())
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "is_error": False,
        "access_token": body["access_token"],
        "token_type": "Bearer",
        "expires_in": "1209600",
        "scope": ["all:read", "all:write"],
    }
    assert (response.headers["cache-control"], response.headers["pragma"]) == ("no-store", "no-cache")


def test_the_jwt_carries_exactly_data_iat_and_exp(endorsed: Endorsed, app: Any) -> None:
    app.platform.clock.freeze()
    now = int(app.platform.clock.now())
    token = endorsed.token(RW)
    header = base64.urlsafe_b64decode(token.split(".")[0] + "==")
    assert header == b'{"alg":"HS256","typ":"JWT"}'
    expected = {"data": {"client_id": RW.client_id, "scope": ["all:read", "all:write"]}, "iat": now}
    expected["exp"] = now + 1_209_600
    assert payload(token) == json.dumps(expected, separators=(",", ":")).encode()


def test_json_takes_the_scope_as_an_array_or_a_string(endorsed: Endorsed) -> None:
    body = {"client_id": RW.client_id, "client_secret": RW.client_secret, "grant_type": "client_credentials"}
    as_array = endorsed.token_response(json={**body, "scope": ["all:write", "all:read", "all:write"]})
    assert (as_array.status_code, as_array.json()["scope"]) == (200, ["all:read", "all:write"])
    as_string = endorsed.token_response(json={**body, "scope": "all:read"})
    assert (as_string.status_code, as_string.json()["scope"]) == (200, ["all:read"])
    by_default = endorsed.token_response(json=body)
    assert (by_default.status_code, by_default.json()["scope"]) == (200, ["all:read", "all:write"])


def test_without_a_content_type_the_body_is_a_form(endorsed: Endorsed) -> None:
    raw = str(httpx.QueryParams(form()))
    response = endorsed.http.post("/endorsed/api/v1/auth/tokens", content=raw.encode())
    assert "content-type" not in response.request.headers
    assert (response.status_code, response.json()["token_type"]) == (200, "Bearer")


def test_a_read_token_reads_but_cannot_write(endorsed: Endorsed) -> None:
    token = endorsed.token(RW, scope="all:read")
    assert payload(token).startswith(f'{{"data":{{"client_id":"{RW.client_id}","scope":["all:read"]}}'.encode())
    auth = {"Authorization": f"Bearer {token}"}
    fails(
        endorsed.call("POST", "candidates", None, json={"first_name": "A", "remote_id": "r"}, headers=auth),
        403,
        FORBIDDEN,
    )
    fails(
        endorsed.call("GET", "candidates/remote.r", None, headers=auth),
        404,
        envelope("NOT_FOUND", issue("This resource entity does not exist.")),
    )


def test_the_read_only_client_gets_all_read_and_no_more(endorsed: Endorsed) -> None:
    response = endorsed.token_response(form(RO))
    assert (response.status_code, response.json()["scope"]) == (200, ["all:read"])
    fails(endorsed.token_response(form(RO, scope="all:read all:write")), 403, FORBIDDEN)
    fails(endorsed.upload(client=RO), 403, FORBIDDEN)


def test_every_invalid_field_is_its_own_issue(endorsed: Endorsed) -> None:
    fails(
        endorsed.token_response({"scope": ""}),
        400,
        envelope(
            "BAD_REQUEST",
            issue("Required", "client_id"),
            issue("Required", "client_secret"),
            issue("Required", "grant_type"),
            issue("String must contain at least 1 character(s)", "scope"),
        ),
    )
    fails(
        endorsed.token_response(form(client_id="not-a-uuid", grant_type="password", scope="all:read all:admin")),
        400,
        envelope(
            "BAD_REQUEST",
            issue("Invalid uuid", "client_id"),
            issue("Invalid enum value. Expected 'client_credentials', received 'password'", "grant_type"),
            issue("Invalid enum value. Expected 'all:read' | 'all:write', received 'all:admin'", "scope", 1),
        ),
    )


def test_a_field_sent_twice_is_an_array(endorsed: Endorsed) -> None:
    raw = str(httpx.QueryParams([*form().items(), ("client_secret", "again")]))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = endorsed.token_response(content=raw.encode(), headers=headers)
    fails(response, 400, envelope("BAD_REQUEST", issue("Expected string, received array", "client_secret")))


def test_json_fields_are_type_checked(endorsed: Endorsed) -> None:
    body = {"client_id": 7, "client_secret": None, "grant_type": "client_credentials", "scope": [1]}
    fails(
        endorsed.token_response(json=body),
        400,
        envelope(
            "BAD_REQUEST",
            issue("Expected string, received number", "client_id"),
            issue("Expected string, received null", "client_secret"),
            issue("Expected 'all:read' | 'all:write', received number", "scope", 0),
        ),
    )
    fails(
        endorsed.token_response(content=b"[1]", headers={"Content-Type": "application/json"}),
        400,
        envelope("BAD_REQUEST", issue("Expected object, received array")),
    )
    fails(
        endorsed.token_response(content=b'{"client_id": NaN}', headers={"Content-Type": "application/json"}),
        400,
        envelope("BAD_REQUEST", issue("Invalid request body: the body is not valid JSON")),
    )


def test_wrong_credentials_are_401(endorsed: Endorsed) -> None:
    wrong = envelope("UNAUTHENTICATED", issue("Invalid client credentials."))
    fails(endorsed.token_response(form(client_secret="nope")), 401, wrong)
    fails(endorsed.token_response(form(client_id="00000000-0000-4000-8000-0000000000ff")), 401, wrong)
    upper = endorsed.token_response(form(client_id=RW.client_id.upper()))
    assert upper.status_code == 200


def test_other_media_types_and_huge_bodies_are_refused(endorsed: Endorsed) -> None:
    fails(
        endorsed.token_response(content=b"x", headers={"Content-Type": "text/plain"}),
        415,
        envelope(
            "UNSUPPORTED_MEDIA_TYPE",
            issue("Content-Type must be application/x-www-form-urlencoded or application/json, not text/plain"),
        ),
    )
    fails(
        endorsed.token_response({"client_secret": "x" * 70_000}),
        413,
        envelope("PAYLOAD_TOO_LARGE", issue("The request body is larger than 65536 bytes")),
    )


def test_tokens_expire_on_the_mock_clock(endorsed: Endorsed, admin: AdminClient) -> None:
    admin.freeze()
    auth = endorsed.auth(RW)
    admin.advance(1_209_599)
    assert endorsed.call("GET", "attachments/remote.x", None, headers=auth).status_code == 404
    admin.advance(1)
    response = endorsed.call("GET", "attachments/remote.x", None, headers=auth)
    fails(response, 401, UNAUTHENTICATED)
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_lifetime_is_configurable() -> None:
    app = make_app(Settings().replace(endorsed=EndorsedSettings(token_ttl_seconds=60)))
    with in_process_client(app) as http:
        endorsed = Endorsed(http)
        assert endorsed.token_response(form()).json()["expires_in"] == "60"
        auth = endorsed.auth(RW)
        app.platform.clock.advance(60)
        fails(endorsed.call("GET", "candidates/remote.x", None, headers=auth), 401, UNAUTHENTICATED)


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-jwt", "Bearer a.b.c", "Basic YTpi", "bearer x.y.z"],
)
def test_api_calls_need_a_token_this_mock_issued(endorsed: Endorsed, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = endorsed.call("GET", "candidates/remote.x", None, headers=headers)
    fails(response, 401, UNAUTHENTICATED)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_reset_revokes_tokens(endorsed: Endorsed, admin: AdminClient) -> None:
    auth = endorsed.auth(RW)
    admin.reset("endorsed")
    fails(endorsed.call("GET", "candidates/remote.x", None, headers=auth), 401, UNAUTHENTICATED)


def test_auth_comes_before_the_body(endorsed: Endorsed) -> None:
    response = endorsed.call("POST", "candidates", None, content=b"{not json", headers={"Content-Type": "text/plain"})
    fails(response, 401, UNAUTHENTICATED)
