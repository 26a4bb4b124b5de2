"""The auth matrix, generated from the OpenAPI documents (issue 13, item 3).

Every secured operation of every served vendor by each way a credential can be wrong → that vendor's
exact rejection: the status its renderer gives the kind, a body its document allows for that status,
and ``WWW-Authenticate`` naming the scheme on every 401 of an HTTP-authentication scheme (RFC 7235).
Cases are generated only where they apply: *expired* for vendors whose settings give tokens a
lifetime (``token_ttl_seconds``), *replayed* for vendors whose signatures have a window
(``clock_skew_seconds``), *scope* for credentials granted less than the first, *tenant* for
operations with a ``{tenant}`` and a credential of another tenant. A vendor with none of them has
no such case: the matrix lists what it checks (``test_the_matrix_covers_every_vendor``).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from hostile_access import (
    Headers,
    Operation,
    all_operations,
    assert_documented,
    authorize,
    basic,
    credentials,
    document,
    token_for,
    vendor,
)
from hostile_world import json_type, url

from mockservers.core import errors as kinds
from mockservers.core.vendor import Credential
from mockservers.vendors import served

pytestmark = pytest.mark.live

SECURED = [op for op in all_operations() if op.secured]


def schemes(name: str) -> dict[str, dict[str, Any]]:
    return dict(document(name)["components"]["securitySchemes"])


def http_schemes(name: str) -> set[str]:
    return {s["scheme"].lower() for s in schemes(name).values() if s["type"] == "http"}


def settings_of(name: str) -> Any:
    return vendor(name).settings()


def cases(op: Operation) -> list[str]:
    """The matrix row of one operation: which rejections apply to its vendor."""
    row = ["no credentials", "malformed", "wrong secret"]
    kinds_ = {c.kind for c in credentials(op.vendor)}
    if "client_id" in kinds_ and hasattr(settings_of(op.vendor), "token_ttl_seconds"):
        row.append("expired")
    if hasattr(settings_of(op.vendor), "clock_skew_seconds"):
        row.append("replayed outside its window")
    if restricted(op) is not None:
        row.append("without the permission")
    if "{tenant}" in op.path and other_tenant(op.vendor) is not None:
        row.append("another tenant")
    return row


def grants(credential: Credential) -> set[str]:
    return set(re.split(r"[\s,]+", credential.grants.strip())) - {""}


def tenant(credential: Credential) -> str | None:
    found = re.search(r"tenant (\S+?),", credential.grants + ",")
    return found.group(1) if found else None


def required_grants(op: Operation) -> set[str]:
    """The grants the operation's description names (``**Requires the `candidatesWrite` permission.**``)."""
    named = set(re.findall(r"`([^`\s]+)`", str(op.spec.get("description", ""))))
    known = {g for c in credentials(op.vendor) for g in grants(c)}
    return named & known


def restricted(op: Operation) -> Credential | None:
    """A credential of the operation's vendor and tenant that holds none of the grants the operation names."""
    needed = required_grants(op)
    first = credentials(op.vendor)[0]
    for credential in credentials(op.vendor)[1:]:
        if needed and not grants(credential) & needed and tenant(credential) == tenant(first):
            return credential
    return None


def other_tenant(name: str) -> Credential | None:
    first = credentials(name)[0]
    return next((c for c in credentials(name)[1:] if tenant(c) not in (None, tenant(first))), None)


def malformed(name: str) -> dict[str, str]:
    """An Authorization no parser of the vendor's schemes reads."""
    scheme = next(iter(schemes(name).values()))
    if scheme["type"] == "http" and scheme["scheme"].lower() == "basic":
        return {"Authorization": "Basic %%%not-base64%%%"}
    if scheme["type"] == "http":
        return {"Authorization": f"{scheme['scheme'].title()} not one token"}
    return {scheme.get("name", "Authorization"): "garbage-without-a-colon"}


def wrong_secret(world: dict[str, Any], op: Operation) -> httpx.Auth:
    """The first credential with its secret (or key) replaced: a token never issued, a key never made, a wrong HMAC."""
    first = credentials(op.vendor, world["server"].settings.vendor(op.vendor))[0]
    if first.kind == "client_id":
        return Headers({"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.d3Jvbmctc2lnbmF0dXJl"})
    if first.kind.startswith("api key (Basic"):
        return Headers({"Authorization": basic("not-a-key-of-this-vendor", "")})
    wrong = Credential(
        first.kind, first.id if first.kind == "access id" else "not-a-token-1234567890", "wrong-secret", ""
    )
    return authorize(world["http"], op.vendor, wrong, world["server"].platform.clock.now)


