"""PageUp over HTTP: the token endpoint, bearer checks on every operation, tenant, scope and quota."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from pageup_support import (
    BOTH_SCOPES,
    CLIENT,
    OTHER_TENANT,
    RATE_LIMITED,
    READONLY,
    UNAUTHORIZED,
    PageUp,
)

from mockservers.config import Settings
from mockservers.pageup.settings import PageUpSettings
from mockservers.testing import AdminClient, in_process_client, make_app

TOKEN = "/pageup/connect/token"
FORBIDDEN = "You do not have permission to access the resource. This action requires the {} scope."


@pytest.fixture
def pageup(client: httpx.Client) -> PageUp:
    return PageUp(client)


def oauth(response: httpx.Response, status: int, error: str, description: str) -> None:
    assert (response.status_code, response.json()) == (status, {"error": error, "error_description": description})
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    assert response.headers["content-type"] == "application/json"


# -- /connect/token --------------------------------------------------------------------------------


def test_token_response(pageup: PageUp) -> None:
    response = pageup.token_response()
    assert response.status_code == 200
    assert (response.headers["cache-control"], response.headers["pragma"]) == ("no-store", "no-cache")
    body = response.json()
    assert list(body) == ["access_token", "expires_in", "token_type", "scope"]
    assert (body["expires_in"], body["token_type"], body["scope"]) == (300, "Bearer", BOTH_SCOPES)
    assert len(body["access_token"].split(".")) == 3
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert (claims["client_id"], claims["tenant"], claims["exp"] - claims["iat"]) == (CLIENT[0], "218", 300)


def test_token_with_basic_credentials(client: httpx.Client) -> None:
    basic = base64.b64encode(f"{READONLY[0]}:{READONLY[1]}".encode()).decode()
    response = client.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert (response.status_code, response.json()["scope"]) == (200, "Public.Document.Read")


def test_readonly_client_gets_the_intersection(pageup: PageUp) -> None:
    assert pageup.token_response(READONLY).json()["scope"] == "Public.Document.Read"


@pytest.mark.parametrize(
    ("form", "status", "error", "description"),
    [
        ({"client_secret": "wrong"}, 400, "invalid_client", "The client credentials are invalid."),
        ({"client_id": ""}, 400, "invalid_client", "No client credentials were found in the request."),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", "The grant type 'password' is not supported."),
        ({"grant_type": ""}, 400, "unsupported_grant_type", "The grant_type parameter is missing."),
        ({"scope": "Public.Candidate.Read"}, 400, "invalid_scope", "Unknown scope: Public.Candidate.Read."),
    ],
)
def test_token_refusals(client: httpx.Client, form: dict[str, str], status: int, error: str, description: str) -> None:
    data = {"grant_type": "client_credentials", "client_id": CLIENT[0], "client_secret": CLIENT[1], **form}
    oauth(client.post(TOKEN, data=data), status, error, description)


def test_wrong_basic_credentials_are_401(client: httpx.Client) -> None:
    basic = base64.b64encode(b"atsmock-pageup:wrong").decode()
    response = client.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    oauth(response, 401, "invalid_client", "The client credentials are invalid.")
    assert response.headers["www-authenticate"] == 'Basic realm="PageUp"'


@pytest.mark.parametrize(
    ("kwargs", "description"),
    [
        ({"json": {"grant_type": "client_credentials"}}, "The request must be application/x-www-form-urlencoded."),
        ({"content": b"grant_type=client_credentials"}, "The request must be application/x-www-form-urlencoded."),
        (
            {"content": b"grant_type=\xff", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            "The request body is not valid form data.",
        ),
        (
            {"content": b"grant_type=a&grant_type=b", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            "The grant_type parameter is included more than once.",
        ),
    ],
)
def test_token_invalid_requests(client: httpx.Client, kwargs: dict[str, Any], description: str) -> None:
    oauth(client.post(TOKEN, **kwargs), 400, "invalid_request", description)


def test_token_body_over_64_kib_is_413(client: httpx.Client) -> None:
    response = client.post(TOKEN, data={"grant_type": "client_credentials", "pad": "x" * 65536})
    oauth(response, 413, "invalid_request", "The request body is larger than 65536 bytes.")


def test_token_endpoint_is_post_only(client: httpx.Client) -> None:
    response = client.get(TOKEN)
    oauth(response, 405, "invalid_request", "The requested resource does not support http method 'GET'.")
    assert response.headers["allow"] == "POST"


def test_token_errors_are_journaled_with_their_code(pageup: PageUp, admin: AdminClient) -> None:
    pageup.token_response(("atsmock-pageup", "wrong"))
    entry = admin.requests(vendor="pageup")[0]
    assert (entry["operation"], entry["response"]) == ("requestToken", {"status": 400, "errorCode": "invalid_client"})
    assert "wrong" not in str(entry)


# -- bearer checks on every operation --------------------------------------------------------------

OPERATIONS = [
    ("GET", "prepareTempDirectUpload?filename=a.txt", "Public.Document.Write"),
    ("POST", "moveFromTemp", "Public.Document.Write"),
    ("GET", "8621", "Public.Document.Read"),
]


def call(client: httpx.Client, method: str, path: str, headers: dict[str, str], tenant: str = "218") -> httpx.Response:
    url = f"/pageup/v3/{tenant}/recruitment/document/{path}"
    body = {"title": "t"} if method == "POST" else None
    return client.request(method, url, headers=headers, json=body)


def refused(response: httpx.Response, challenge: str) -> None:
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert response.headers["www-authenticate"] == challenge


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
@pytest.mark.parametrize(
    ("header", "challenge"),
    [
        (None, "Bearer"),
        ("Basic YTpi", "Bearer"),
        ("Bearer", "Bearer"),
        ("Bearer not-a-jwt", 'Bearer error="invalid_token"'),
        ("Bearer a.b.c", 'Bearer error="invalid_token", error_description="The signature is invalid"'),
    ],
)
def test_missing_or_malformed_token(
    client: httpx.Client, method: str, path: str, scope: str, header: str | None, challenge: str
) -> None:
    refused(call(client, method, path, {"Authorization": header} if header else {}), challenge)


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
def test_tampered_token(pageup: PageUp, method: str, path: str, scope: str) -> None:
    header, payload, signature = pageup.token(READONLY).split(".")
    claims = jwt.decode(f"{header}.{payload}.{signature}", options={"verify_signature": False})
    claims["scope"] = ["Public.Document.Read", "Public.Document.Write"]
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = f"{header}.{body}.{signature}"
    challenge = 'Bearer error="invalid_token", error_description="The signature is invalid"'
    refused(call(pageup.http, method, path, {"Authorization": f"Bearer {forged}"}), challenge)


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
def test_expired_token(pageup: PageUp, admin: AdminClient, method: str, path: str, scope: str) -> None:
    admin.freeze()
    token = pageup.token()
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    admin.advance(299)
    assert call(pageup.http, method, path, pageup.auth(token)).status_code not in (401, 403)
    admin.advance(1)
    stamp = datetime.fromtimestamp(exp, UTC).strftime("%m/%d/%Y %H:%M:%S")
    refused(
        call(pageup.http, method, path, pageup.auth(token)),
        f'Bearer error="invalid_token", error_description="The token expired at \'{stamp}\'"',
    )


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
def test_token_of_another_tenant(pageup: PageUp, method: str, path: str, scope: str) -> None:
    response = call(pageup.http, method, path, pageup.auth(client=OTHER_TENANT), tenant="218")
    refused(response, 'Bearer error="invalid_token", error_description="The token was issued for another tenant"')


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
def test_missing_scope_is_403(pageup: PageUp, method: str, path: str, scope: str) -> None:
    other = "Public.Document.Read" if scope.endswith("Write") else "Public.Document.Write"
    response = call(pageup.http, method, path, pageup.auth(pageup.token(scope=other)))
    assert (response.status_code, response.json()) == (403, [{"message": FORBIDDEN.format(scope)}])
    assert "www-authenticate" not in response.headers


def test_auth_is_checked_before_the_body(client: httpx.Client) -> None:
    response = client.post("/pageup/v3/218/recruitment/document/moveFromTemp", content=b"{", headers={})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


# -- the daily quota -------------------------------------------------------------------------------


@pytest.fixture
def quota_pageup() -> Iterator[PageUp]:
    app = make_app(Settings(pageup=PageUpSettings(daily_quota=2)))
    with in_process_client(app) as http:
        yield PageUp(http)


def test_daily_quota_per_client_resets_at_mock_midnight(quota_pageup: PageUp) -> None:
    admin = AdminClient(quota_pageup.http)
    admin.freeze()
    now = datetime.fromisoformat(admin.clock()["now"].replace("Z", "+00:00"))
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC).timestamp() + 86_400
    admin.advance(midnight - 100 - now.timestamp())  # 100 s before midnight
    token = quota_pageup.token()
    for _ in range(2):
        assert quota_pageup.get("1", token).status_code == 404
    for _ in range(3):
        quota_pageup.token()  # the token endpoint is not counted
    response = quota_pageup.get("1", token)
    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    assert response.headers["retry-after"] == "100"
    other = quota_pageup.token(READONLY)
    assert quota_pageup.get("1", other).status_code == 404
    entry = admin.requests(vendor="pageup", status=429)[0]
    assert (entry["operation"], entry["response"]["errorCode"]) == ("getDocument", "rate_limit_exceeded")
    admin.advance(100)
    token = quota_pageup.token()
    assert quota_pageup.get("1", token).status_code == 404


@pytest.mark.live
@pytest.mark.parametrize("tenant", ["%E2%82%AC", "%22x%22", "a%0D%0Ab", "..%5C..", "219"])
def test_odd_tenants_in_the_url_are_refused_in_the_envelope_on_the_wire(live: Any, tenant: str) -> None:
    with httpx.Client(base_url=f"{live.url}/pageup", timeout=10) as http:
        token = PageUp(http, prefix="").token()
        response = http.get(
            f"/v3/{tenant}/recruitment/document/prepareTempDirectUpload",
            params={"filename": 'résumé\r\n"x".pdf'},
            headers={"Authorization": f"Bearer {token}"},
        )
    refused(response, 'Bearer error="invalid_token", error_description="The token was issued for another tenant"')
