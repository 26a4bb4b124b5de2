"""Request parameters as WTTJ's API reads them, checked before anything else (authentication included).

WTTJ's API is written in Grape (its observed ``"organization_reference is missing"`` is Grape's presence
message, its ``X-Total``/``X-Page``... headers are grape-kaminari's), so the mock reads parameters as
Grape does:

- one set of parameters, from the query string and the body (a JSON object, a form), the body winning;
  the docs call every field a "Query Parameter" while their examples send JSON, and both work;
- each endpoint declares its parameters; every problem is collected, in declaration order, and the
  request is refused with one 400 ``validation_failed`` whose description is Grape's message list,
  ``"job_reference is missing, page is invalid"``;
- this happens *before* authentication: an unauthenticated ``GET /jobs`` without parameters answered
  400 ``organization_reference is missing`` (observed live, api-evangelist/welcome-to-the-jungle
  ``errors/welcome-to-the-jungle-problem-types.yml``).

A body that is not JSON answers Grape's 400 ``message body does not match declared format``; a body
of another media type Grape's 415 ``The provided content-type '...' is not supported.``
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.requests import Request

from mockservers.core import errors as kinds
from mockservers.core.http import InvalidJSON, is_json_media_type, media_type, multipart_form, parse_json, read_body
from mockservers.core.numbers import clamped_int, long_integer
from mockservers.core.rack_params import RackParamError, nest, query_pairs
from mockservers.wttj.errors import error, invalid

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body read (inferred: a candidate or a list of URLs is a few KiB)."""

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = frozenset({"true", "t", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "f", "0", "no", "n", "off"})
"""The spellings Grape's Boolean coercion (dry-types ``Params::Bool``) accepts, case-insensitively."""


def too_large() -> Any:
    return error(kinds.TOO_LARGE, "Request Entity Too Large")


async def read_params(request: Request) -> Params:
    """The request's parameters: the query string, overridden by the body of a POST (Rack's
    ``params``, ``GET.merge(POST)``, then Grape's JSON body), each read with Rack's nested parser."""
    values: dict[str, Any] = _rack_form(request.scope.get("query_string", b""))
    if request.method == "POST":
        values.update(await _body_params(request))
    return Params(values)


def _rack_form(raw: bytes) -> dict[str, Any]:
    """A query string or urlencoded body as Rack's ``parse_nested_query`` reads it (``core.rack_params``):
    ``candidate[firstname]=Ada`` nests, ``remote_file_urls[][url]=...`` builds the array of objects; what
    Rack refuses (``%GG``, a name both an array and a hash) is Grape's 400 with Rack's message. Bytes that
    are not UTF-8 read as U+FFFD (Rack passes them on; Grape's validators scrub them, since grape #2524)."""
    try:
        pairs = [(_utf8(name), None if value is None else _utf8(value)) for name, value in query_pairs(raw)]
        return nest(pairs)
    except RackParamError as refused:
        raise invalid(refused.message) from None


def _utf8(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


async def _body_params(request: Request) -> Mapping[str, Any]:
    media = media_type(request.headers.get("content-type"))
    if media == _MULTIPART:
        async with multipart_form(
            request, limit=MAX_BODY_BYTES, too_large=too_large, malformed=lambda detail: invalid(detail)
        ) as form:
            try:  # Rack's multipart parser names each part with normalize_params, as a urlencoded form
                return nest([(name, value) for name, value in form.multi_items() if isinstance(value, str)])
            except RackParamError as refused:
                raise invalid(refused.message) from None
    raw = await read_body(request, MAX_BODY_BYTES, too_large)
    if not raw:
        return {}
    if media == _FORM:
        return _rack_form(raw)
    if media and not is_json_media_type(media):
        raise error(kinds.UNSUPPORTED_MEDIA_TYPE, f"The provided content-type '{media}' is not supported.")
    try:
        body = parse_json(raw, integers=long_integer)  # Ruby's JSON: a Bignum of any length
    except InvalidJSON:
        raise invalid("message body does not match declared format") from None
    return body if isinstance(body, dict) else {}  # Grape merges a JSON object only


@dataclass(frozen=True, slots=True)
class RemoteFileUrl:
    """One entry of ``remote_file_urls``."""

    filename: str
    url: str


class Params:
    """Declared parameters, read one by one; ``done()`` refuses the request if any was wrong."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.problems: list[str] = []

    def done(self) -> None:
        """Raise the one ``validation_failed`` listing every problem found, if any."""
        if self.problems:
            raise invalid(", ".join(dict.fromkeys(self.problems)))

    def _missing(self, name: str) -> None:
        self.problems.append(f"{name} is missing")

    def _invalid(self, name: str) -> None:
        self.problems.append(f"{name} is invalid")

    def string(self, name: str, *, required: bool = False) -> str | None:
        """A String parameter; numbers and booleans are coerced to text as Grape does."""
        return self._string(self.values, name, name, required)

    def _string(self, source: Mapping[str, Any], key: str, name: str, required: bool) -> str | None:
        value = source.get(key)
        if value is None:
            if required:
                self._missing(name)
            return None
        text = _text(value)
        if text is None:
            self._invalid(name)
        elif required and not text.strip():
            self.problems.append(f"{name} is empty")
            return None
        return text

    def _typed(self, name: str) -> Any:
        """The value of a parameter of a type other than String: an empty string is None, as Grape's
        coercer reads it (``PrimitiveCoercer#treat_as_nil?``: "Grape considers an empty string as
        absence of a value"), so ``?per_page=`` is the default and a required one is missing."""
        value = self.values.get(name)
        return None if value == "" else value

    def integer(self, name: str, *, required: bool = False, default: int | None = None) -> int | None:
        """An Integer parameter: a JSON integer or a decimal string (past 18 digits, ``core.numbers.LIMIT``)."""
        value = self._typed(name)
        if value is None:
            if required:
                self._missing(name)
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            return clamped_int(value.strip())
        self._invalid(name)
        return default

    def boolean(self, name: str, *, default: bool | None = None) -> bool | None:
        """A Boolean parameter: JSON true/false, or one of Grape's spellings (true/false, 1/0, yes/no...)."""
        value = self._typed(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower() if isinstance(value, str | int) else None
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        self._invalid(name)
        return default

    def date(self, name: str) -> date | None:
        """A ``YYYY-MM-DD`` date (the docs' format for ``created_after`` / ``updated_after``)."""
        value = self._typed(name)
        if value is None:
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self._invalid(name)
        return None

    def remote_file_urls(self, name: str) -> list[RemoteFileUrl]:
        """A required Array of ``{filename, url}`` objects; each member's problems are named with its index."""
        value = self.values.get(name)
        if value is None:
            self._missing(name)
            return []
        if value == "":  # dry-types' Params::Array reads an empty string as [] (an empty form field)
            return []
        if not isinstance(value, list):
            self._invalid(name)
            return []
        found: list[RemoteFileUrl] = []
        for index, item in enumerate(value):
            prefix = f"{name}[{index}]"
            if not isinstance(item, dict):
                self._invalid(prefix)
                continue
            filename = self._string(item, "filename", f"{prefix}[filename]", True)
            url = self._string(item, "url", f"{prefix}[url]", True)
            if filename is not None and url is not None:
                found.append(RemoteFileUrl(filename, url))
        return found


def _text(value: Any) -> str | None:
    """A scalar as Grape's String coercion writes it; None for arrays and objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None