def request(
    world: dict[str, Any], op: Operation, auth: httpx.Auth | None, headers: dict[str, str] | None = None
) -> httpx.Request:
    params = {
        p["name"]: str((p.get("schema") or {}).get("examples", [p.get("example", "x")])[0])
        for p in op.spec.get("parameters", [])
        if p.get("in") == "query" and p.get("required")
    }
    built = world["http"].build_request(
        op.method.upper(),
        url(op, world),
        params=params,
        content=example_body(op),
        headers={
            **({"Content-Type": json_type(op) or op.content_types[0]} if op.content_types else {}),
            **(headers or {}),
        },
    )
    if auth is not None:
        built = next(auth.auth_flow(built))
    return built


def example_body(op: Operation) -> bytes | None:
    """The document's example of the operation's JSON body (parameters are valid, so only the credential is
    wrong: WTTJ checks parameters first), else ``{}``; None for an operation without a body."""
    import json

    if not op.content_types:
        return None
    content = op.spec["requestBody"]["content"].get(json_type(op) or "", {})
    return json.dumps(content.get("example", {})).encode()


def check(op: Operation, response: httpx.Response, kind: str | set[str]) -> None:
    allowed = {kind} if isinstance(kind, str) else kind
    by_status = {_status(op, k): k for k in allowed}
    assert response.status_code in by_status, (op.id, response.status_code, response.text[:300])
    assert_documented(op, response, by_status[response.status_code])
    if response.status_code == 401 and http_schemes(op.vendor):
        challenge = response.headers.get("www-authenticate", "")
        assert challenge.split(" ")[0].lower() in http_schemes(op.vendor), (op.id, challenge)


def _status(op: Operation, kind: str) -> int:
    from hostile_access import expected_status

    return expected_status(op.vendor, kind, op.path)


MATRIX = [(op, case) for op in SECURED for case in cases(op)]

REFUSED = {kinds.UNAUTHENTICATED, kinds.FORBIDDEN}
"""A wrong secret is 401 at most vendors; Ashby answers a wrong key 403 ``invalid_api_key`` (its document says so),
PageUp a token of another tenant 401 (docs/fidelity.md)."""


@pytest.mark.parametrize(("op", "case"), MATRIX, ids=[f"{op.id}-{case}" for op, case in MATRIX])
def test_a_bad_credential_is_the_vendors_exact_rejection(world: dict[str, Any], op: Operation, case: str) -> None:
    http: httpx.Client = world["http"]
    clock = world["server"].platform.clock
    if case == "no credentials":
        check(op, http.send(request(world, op, None)), kinds.UNAUTHENTICATED)
    elif case == "malformed":
        check(op, http.send(request(world, op, None, malformed(op.vendor))), kinds.UNAUTHENTICATED)
    elif case == "wrong secret":
        check(op, http.send(request(world, op, wrong_secret(world, op))), REFUSED)
    elif case == "expired":
        first = credentials(op.vendor, world["server"].settings.vendor(op.vendor))[0]
        token = token_for(http, op.vendor, first)
        lifetime = world["server"].settings.vendor(op.vendor).token_ttl_seconds
        http.post("/__admin/clock/advance", json={"seconds": lifetime + 1}).raise_for_status()
        try:
            check(
                op, http.send(request(world, op, Headers({"Authorization": f"Bearer {token}"}))), kinds.UNAUTHENTICATED
            )
        finally:
            http.post("/__admin/clock/reset").raise_for_status()
    elif case == "replayed outside its window":
        signed = request(world, op, world["auth"][op.id])
        window = world["server"].settings.vendor(op.vendor).clock_skew_seconds
        http.post("/__admin/clock/advance", json={"seconds": window + 1}).raise_for_status()
        try:
            check(op, http.send(signed), kinds.UNAUTHENTICATED)
        finally:
            http.post("/__admin/clock/reset").raise_for_status()
    elif case == "without the permission":
        credential = restricted(op)
        assert credential is not None
        check(op, http.send(request(world, op, authorize(http, op.vendor, credential, clock.now))), kinds.FORBIDDEN)
    elif case == "another tenant":
        credential = other_tenant(op.vendor)
        assert credential is not None
        check(op, http.send(request(world, op, authorize(http, op.vendor, credential, clock.now))), REFUSED)
    else:  # pragma: no cover
        raise AssertionError(case)


def test_the_matrix_covers_every_vendor() -> None:
    """Every served vendor has every secured operation in the matrix, and the cases its credentials allow."""
    covered = {op.vendor for op, _ in MATRIX}
    assert covered == {v.name for v in served()}
    listed = {(op.vendor, case) for op, case in MATRIX}
    assert ("pageup", "another tenant") in listed and ("clinch", "replayed outside its window") in listed
    assert {v for v, c in listed if c == "without the permission"} >= {"pageup", "ashby", "wttj", "endorsed"}
    assert {v for v, c in listed if c == "expired"} >= {"pageup", "endorsed"}
