"""Reading Clinch requests: capped bodies, media types, JSON:API documents and the list's query.

JSON:API 1.0 (jsonapi.org/format/1.0) over ``core.http``. Inferred where Clinch is silent (each in
``docs/fidelity.md``): ``application/json`` is accepted beside ``application/vnd.api+json``, and
media type parameters (``; charset=utf-8``) are ignored rather than refused with JSON:API's 415; a
body that is not JSON is a 400, JSON that is not a resource document a 422 pointing at the part at
fault; ``page`` and ``per_page`` are read as Ruby's ``to_i`` reads them; unknown filters are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from starlette.requests import Request

from mockservers.clinch.dates import parse_date_time
from mockservers.clinch.errors import SERVER_ERROR_DETAIL
from mockservers.clinch.models import CandidateFilter
from mockservers.core import errors as kinds
from mockservers.core.errors import VendorError
from mockservers.core.http import InvalidJSON, media_type, parse_json, read_body
from mockservers.core.numbers import clamped_int, long_integer
from mockservers.core.rack_params import RackParamError, query_pairs

JSON_API = "application/vnd.api+json"
ACCEPTED_MEDIA_TYPES = frozenset({JSON_API, "application/json"})
BODY_LIMIT = 1024 * 1024
"""Largest body of every endpoint but the file upload (inferred)."""

INCLUDES = frozenset(
    {
        "events.call_to_action",
        "events.form_submission.fields",
        "social_profile",
        "page_sessions",
        "timeline_entries",
        "timeline_entries.lifecycle",
        "form_submissions",
        "web_sessions.events.user_agent",
        "web_sessions.events.call_to_action",
        "web_sessions.events.form_submission.fields",
        "web_sessions.events.city",
        "messages.from",
        "list_memberships",
        "locations",
        "static_lists",
        "project_template_stages",
        "cities",
        "recent_location",
        "resumes",
        "newest_event",
        "jobs",
        "job_applications",
        "notes",
    }
)
"""Seed 003, ``components.parameters.candidateInclude``: the relationship paths ``include=`` takes."""


def file_body_limit(max_file_bytes: int) -> int:
    """The upload's body cap: room for the base64 of the largest file (4/3), its line breaks and JSON
    escapes, and the document around it; a file within ``max_file_bytes`` always fits."""
    return max_file_bytes * 2 + BODY_LIMIT


def too_large(limit: int) -> VendorError:
    return VendorError(kinds.TOO_LARGE, f"The request body is larger than {limit} bytes")


async def body(request: Request, limit: int) -> bytes:
    return await read_body(request, limit, lambda: too_large(limit))


def check_media_type(content_type: str | None) -> None:
    """POST and PATCH bodies must be ``application/vnd.api+json`` (seed 003) or ``application/json``:
    another media type is a 415; none at all means no document was sent, a 422 at ``/data`` (inferred:
    Rails reads no parameters from a body it has no type for, so ``data`` is missing)."""
    if not content_type:
        raise pointer_error("/data", f"data is missing: the request has no Content-Type, send {JSON_API}")
    if media_type(content_type) not in ACCEPTED_MEDIA_TYPES:
        raise VendorError(
            kinds.UNSUPPORTED_MEDIA_TYPE,
            f"Request bodies must be {JSON_API} (or application/json), not {content_type!r}",
        )


def pointer_error(pointer: str, message: str) -> VendorError:
    return VendorError(kinds.UNPROCESSABLE, message, code="invalid_document", field=pointer)


def resource_attributes(raw: bytes, types: Sequence[str], resource_id: str | None = None) -> dict[str, Any]:
    """The ``attributes`` of a JSON:API document's one resource object, once its shape and ``type`` are right.

    ``types`` are the accepted ``data.type`` values (the seed's singular example and the plural the
    Ruby client sends); ``resource_id``, on PATCH, must equal ``data.id`` when the document has one.
    ``attributes`` is required (the published document's ``required: [type, attributes]`` on every
    request document), so a PATCH without it is a 422, not a silent no-op.
    """
    try:
        document = parse_json(raw, integers=long_integer)  # Ruby's JSON: a Bignum of any length
    except InvalidJSON as exc:
        detail = f"The request body is not valid JSON: {exc.reason}"
        raise VendorError(kinds.INVALID_INPUT, detail, code="bad_json") from None
    if not isinstance(document, dict):
        raise pointer_error("", "The request body must be a JSON:API document (an object with data)")
    data = document.get("data")
    if not isinstance(data, dict):
        raise pointer_error("/data", "data must be a resource object")
    kind = data.get("type")
    if not isinstance(kind, str) or not kind:
        raise pointer_error("/data/type", "type can't be blank")
    if kind not in types:
        raise pointer_error("/data/type", f"type {kind!r} is not one of {', '.join(types)}")
    if resource_id is not None and "id" in data and data["id"] != resource_id:
        raise pointer_error("/data/id", f"id {data['id']!r} does not match the id in the URL, {resource_id}")
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):  # absent too: Clinch's published document requires it
        raise pointer_error("/data/attributes", "attributes must be an object")
    return attributes


# -- the list's query ---------------------------------------------------------------------------------

_LEADING_INTEGER = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+(?:_[0-9]+)*)")
"""What Ruby's ``String#to_i`` reads: C ``isspace`` (ASCII only), a sign, ASCII digits, single underscores
between digits (``"1_2".to_i`` is 12, ``"1__2".to_i`` 1: bugs.ruby-lang.org #13105). Python's ``\\s`` and
``\\d`` would also take Unicode spaces and digits (``"٣".to_i`` is 0 in Ruby)."""
_DIGIT_AT_LINE_START = re.compile(r"^[0-9]", re.MULTILINE)
"""Kaminari's ``/^\\d/ =~ num.to_s`` (Ruby's ``^`` is a line start; its ``\\d`` is ASCII)."""
_FILTER = re.compile(r"filter\[([^\]]*)\]\[([^\]]*)\]")


def ruby_to_i(value: str | None) -> int:
    """Ruby's ``String#to_i``: the leading integer, 0 when there is none (``"2abc"`` → 2, ``"x"`` → 0);
    past 18 digits ``core.numbers.LIMIT`` (Ruby's Bignum pages alike; Python's ``int`` refuses 4300+ digits)."""
    match = _LEADING_INTEGER.match(value or "")
    return clamped_int(match.group(1).replace("_", "")) if match else 0


def last(items: Sequence[tuple[str, str]], name: str) -> str | None:
    """The last value of a repeated query parameter (Rack keeps the last)."""
    values = [v for k, v in items if k == name]
    return values[-1] if values else None


class MalformedCSV(ValueError):
    """What Ruby's ``CSV::MalformedCSVError`` is raised for: a stray or unclosed quote."""


