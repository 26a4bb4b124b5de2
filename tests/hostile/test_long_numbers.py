"""A number written with more digits than Python's ``int`` reads (4300) is refused or taken, never a 500.

Found by the WTTJ audit: ``per_page=<5000 nines>`` and a ``job_stage_id`` of 5000 digits as a JSON
string answered 500 (``int()`` raises ``ValueError`` past ``sys.int_info.str_digits_check_threshold``).
Every served vendor's every declared query parameter and top-level JSON body field gets the long
number, as text and as a JSON string; the answer is the vendor's own, below 500.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hostile_access import Operation, document, operations, pointer
from hostile_world import JSON_OPS, json_type, send, url

from mockservers.vendors import served

pytestmark = pytest.mark.live

LONG = "9" * 5000


def _query_names(op: Operation) -> list[str]:
    doc = document(op.vendor)
    names = []
    for parameter in op.spec.get("parameters", []):
        while "$ref" in parameter:
            parameter = pointer(doc, parameter["$ref"])
        if parameter.get("in") == "query":
            names.append(str(parameter["name"]))
    return names


def _body_names(op: Operation) -> list[str]:
    doc = document(op.vendor)
    content = (op.spec.get("requestBody") or {}).get("content", {})
    schema = next((c.get("schema", {}) for t, c in content.items() if "json" in t), {})
    while "$ref" in schema:
        schema = pointer(doc, schema["$ref"])
    return sorted(schema.get("properties", {}))


QUERY_OPS = [op for vendor in served() for op in operations(vendor.name) if op.secured and _query_names(op)]


@pytest.mark.parametrize("op", QUERY_OPS, ids=lambda op: op.id)
def test_a_long_number_in_any_query_parameter_is_no_500(world: dict[str, Any], op: Operation) -> None:
    for name in _query_names(op):
        response = world["http"].request(
            op.method.upper(),
            url(op, world),
            params={name: LONG},
            content=b"{}" if json_type(op) else None,
            headers={"Content-Type": json_type(op) or "application/json"},
            auth=world["auth"][op.id],
        )
        assert response.status_code < 500, (name, response.text[:300])


@pytest.mark.parametrize("op", [op for op in JSON_OPS if _body_names(op)], ids=lambda op: op.id)
def test_a_long_json_number_in_any_body_field_is_read_as_json(world: dict[str, Any], op: Operation) -> None:
    """A JSON number of 5000 digits is valid JSON to every vendor's parser (Ruby's Bignum, .NET's number
    token, JavaScript's Infinity): the field's own rule answers it, never a 500 or "not JSON"."""
    not_json = ("not valid JSON", "does not match declared format", "Invalid request body", "Unexpected token")
    for name in _body_names(op):
        response = send(world, op, b'{"%s": %s}' % (name.encode(), LONG.encode()), json_type(op) or "")
        assert response.status_code < 500, (name, response.text[:300])
        assert not any(words in response.text for words in not_json), (name, response.text[:300])


@pytest.mark.parametrize("op", [op for op in JSON_OPS if _body_names(op)], ids=lambda op: op.id)
def test_a_long_number_as_a_json_string_in_any_body_field_is_no_500(world: dict[str, Any], op: Operation) -> None:
    for name in _body_names(op):
        response = send(world, op, json.dumps({name: LONG}).encode(), json_type(op) or "")
        assert response.status_code < 500, (name, response.text[:300])
