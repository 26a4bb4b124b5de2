"""Adapting one of the shared checks to a vendor's documented convention, in one place.

A vendor's ``contracts/<vendor>/hooks.py`` may define ``adapt_checks(functions)``; the suite runs
what it answers. ``excusing`` is the one way they adapt: a check that lets answers matching a
predicate pass (a remote URL the vendor could not download, a state conflict, Ashby's HTTP 200
errors) and sends every other answer to schemathesis' own check unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

Predicate = Callable[[Any, Any], bool]
"""``(response, case) -> True`` when the answer is the vendor's documented reading, not a failure."""


def excusing(functions: Mapping[str, Any], name: str, predicate: Predicate) -> dict[str, Any]:
    """``functions`` with check ``name`` passing whenever ``predicate`` holds, else the original."""
    original = functions[name]

    def adapted(ctx: Any, response: Any, case: Any) -> bool | None:
        if predicate(response, case):
            return None
        result: bool | None = original(ctx, response, case)
        return result

    adapted.__name__ = name
    return {**functions, name: adapted}


def multipart_negative(response: Any, case: Any) -> bool:
    """A negative multipart/form-data case the server accepted: a known false positive.

    A form part is text: the type violations the negative generator makes (``null``, a number, an
    object for a string field) reach the server as the text ``null``, ``8536031``, ``{}``, which
    are valid strings, so accepting them is right. The violations text can carry (a missing part,
    an empty or out-of-enum value, a malformed UUID) are covered by a Hypothesis test per vendor
    with multipart uploads (contracts/endorsed/test_openapi.py).
    """
    return bool(case.media_type == "multipart/form-data" and response.status_code < 300)


Reading = Callable[[Sequence[str]], str]
"""Which of a repeated query parameter's values (never empty) a vendor reads."""


def first_value(values: Sequence[str]) -> str:
    """ASP.NET Core's reading: model binding takes ``ValueProviderResult.FirstValue``."""
    return values[0]


def last_value(values: Sequence[str]) -> str:
    """Rack's reading (so Grape's): a name sent again without ``[]`` replaces the value before it."""
    return values[-1]


def empty_query_reads_as_absent(read: Reading) -> Predicate:
    """A negative case whose only violations are optional query parameters whose value, as the
    vendor reads a repeated one (``read``), reached the wire empty (``?expiresInSeconds=``), answered as
    if they were absent: a known false positive for a vendor that reads an empty query value as no
    value (ASP.NET Core binds it as null, Grape coerces it to nil).

    The generator makes such a case by turning an integer into an object: ``urlencode`` sends a
    dict's keys, so ``{"": x}`` becomes an empty value and ``{"": x, "a": y}`` the values ``""``
    and ``a``, of which the vendor reads one (``first_value``, ``last_value``). Every other violation
    (a negative path, header or body; a required parameter; a non-empty value read) stays judged.
    """

    def predicate(response: Any, case: Any) -> bool:
        meta = _negative_only_in_query(case)
        if meta is None:
            return False
        data = meta.phase.data
        mutations = getattr(data, "mutations", ())
        if mutations:
            named = [(m.parameter_location.value, m.parameter) for m in mutations]
        else:
            named = [(getattr(data.parameter_location, "value", None), data.parameter)]
        if any(location != "query" or name is None for location, name in named):
            return False
        optional = {parameter.name for parameter in case.operation.query if not parameter.is_required}
        sent = parse_qs(urlsplit(str(response.request.url)).query, keep_blank_values=True)
        return all(name in optional and (name not in sent or read(sent[name]) == "") for _, name in named)

    return predicate


def _negative_only_in_query(case: Any) -> Any:
    """The case's metadata when it is negative in its query and nowhere else, else None. Read without
    ``case.meta`` (which would revalidate what a hook changed)."""
    meta = getattr(case, "_meta", None)
    if meta is None or not meta.generation.mode.is_negative:
        return None
    negative = {location.value for location, info in meta.components.items() if info.mode.is_negative}
    return meta if negative == {"query"} else None


def query_valid_as_read(read: Reading) -> Predicate:
    """A negative case whose only violation is in the query and whose query, read from the wire as
    the vendor reads it, is valid: the violation did not survive serialization, so accepting the
    request is right. A known false positive of array and text parameters: ``page: [false]`` goes
    out as ``page=false``, text an ``integer | string`` parameter takes; ``include: ""`` goes out as
    ``include=``, the wire form of ``[""]`` (an ``explode: false`` array), whose empty name the
    document admits. schemathesis reads neither as the server does.

    The reading: of a repeated name the value ``read`` picks; an ``explode: false`` array is that
    value split on commas; anything else its text. A parameter of any other style (``deepObject``,
    an exploded array) in the case, or a negative path, header or body, leaves the check to judge.
    """

    def predicate(response: Any, case: Any) -> bool:
        if _negative_only_in_query(case) is None:
            return False
        sent = parse_qs(urlsplit(str(response.request.url)).query, keep_blank_values=True)
        generated = case.query or {}
        reading: dict[str, Any] = {}
        for parameter in case.operation.query:
            name, definition = parameter.name, parameter.definition
            array = "array" in _types(definition.get("schema", {}))
            if name in generated and (
                definition.get("style", "form") != "form" or (array and definition.get("explode", True))
            ):
                return False
            if name in sent:
                text = read(sent[name])
                reading[name] = text.split(",") if array else text
        return bool(case.operation.query.get_strict_validator().is_valid(reading))

    return predicate


def _types(schema: Any) -> set[str]:
    """The ``type`` names a parameter's schema declares (a list, or one)."""
    declared = schema.get("type") if isinstance(schema, Mapping) else None
    return set(declared) if isinstance(declared, list) else {declared} if isinstance(declared, str) else set()


def in_stateful_phase(case: Any) -> bool:
    """Whether schemathesis made ``case`` for its stateful phase, where an OpenAPI link may have set
    its path parameters from an earlier answer: an aiming hook must leave those alone, or the
    workflow reads the seeded resource instead of the one it just created. Read from the case's
    metadata without ``case.meta`` (which would revalidate what a hook changed)."""
    meta = getattr(case, "_meta", None)
    phase = getattr(meta, "phase", None)
    return str(getattr(phase, "name", "")) == "stateful"