def csv_line(text: str) -> list[str | None]:
    """The first row of ``text`` as Ruby's ``CSV.parse_line`` reads it (``,`` between fields, ``"`` quotes,
    ``""`` a quote inside them; the row ends at the first line break outside quotes): an empty field is
    None, an empty quoted one ``""``; a quote inside an unquoted field, anything after a closing quote
    but ``,``, or an unclosed quote is ``MalformedCSV``. Nothing is trimmed."""
    fields: list[str | None] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            value, i = [], i + 1
            while True:
                if i >= n:
                    raise MalformedCSV("Unclosed quoted field")
                if text[i] == '"':
                    if text.startswith('""', i):
                        value.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                value.append(text[i])
                i += 1
            fields.append("".join(value))
            if i < n and text[i] not in ",\r\n":
                raise MalformedCSV("Any value after quoted field isn't allowed")
        else:
            start = i
            while i < n and text[i] not in ',\r\n"':
                i += 1
            if i < n and text[i] == '"':
                raise MalformedCSV("Illegal quoting")
            fields.append(text[start:i] or None)
        if i >= n or text[i] in "\r\n":
            return fields
        i += 1  # the comma


def include(items: Sequence[tuple[str, str]]) -> frozenset[str]:
    """``include=a,b`` as jsonapi-resources reads it (``parse_include_directives``): ``CSV.parse_line``, empty
    fields dropped, nothing trimmed, so ``" resumes "`` is no relationship; the first name the seed does not
    list (or a line CSV cannot read, named whole) is a 400 in its words."""
    raw = last(items, "include")
    try:
        names = [name for name in csv_line(raw) if name is not None] if raw else []
    except MalformedCSV:
        names = [raw or ""]
    unknown = next((name for name in names if name not in INCLUDES), None)
    if raw is not None and unknown is not None:
        raise VendorError(
            kinds.INVALID_INPUT,
            f"{unknown} is not a valid includable relationship of candidates",
            code="invalid_include",
            field="include",
        )
    return frozenset(names)


