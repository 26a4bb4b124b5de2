"""The token issuer: real JWTs whose expiry reads the mock clock, refused with a reason."""

from __future__ import annotations

import jwt
import pytest

from mockservers.core import tokens as tokens_module
from mockservers.core.clock import Clock
from mockservers.core.tokens import TokenError, TokenIssuer


@pytest.fixture
def clock() -> Clock:
    c = Clock()
    c.freeze()
    c.set(1_700_000_000)
    return c


@pytest.fixture
def issuer(clock: Clock) -> TokenIssuer:
    return TokenIssuer(clock)


def reason(issuer: TokenIssuer, vendor: str, token: str | None) -> str:
    with pytest.raises(TokenError) as raised:
        issuer.verify(vendor, token)
    return raised.value.reason


def test_issue_signs_a_jwt_with_the_standard_claims(issuer: TokenIssuer) -> None:
    issued = issuer.issue("pageup", "atsmock-pageup", ["Public.Document.Read"], 300, {"tenant": "218"})
    claims = jwt.decode(issued.token, options={"verify_signature": False})
    assert claims == {
        "iss": "atsmock/pageup",
        "sub": "atsmock-pageup",
        "client_id": "atsmock-pageup",
        "scope": ["Public.Document.Read"],
        "iat": 1_700_000_000,
        "nbf": 1_700_000_000,
        "exp": 1_700_000_300,
        "jti": claims["jti"],
        "tenant": "218",
    }
    assert jwt.get_unverified_header(issued.token)["alg"] == "HS256"
    assert (issued.issued_at, issued.expires_at, issued.scopes) == (
        1_700_000_000,
        1_700_000_300,
        ("Public.Document.Read",),
    )
    assert issued.claims == claims


def test_scope_claim_can_be_shaped_per_vendor(issuer: TokenIssuer) -> None:
    issued = issuer.issue("endorsed", "c", ["all:read", "all:write"], 60, scope_claim="all:read all:write")
    assert jwt.decode(issued.token, options={"verify_signature": False})["scope"] == "all:read all:write"
    assert issued.scopes == ("all:read", "all:write")


def test_every_token_is_distinct(issuer: TokenIssuer) -> None:
    tokens = {issuer.issue("pageup", "c", [], 300).token for _ in range(20)}
    assert len(tokens) == 20


def test_a_token_is_valid_until_the_mock_clock_reaches_its_expiry(issuer: TokenIssuer, clock: Clock) -> None:
    issued = issuer.issue("pageup", "c", ["s"], 300)
    assert issuer.verify("pageup", issued.token) == issued
    clock.advance(299.999)
    assert issuer.verify("pageup", issued.token) == issued
    clock.advance(0.001)
    assert reason(issuer, "pageup", issued.token) == "expired"
    clock.advance(-1)  # moving the clock back makes it valid again: expiry only reads the clock
    assert issuer.verify("pageup", issued.token) == issued


@pytest.mark.parametrize(
    ("token", "why", "message"),
    [
        (None, "missing", "no access token"),
        ("", "missing", "no access token"),
        ("not-a-jwt", "malformed", "the access token is not a JWT"),
        ("a.b.c", "invalid", "the access token signature is invalid or unknown"),
    ],
)
def test_refusals_say_why(issuer: TokenIssuer, token: str | None, why: str, message: str) -> None:
    with pytest.raises(TokenError) as raised:
        issuer.verify("pageup", token)
    assert (raised.value.reason, raised.value.message, str(raised.value)) == (why, message, message)


def test_a_token_from_another_issuer_or_vendor_is_invalid(issuer: TokenIssuer, clock: Clock) -> None:
    other = TokenIssuer(clock).issue("pageup", "c", [], 300)
    assert reason(issuer, "pageup", other.token) == "invalid"
    mine = issuer.issue("pageup", "c", [], 300)
    assert reason(issuer, "ashby", mine.token) == "invalid"


def test_forget_one_vendor_keeps_the_others(issuer: TokenIssuer) -> None:
    pageup = issuer.issue("pageup", "c", [], 300)
    endorsed = issuer.issue("endorsed", "c", [], 300)
    issuer.forget("pageup")
    assert reason(issuer, "pageup", pageup.token) == "invalid"
    assert issuer.verify("endorsed", endorsed.token) == endorsed


def test_forget_all_revokes_every_vendor(issuer: TokenIssuer) -> None:
    pageup = issuer.issue("pageup", "c", [], 300)
    ashby = issuer.issue("ashby", "c", [], 300)
    issuer.forget()
    assert reason(issuer, "pageup", pageup.token) == "invalid"
    assert reason(issuer, "ashby", ashby.token) == "invalid"
    after = issuer.issue("pageup", "c", [], 300)
    assert issuer.verify("pageup", after.token) == after


def test_expired_tokens_are_dropped_as_new_ones_come_but_still_refused_as_expired(
    issuer: TokenIssuer, clock: Clock
) -> None:
    """A token-per-request client keeps only the live tokens; an old one is still "expired", by its signature."""
    first = issuer.issue("pageup", "c", [], 1)
    for _ in range(1_000):
        clock.advance(2)
        issuer.issue("pageup", "c", [], 1)
    assert len(issuer) == 1
    assert reason(issuer, "pageup", first.token) == "expired"
    assert reason(issuer, "ashby", first.token) == "invalid"  # ours, but another vendor's
    issuer.forget()  # a full reset changes the key: what it signed before is no longer ours
    assert reason(issuer, "pageup", first.token) == "invalid"


def test_a_dropped_token_not_yet_expired_is_invalid_not_expired(issuer: TokenIssuer, clock: Clock) -> None:
    kept = issuer.issue("pageup", "c", [], 300)
    issuer.forget("pageup")
    assert reason(issuer, "pageup", kept.token) == "invalid"


def test_live_tokens_are_bounded_and_the_soonest_to_expire_go_first(
    issuer: TokenIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens_module, "MAX_LIVE_TOKENS", 3)
    short = issuer.issue("pageup", "c", [], 10)
    long = [issuer.issue("pageup", "c", [], 1000 + i) for i in range(3)]
    assert len(issuer) == 3
    assert reason(issuer, "pageup", short.token) == "invalid"
    assert [issuer.verify("pageup", t.token) for t in long] == long


def test_claims_only_signs_exactly_the_given_claims_then_iat_and_exp(issuer: TokenIssuer) -> None:
    data = {"data": {"client_id": "c", "scope": ["all:read"]}}
    issued = issuer.issue("endorsed", "c", ["all:read"], 60, data, claims_only=True)
    payload = issued.token.split(".")[1]
    assert jwt.utils.base64url_decode(payload) == (
        b'{"data":{"client_id":"c","scope":["all:read"]},"iat":1700000000,"exp":1700000060}'
    )
    assert jwt.get_unverified_header(issued.token) == {"alg": "HS256", "typ": "JWT"}
    assert issuer.verify("endorsed", issued.token) == issued
    assert (issued.client_id, issued.scopes, issued.expires_at) == ("c", ("all:read",), 1_700_000_060)
