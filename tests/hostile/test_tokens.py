"""JSON hidden in a token (issue 13: "the same inside a base64 token ... every place that parses JSON —
bodies, tokens, cursors, handles, config"), against every string input of every served vendor.

A vendor that packs state into an opaque string (Ashby's ``cursor``, ``syncToken`` and file
handles are base64 JSON; a JWT's segments are base64 JSON) must read a hostile one as it reads any
string it did not write. So each string property of each JSON body, each string query parameter,
each path parameter and the ``Authorization`` header is sent once as base64 of a hostile JSON
document and once as base64 of plain garbage: the two answers are the same status in the same
media type, and neither is a 5xx. The inputs come from the OpenAPI documents, so a new vendor's
tokens are covered without a line here.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hostile_access import Operation, all_operations, document, pointer
from hostile_world import JSON_OPS, json_type, url

pytestmark = pytest.mark.live

DEPTH = 2_000
"""Past Python's recursion limit (1,000), small enough for a header, a URL and every vendor's body limit."""
HOSTILE: dict[str, bytes] = {
    "deeply nested array": b'{"n": "%s", "v": ' + b"[" * DEPTH + b"]" * DEPTH + b"}",
    "deeply nested object": b'{"n": "%s", "v": ' + b'{"k":' * DEPTH + b"1" + b"}" * DEPTH + b"}",
    "raw lone surrogate": b'{"k": "c", "after": 0, "n": "%s", "handle": "\xed\xa0\x80"}',
    "escaped lone surrogate": b'{"k": "c", "after": 0, "n": "%s", "handle": "\\ud800"}',
    "NaN": b'{"k": "c", "after": NaN, "n": "%s"}',
    "huge integer": b'{"k": "c", "n": "%s", "after": ' + b"9" * 5000 + b"}",
}
"""Hostile JSON documents; ``%s`` is a nonce, so that a token used as a record's id is new each time."""
GARBAGE = b"not json at all %s"


def hostile(case: str) -> tuple[bytes, bytes]:
    """The hostile document of ``case`` and a garbage one as long (length limits answer both alike), each with a
    fresh nonce."""
    bad = HOSTILE[case].replace(b"%s", uuid.uuid4().hex.encode())
    plain = GARBAGE.replace(b"%s", uuid.uuid4().hex.encode())
    return bad, plain.ljust(len(bad), b"x")


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def resolved(op: Operation, schema: Any) -> dict[str, Any]:
    """The schema with its ``$ref`` followed (a boolean schema, ``false`` for a field never allowed, as ``{}``)."""
    if not isinstance(schema, dict):
        return {}
    while "$ref" in schema:
        schema = pointer(document(op.vendor), schema["$ref"])
    return schema


