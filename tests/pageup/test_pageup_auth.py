"""PageUp OAuth without HTTP: the client credentials grant, bearer checks and the daily quota."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import jwt
import pytest
from pageup_support import BOTH_SCOPES, CLIENT, OTHER_TENANT, READONLY

from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError
from mockservers.core.tokens import TokenIssuer
from mockservers.pageup.auth import ApiGuard, DailyQuota, TokenEndpoint, expired_description, seconds_to_midnight
from mockservers.pageup.errors import STATUS
from mockservers.pageup.settings import PageUpSettings

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
UNAUTHORIZED = "Your API key is invalid or expired"
MIDNIGHT = datetime(2026, 3, 1, tzinfo=UTC).timestamp()


@pytest.fixture
def clock() -> Clock:
    c = Clock()
    c.freeze()
    c.set(MIDNIGHT + 12 * 3600)
    return c


@pytest.fixture
def issuer(clock: Clock) -> TokenIssuer:
    return TokenIssuer(clock)


@pytest.fixture
def endpoint(issuer: TokenIssuer) -> TokenEndpoint:
    return TokenEndpoint(PageUpSettings(), issuer)


@pytest.fixture
def guard(issuer: TokenIssuer, clock: Clock) -> ApiGuard:
    return ApiGuard(PageUpSettings(daily_quota=3), issuer, clock)


def form(client: tuple[str, str] = CLIENT, scope: str | None = BOTH_SCOPES, **extra: str) -> list[tuple[str, str]]:
    fields = [("grant_type", "client_credentials"), ("client_id", client[0]), ("client_secret", client[1])]
    if scope is not None:
        fields.append(("scope", scope))
    return fields + list(extra.items())


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def oauth_refusal(exc: pytest.ExceptionInfo[VendorError], status: int, error: str, description: str) -> None:
    assert (STATUS[exc.value.kind], exc.value.code, exc.value.message) == (status, error, description)


# -- the grant -------------------------------------------------------------------------------------


def test_grant_answers_a_bearer_jwt_for_300_seconds(endpoint: TokenEndpoint, clock: Clock) -> None:
    answer = endpoint.grant(form(), None)
    assert list(answer) == ["access_token", "expires_in", "token_type", "scope"]
    assert (answer["expires_in"], answer["token_type"], answer["scope"]) == (300, "Bearer", BOTH_SCOPES)
    token = answer["access_token"]
    assert token.count(".") == 2
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(clock.now())
    assert (claims["client_id"], claims["tenant"], claims["iat"], claims["exp"]) == (CLIENT[0], "218", now, now + 300)
    assert claims["scope"] == ["Public.Document.Read", "Public.Document.Write"]


def test_no_scope_grants_every_allowed_scope(endpoint: TokenEndpoint) -> None:
    assert endpoint.grant(form(READONLY, scope=None), None)["scope"] == "Public.Document.Read"


@pytest.mark.parametrize(
    ("client", "scope", "granted"),
    [
        (CLIENT, "Public.Document.Write", "Public.Document.Write"),
        (CLIENT, "  Public.Document.Write   Public.Document.Read ", BOTH_SCOPES),
        (READONLY, BOTH_SCOPES, "Public.Document.Read"),
    ],
)
def test_granted_scope_is_the_intersection(
    endpoint: TokenEndpoint, client: tuple[str, str], scope: str, granted: str
) -> None:
    assert endpoint.grant(form(client, scope), None)["scope"] == granted


@pytest.mark.parametrize(
    ("client", "scope", "description"),
    [
        (CLIENT, "Public.Candidate.Read", "Unknown scope: Public.Candidate.Read."),
        (CLIENT, "openid Public.Document.Read", "Unknown scope: openid."),
        (CLIENT, "", "The scope parameter is empty."),
        (CLIENT, "   ", "The scope parameter is empty."),
        (CLIENT, "Public.Document.Read " * 16, "The scope parameter is too long."),
        (
            READONLY,
            "Public.Document.Write",
            "The client is not allowed any of the requested scopes: Public.Document.Write.",
        ),
    ],
)
def test_invalid_scope(endpoint: TokenEndpoint, client: tuple[str, str], scope: str, description: str) -> None:
    with pytest.raises(VendorError) as exc:
        endpoint.grant(form(client, scope), None)
    oauth_refusal(exc, 400, "invalid_scope", description)
    assert exc.value.headers == NO_STORE


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ([("grant_type", "client_credentials")], "No client credentials were found in the request."),
        (form(("atsmock-pageup", "wrong")), "The client credentials are invalid."),
        (form(("atsmock-pageup", "")), "The client credentials are invalid."),
        (form(("nobody", "atsmock-pageup-secret")), "The client credentials are invalid."),
        (form(("x" * 101, "s")), "The client credentials are invalid."),
    ],
)
def test_invalid_client_in_the_body_is_400(
    endpoint: TokenEndpoint, fields: list[tuple[str, str]], description: str
) -> None:
    with pytest.raises(VendorError) as exc:
        endpoint.grant(fields, None)
    oauth_refusal(exc, 400, "invalid_client", description)


def test_basic_credentials_work(endpoint: TokenEndpoint) -> None:
    answer = endpoint.grant([("grant_type", "client_credentials")], basic(*CLIENT))
    assert answer["scope"] == BOTH_SCOPES


def test_basic_credentials_are_url_decoded(issuer: TokenIssuer) -> None:
    from mockservers.pageup.settings import PageUpClient

    settings = PageUpSettings(clients=(PageUpClient("id:with colon", "s&c%ret", "218", ("Public.Document.Read",)),))
    answer = TokenEndpoint(settings, issuer).grant(
        [("grant_type", "client_credentials")], basic("id%3Awith+colon".replace("+", "%20"), "s%26c%25ret")
    )
    assert answer["scope"] == "Public.Document.Read"


def test_basic_wins_over_the_body(endpoint: TokenEndpoint) -> None:
    answer = endpoint.grant(form(("nobody", "x"), scope=None), basic(*READONLY))
    assert answer["scope"] == "Public.Document.Read"


@pytest.mark.parametrize(
    ("header", "description"),
    [
        (basic("atsmock-pageup", "wrong"), "The client credentials are invalid."),
        ("Basic !!notbase64", "The Basic authorization header is malformed."),
        ("Basic " + base64.b64encode(b"no-colon").decode(), "The Basic authorization header is malformed."),
        ("basic " + base64.b64encode(b":secret").decode(), "The Basic authorization header is malformed."),
        ("Basic " + base64.b64encode(b"\xff\xfe:x").decode(), "The Basic authorization header is malformed."),
    ],
)
def test_invalid_basic_credentials_are_401(endpoint: TokenEndpoint, header: str, description: str) -> None:
    with pytest.raises(VendorError) as exc:
        endpoint.grant([("grant_type", "client_credentials")], header)
    oauth_refusal(exc, 401, "invalid_client", description)
    assert exc.value.headers == {**NO_STORE, "WWW-Authenticate": 'Basic realm="PageUp"'}


@pytest.mark.parametrize(
    ("grant_type", "description"),
    [
        (None, "The grant_type parameter is missing."),
        ("", "The grant_type parameter is missing."),
        ("password", "The grant type 'password' is not supported."),
        ("x" * 101, "The grant_type parameter is missing."),
    ],
)
def test_unsupported_grant_type(endpoint: TokenEndpoint, grant_type: str | None, description: str) -> None:
    fields = [f for f in form() if f[0] != "grant_type"]
    if grant_type is not None:
        fields.append(("grant_type", grant_type))
    with pytest.raises(VendorError) as exc:
        endpoint.grant(fields, None)
    oauth_refusal(exc, 400, "unsupported_grant_type", description)


def test_client_is_checked_before_the_grant_type(endpoint: TokenEndpoint) -> None:
    with pytest.raises(VendorError) as exc:
        endpoint.grant([("grant_type", "password"), ("client_id", "nobody")], None)
    assert exc.value.code == "invalid_client"


def test_repeated_parameter_is_invalid_request(endpoint: TokenEndpoint) -> None:
    with pytest.raises(VendorError) as exc:
        endpoint.grant([*form(), ("scope", "Public.Document.Read")], None)
    oauth_refusal(exc, 400, "invalid_request", "The scope parameter is included more than once.")


# -- bearer checks ---------------------------------------------------------------------------------


def token(endpoint: TokenEndpoint, client: tuple[str, str] = CLIENT, scope: str | None = BOTH_SCOPES) -> str:
    return str(endpoint.grant(form(client, scope), None)["access_token"])


def refusal(guard: ApiGuard, header: str | None, tenant: str = "218", operation: str = "moveFromTemp") -> VendorError:
    with pytest.raises(VendorError) as exc:
        guard.authorize(header, tenant, operation)
    return exc.value


def test_a_valid_token_passes(guard: ApiGuard, endpoint: TokenEndpoint) -> None:
    issued = guard.authorize(f"Bearer {token(endpoint)}", "218", "moveFromTemp")
    assert issued.client_id == CLIENT[0]


def test_bearer_scheme_is_case_insensitive(guard: ApiGuard, endpoint: TokenEndpoint) -> None:
    guard.authorize(f"bearer   {token(endpoint)} ", "218", "getDocument")


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic abc", "Token abc"])
def test_no_bearer_token_is_401_with_a_bare_challenge(guard: ApiGuard, header: str | None) -> None:
    error = refusal(guard, header)
    assert (STATUS[error.kind], error.code, error.message) == (401, "invalid_token", UNAUTHORIZED)
    assert error.headers == {"WWW-Authenticate": "Bearer"}


@pytest.mark.parametrize("value", ["not-a-jwt", "a.b", "a.b.c.d"])
def test_malformed_token_is_invalid_token(guard: ApiGuard, value: str) -> None:
    error = refusal(guard, f"Bearer {value}")
    assert (STATUS[error.kind], error.headers) == (401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def test_tampered_token_is_refused(guard: ApiGuard, endpoint: TokenEndpoint) -> None:
    header, payload, signature = token(endpoint).split(".")
    claims = jwt.decode(f"{header}.{payload}.{signature}", options={"verify_signature": False})
    claims["scope"] = ["Public.Document.Read", "Public.Document.Write", "Admin"]
    forged = jwt.encode(claims, "a-guessed-key-of-at-least-32-bytes!", algorithm="HS256")
    flipped = f"{header}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    for value in (forged, flipped):
        error = refusal(guard, f"Bearer {value}")
        assert STATUS[error.kind] == 401
        assert error.headers == {
            "WWW-Authenticate": 'Bearer error="invalid_token", error_description="The signature is invalid"'
        }


def test_token_expires_300_seconds_after_issue(guard: ApiGuard, endpoint: TokenEndpoint, clock: Clock) -> None:
    value = token(endpoint)
    clock.advance(299)
    guard.authorize(f"Bearer {value}", "218", "moveFromTemp")
    clock.advance(1)
    error = refusal(guard, f"Bearer {value}")
    assert (STATUS[error.kind], error.message) == (401, UNAUTHORIZED)
    assert error.headers == {
        "WWW-Authenticate": 'Bearer error="invalid_token", '
        "error_description=\"The token expired at '03/01/2026 12:05:00'\""
    }


def test_expired_description_uses_the_invariant_culture_format() -> None:
    assert expired_description(MIDNIGHT + 3661) == "The token expired at '03/01/2026 01:01:01'"


def test_a_token_of_another_tenant_is_401(guard: ApiGuard, endpoint: TokenEndpoint) -> None:
    error = refusal(guard, f"Bearer {token(endpoint, OTHER_TENANT)}", tenant="218")
    assert (STATUS[error.kind], error.message) == (401, UNAUTHORIZED)
    assert error.headers == {
        "WWW-Authenticate": 'Bearer error="invalid_token", error_description="The token was issued for another tenant"'
    }


@pytest.mark.parametrize(
    ("client", "scope", "operation", "needed"),
    [
        (READONLY, None, "prepareTempDirectUpload", "Public.Document.Write"),
        (READONLY, None, "moveFromTemp", "Public.Document.Write"),
        (CLIENT, "Public.Document.Write", "getDocument", "Public.Document.Read"),
        (CLIENT, "Public.Document.Read", "moveFromTemp", "Public.Document.Write"),
    ],
)
def test_missing_scope_is_403(
    guard: ApiGuard, endpoint: TokenEndpoint, client: tuple[str, str], scope: str | None, operation: str, needed: str
) -> None:
    error = refusal(guard, f"Bearer {token(endpoint, client, scope)}", operation=operation)
    assert (STATUS[error.kind], error.code, error.headers) == (403, "forbidden", {})
    assert (
        error.message == f"You do not have permission to access the resource. This action requires the {needed} scope."
    )


def test_readonly_token_may_download(guard: ApiGuard, endpoint: TokenEndpoint) -> None:
    guard.authorize(f"Bearer {token(endpoint, READONLY, None)}", "218", "getDocument")


# -- the daily quota -------------------------------------------------------------------------------


def test_quota_counts_per_client_and_resets_at_utc_midnight(
    guard: ApiGuard, endpoint: TokenEndpoint, clock: Clock
) -> None:
    main, other = f"Bearer {token(endpoint)}", f"Bearer {token(endpoint, READONLY, None)}"
    for _ in range(3):
        guard.authorize(main, "218", "getDocument")
    error = refusal(guard, main, operation="getDocument")
    assert (STATUS[error.kind], error.code, error.message) == (
        429,
        "rate_limit_exceeded",
        "The daily rate limit has been exceeded",
    )
    assert error.headers == {"Retry-After": str(12 * 3600)}
    guard.authorize(other, "218", "getDocument")
    clock.set(MIDNIGHT + 86_400 - 1)
    main = f"Bearer {token(endpoint)}"
    assert refusal(guard, main, operation="getDocument").headers == {"Retry-After": "1"}
    clock.advance(1)
    main = f"Bearer {token(endpoint)}"
    for _ in range(3):
        guard.authorize(main, "218", "getDocument")


def test_refused_calls_still_count_but_rejected_ones_do_not(guard: ApiGuard, endpoint: TokenEndpoint) -> None:
    value = f"Bearer {token(endpoint, READONLY, None)}"
    for _ in range(3):
        assert STATUS[refusal(guard, value, operation="moveFromTemp").kind] == 403
    for _ in range(2):
        assert STATUS[refusal(guard, value, operation="moveFromTemp").kind] == 429


def test_quota_off_by_default(clock: Clock) -> None:
    quota = DailyQuota(0, clock)
    for _ in range(10_000):
        quota.charge("c")


@pytest.mark.parametrize(("offset", "seconds"), [(0, 86_400), (0.5, 86_400), (1, 86_399), (86_399.2, 1)])
def test_seconds_to_midnight(offset: float, seconds: int) -> None:
    assert seconds_to_midnight(MIDNIGHT + offset) == seconds
