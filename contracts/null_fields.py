"""Where a document and its mock disagree about ``null``: optional fields the mock reads as absent.

Every vendor mock reads ``null`` in an optional JSON field as "left out" (each vendor's fidelity
row). A document that types such a field without ``null`` makes schemathesis' negative mode send
``null`` as a violation; the mock accepts it, and the suite fails on whichever run happens to draw
it (Ashby's ``website``, Endorsed's ``title``, once each in CI). ``drift`` finds them all at once:
for every optional property of every JSON request body (nested objects and array items too) whose
schema refuses ``null``, it sends positive cases with that one property set to ``null``; an answer
the vendor accepts is drift, and a refusal counts once the same case without the ``null`` is
accepted (so a case refused for another reason, an unknown id, proves nothing). Each property gets
its own seeded examples, so a unique field of one variant (a ``remote_id``) does not make the next
one a conflict.

The same holds for ``""``, which mocks read as absent too (Endorsed's ``candidate_id``, WTTJ's
``remote_*_url``): the negative mode draws it for a field whose ``format`` or type refuses it
(``value=""``; judged with formats asserted, as schemathesis judges it).
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contracts.target import Target

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Drift:
    """An optional field the document refuses ``null`` for, and a request with it ``null`` accepted."""

    operation: str
    field: str
    request: str


def _resolve(document: Mapping[str, Any], schema: Any) -> Any:
    """``schema`` with ``$ref`` followed and an ``allOf`` merged (properties and required)."""
    while isinstance(schema, Mapping) and "$ref" in schema:
        node: Any = document
        for part in str(schema["$ref"]).removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    if isinstance(schema, Mapping) and "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties: dict[str, Any] = {}
        required: list[str] = list(merged.get("required", []))
        for part in schema["allOf"]:
            resolved = _resolve(document, part)
            for name, sub in resolved.get("properties", {}).items():
                properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
            required += resolved.get("required", [])
            merged.update({k: v for k, v in resolved.items() if k not in ("properties", "required")})
        merged["properties"] = {**merged.get("properties", {}), **properties}
        merged["required"] = required
        return merged
    return schema


def allows_null(document: Mapping[str, Any], schema: Any) -> bool:
    """Whether ``null`` validates against ``schema`` (3.1 ``type`` lists, 3.0 ``nullable``, enums, any/oneOf, allOf)."""
    if isinstance(schema, Mapping) and "allOf" in schema and "$ref" not in schema:
        return all(allows_null(document, part) for part in schema["allOf"])
    schema = _resolve(document, schema)
    if not isinstance(schema, Mapping):
        return True
    kind = schema.get("type")
    if "enum" in schema and None not in schema["enum"]:
        return False
    if kind is not None and kind != "null" and not (isinstance(kind, list) and "null" in kind):
        if not schema.get("nullable"):
            return False
    alternatives = [*schema.get("anyOf", ()), *schema.get("oneOf", ())]
    return not alternatives or any(allows_null(document, part) for part in alternatives)


def allows_empty(document: Mapping[str, Any], schema: Any) -> bool:
    """Whether ``""`` validates against ``schema``, as schemathesis judges it (``jsonschema_rs``,
    formats asserted: an empty ``format: uuid`` is a violation its negative mode draws)."""
    import jsonschema_rs  # schemathesis' validator, installed with it

    root = {"components": document.get("components", {}), "allOf": [schema]}
    return bool(jsonschema_rs.Draft202012Validator(root, validate_formats=True).is_valid(""))


def allows(document: Mapping[str, Any], schema: Any, value: Any) -> bool:
    """Whether ``value`` (``None`` or ``""``, the two a mock may read as absent) validates against ``schema``."""
    return allows_null(document, schema) if value is None else allows_empty(document, schema)


def optional_non_null(
    document: Mapping[str, Any], schema: Any, at: Path = (), depth: int = 4, value: Any = None
) -> Iterator[Path]:
    """Paths of optional properties that refuse ``value`` (``null`` unless told), into nested
    objects and array items."""
    schema = _resolve(document, schema)
    if depth == 0 or not isinstance(schema, Mapping):
        return
    if schema.get("type") == "array" or "items" in schema:
        yield from optional_non_null(document, schema.get("items", {}), (*at, 0), depth - 1, value)
        return
    required = set(schema.get("required", ()))
    for name, sub in schema.get("properties", {}).items():
        if name not in required and not allows(document, sub, value):
            yield (*at, name)
        yield from optional_non_null(document, sub, (*at, name), depth - 1, value)


def _with_null(body: Any, path: Path, value: Any = None) -> Any | None:
    """A copy of ``body`` with ``path`` set to ``value`` (``null`` unless told; added when the case
    left it out), or None when the case has no object to put it in (an absent parent, an empty list)."""
    variant = copy.deepcopy(body)
    node = variant
    for step in path[:-1]:
        if isinstance(step, int):
            if not isinstance(node, list) or not node:
                return None
        elif not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    if not isinstance(node, dict):
        return None
    node[path[-1]] = value
    return variant


def accepted(response: Any) -> bool:
    """A 2xx that is not an error envelope (Ashby answers errors 200 ``success: false``)."""
    if response.status_code >= 300:
        return False
    try:
        body = response.json()
    except ValueError:
        return True
    return not (isinstance(body, dict) and (body.get("success") is False or body.get("is_error") is True))


def _dotted(path: Path) -> str:
    return ".".join("[]" if isinstance(step, int) else step for step in path).replace(".[]", "[]")


@dataclass
class Probe:
    """One optional field of one operation: whether ``null`` was accepted, or shown refused (the
    same case without it was accepted while the ``null`` one was not)."""

    operation: str
    field: str
    drift: Drift | None = None
    refused: bool = False

    @property
    def decided(self) -> bool:
        return self.drift is not None or self.refused


def _probe(operation: Any, media_type: str, path: Path, target: Target, max_examples: int, value: Any) -> Probe:
    """Positive cases of ``operation`` with ``path`` set to ``value`` until one decides the field."""
    from hypothesis import HealthCheck, given, seed, settings
    from schemathesis import GenerationMode

    probe = Probe(operation.label, _dotted(path))

    @given(operation.as_strategy(generation_mode=GenerationMode.POSITIVE, media_type=media_type))
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @seed(zlib.crc32(f"{operation.label} {path}".encode()))
    def one(case: Any) -> None:
        original = case.body
        variant = _with_null(original, path, value)
        if variant is None or probe.decided:
            return
        case.body = variant
        response = case.call(base_url=target.base_url)
        if accepted(response):
            request = response.request
            body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else ""
            probe.drift = Drift(probe.operation, probe.field, f"{request.method} {request.url}\n{body}")
            return
        case.body = original
        probe.refused = accepted(case.call(base_url=target.base_url))

    one()
    return probe


def probes(schema: Any, target: Target, *, max_examples: int = 10, value: Any = None) -> list[Probe]:
    """Every optional JSON body field that refuses ``value`` (``null`` unless told) in the document,
    probed on ``target``."""
    document = schema.raw_schema
    found: list[Probe] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        content = operation.definition.raw.get("requestBody", {}).get("content", {})
        for media_type, spec in content.items():
            if media_type == "application/json" or media_type.endswith("+json"):
                for path in optional_non_null(document, spec.get("schema", {}), value=value):
                    found.append(_probe(operation, media_type, path, target, max_examples, value))
    return found


def drift(schema: Any, target: Target, *, max_examples: int = 10, value: Any = None) -> list[Drift]:
    """Every (operation, field) where the document refuses ``value`` (``null`` unless told) and the
    target accepted it."""
    found = probes(schema, target, max_examples=max_examples, value=value)
    return [probe.drift for probe in found if probe.drift is not None]