def is_string(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def body_schema(op: Operation) -> dict[str, Any]:
    media = json_type(op)
    assert media is not None
    return resolved(op, op.spec["requestBody"]["content"][media]["schema"])


def string_fields(op: Operation) -> list[str]:
    """The JSON body's top-level string properties (every branch of a ``oneOf``)."""
    schema = body_schema(op)
    branches = [resolved(op, s) for s in schema.get("oneOf", schema.get("anyOf", []))] or [schema]
    names = []
    for branch in branches:
        for name, prop in branch.get("properties", {}).items():
            if is_string(resolved(op, prop)) and name not in names:
                names.append(name)
    return names


def body_for(op: Operation, field: str, value: str, world: dict[str, Any]) -> bytes:
    """Every required string present (an id of a demo record where one fits), ``field`` set to ``value``."""
    schema = body_schema(op)
    made = world["created"].get(op.vendor, {})
    body: dict[str, Any] = {}
    for name in schema.get("required", []):
        noun = name.removesuffix("Id").removesuffix("_id")
        body[name] = made.get(noun, f"x-{uuid.uuid4().hex[:8]}")
    body[field] = value
    return json.dumps(body).encode()


BODY_CASES = [(op, field) for op in JSON_OPS for field in string_fields(op)]


def answer(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.headers.get("content-type", "").split(";")[0]


def answered_as_garbage(send: Callable[[bytes], httpx.Response], case: str) -> None:
    """The hostile document of ``case`` gets no 5xx, and the status and media type a garbage one of its length gets."""
    bad, plain = hostile(case)
    hostile_answer, garbage = send(bad), send(plain)
    assert hostile_answer.status_code < 500, hostile_answer.text[:300]
    assert answer(hostile_answer) == answer(garbage), (hostile_answer.text[:300], garbage.text[:300])


@pytest.mark.parametrize("case", HOSTILE)
@pytest.mark.parametrize(("op", "field"), BODY_CASES, ids=[f"{op.id} {field}" for op, field in BODY_CASES])
def test_json_in_a_body_token_is_read_as_any_foreign_token(
    world: dict[str, Any], op: Operation, field: str, case: str
) -> None:
    def send(token: str) -> httpx.Response:
        return world["http"].request(
            op.method.upper(),
            url(op, world),
            content=body_for(op, field, token, world),
            headers={"Content-Type": json_type(op) or ""},
            auth=world["auth"][op.id],
        )

    answered_as_garbage(lambda raw: send(b64(raw)), case)


def query_cases() -> list[tuple[Operation, str]]:
    found = []
    for op in all_operations():
        for parameter in op.spec.get("parameters", []):
            if parameter.get("in") in ("query", "path") and is_string(resolved(op, parameter.get("schema", {}))):
                found.append((op, f"{parameter['in']}:{parameter['name']}"))
    return found


QUERY_CASES = [case for case in query_cases() if case[0].secured and case[1] != "path:tenant"]


def _with_parameter(op: Operation, world: dict[str, Any], where: str, value: str) -> str:
    kind, name = where.split(":", 1)
    path = url(op, world)
    if kind == "path":
        segments, template = path.split("/"), op.path.split("/")
        segments[template.index("{" + name + "}")] = value
        return "/".join(segments)
    params = {p["name"]: "x.pdf" for p in op.spec.get("parameters", []) if p.get("in") == "query" and p.get("required")}
    params[name] = value
    return str(httpx.URL(path, params=params))


@pytest.mark.parametrize("case", HOSTILE)
@pytest.mark.parametrize(("op", "where"), QUERY_CASES, ids=[f"{op.id} {where}" for op, where in QUERY_CASES])
def test_json_in_a_parameter_token_is_read_as_any_foreign_token(
    world: dict[str, Any], op: Operation, where: str, case: str
) -> None:
    def send(token: str) -> httpx.Response:
        return world["http"].request(
            op.method.upper(), _with_parameter(op, world, where, token), auth=world["auth"][op.id]
        )

    answered_as_garbage(lambda raw: send(b64(raw)), case)


SECURED = [op for op in all_operations() if op.secured]


@pytest.mark.parametrize("scheme", ["Bearer", "Basic"])
@pytest.mark.parametrize("case", HOSTILE)
@pytest.mark.parametrize("op", SECURED, ids=lambda op: op.id)
def test_json_in_a_credential_is_read_as_any_foreign_credential(
    world: dict[str, Any], op: Operation, case: str, scheme: str
) -> None:
    """A JWT-shaped bearer token (header, payload and signature segments) or a Basic credential of hostile JSON."""

    def send(raw: bytes) -> httpx.Response:
        token = f"{b64(raw)}.{b64(raw)}.{b64(b'sig')}" if scheme == "Bearer" else b64(raw)
        return world["http"].request(
            op.method.upper(),
            url(op, world),
            content=b"{}" if op.content_types else None,
            headers={"Authorization": f"{scheme} {token}", "Content-Type": json_type(op) or "application/json"},
        )

    answered_as_garbage(send, case)


def test_every_vendor_has_a_token_input_here() -> None:
    """The cases are generated: each served vendor contributes string inputs, so none is skipped unseen."""
    from mockservers.vendors import served

    covered = {op.vendor for op, _ in BODY_CASES} | {op.vendor for op, _ in QUERY_CASES}
    assert covered == {v.name for v in served()}