def paging(items: Sequence[tuple[str, str]], default_size: int, max_size: int) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` as Kaminari's ``page(n).per(m)`` reads them (kaminari-core
    ``page_scope_methods.rb``): ``page`` is ``to_i``, below 1 the first page; ``per`` keeps the default size
    for a negative number or one whose text has no digit at a line start (``"x"``, ``"+5"``, ``" 5"``),
    the maximum above ``max_per_page``, and ``0`` is ``limit(0)``, whose page count Kaminari cannot work
    out: ``ZeroPerPageOperation``, a 500 (``zero_per_page``)."""
    page = max(1, ruby_to_i(last(items, "page")))
    raw = last(items, "per_page")
    size = ruby_to_i(raw)
    if size < 0 or raw is None or _DIGIT_AT_LINE_START.search(raw) is None:
        return page, default_size
    if size == 0:
        raise VendorError(kinds.INTERNAL, SERVER_ERROR_DETAIL, code="zero_per_page")
    return page, min(size, max_size)


_NAMED_FILTER = re.compile(r"filter\[(updated_at|email)\]")
OPERATORS = {"updated_at": "lt|gte", "email": "eq"}
"""The seed's filters and their operators (``candidateFilter``)."""


def candidate_filter(items: Sequence[tuple[str, str]], zone: tzinfo) -> CandidateFilter:
    """``filter[updated_at][lt|gte]`` and ``filter[email][eq]`` (seed 003); other filters are ignored.

    One of the two given a plain value (``filter[updated_at]=x``, no operator) is a 400 naming the
    parameter (inferred: Rails hands the filter a string where it wants ``{operator: value}``, which
    the seed's ``deepObject`` describes); an empty one (``filter[email]=``, how an empty object is
    written) is ignored, as a blank parameter is."""
    found: dict[tuple[str, str], str] = {}
    for name, value in items:
        named = _NAMED_FILTER.fullmatch(name)
        if named is not None and value:
            field = named.group(1)
            raise VendorError(
                kinds.INVALID_INPUT,
                f"{name} is not a filter: send filter[{field}][{OPERATORS[field]}]=<value>",
                code="invalid_filter",
                field=name,
            )
        match = _FILTER.fullmatch(name)
        if match is not None:
            found[(match.group(1), match.group(2))] = value
    bounds: dict[str, float | None] = {}
    for operator in ("lt", "gte"):
        raw = found.get(("updated_at", operator))
        if raw is None:
            bounds[operator] = None
            continue
        epoch = parse_date_time(raw, zone)
        if epoch is None:
            raise VendorError(
                kinds.INVALID_INPUT,
                f"{raw!r} is not a date-time such as 2021-01-01T13:00:17",
                code="invalid_filter_value",
                field=f"filter[updated_at][{operator}]",
            )
        bounds[operator] = epoch
    return CandidateFilter(bounds["lt"], bounds["gte"], found.get(("email", "eq")))


def query_items(request: Request) -> list[tuple[str, str]]:
    """The query's pairs as Rails reads them (``ActionDispatch::Request#GET``): Rack's pairs
    (``core.rack_params``), then every name and value must be UTF-8 (``check_param_encoding``); either
    refusal is ``ActionController::BadRequest``, a 400 "Invalid query parameters: <Rack's or Rails' words>",
    checked before the signature (Rails reads the parameters before any controller callback runs)."""
    try:
        pairs = query_pairs(request.scope.get("query_string", b""))
    except RackParamError as refused:
        raise _bad_query(refused.message) from None
    items: list[tuple[str, str]] = []
    for name, value in pairs:
        for raw in (name, value or b""):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _bad_query(f"Invalid encoding for parameter: {raw.decode('utf-8', 'replace')}") from None
        items.append((name.decode("utf-8"), (value or b"").decode("utf-8")))
    return items


def _bad_query(message: str) -> VendorError:
    return VendorError(kinds.INVALID_INPUT, f"Invalid query parameters: {message}", code="invalid_query_parameters")


def headers_of(request: Request) -> Mapping[str, str]:
    """The request's headers by lower-case name (the first of a repeated header, as Rack reads one)."""
    found: dict[str, str] = {}
    for key, value in request.scope["headers"]:
        found.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
    return found
