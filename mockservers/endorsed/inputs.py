"""Reading Endorsed request bodies (form, JSON, multipart over ``core.http``) and checking their values.

Checks answer as Zod answers with its default messages (inferred: Endorsed's error ``issues`` with
``message`` and ``path`` are Zod's, so its validation most plausibly is): a missing field is
"Required", a wrong type "Expected string, received number", a value outside an enum "Invalid enum
value. Expected 'a' | 'b', received 'c'", a bad UUID "Invalid uuid", a bad URL "Invalid url". Every
problem of a body is reported at once, one issue each. Also inferred: ``null`` is the same as absent
for an optional field; a required string must not be empty; a field sent twice (form or multipart)
arrives as an array, as Express's parsers deliver it, and is refused as one.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from mockservers.core.errors import FieldError
from mockservers.core.http import InvalidJSON, is_json_media_type, media_type, multipart_form, parse_json, read_body
from mockservers.core.numbers import js_number
from mockservers.endorsed.errors import bad_request, invalid, too_large, unsupported_media_type

BODY_LIMIT = 64 * 1024
"""Largest form or JSON body read, and largest multipart text field (inferred; bounds what a record holds)."""
MULTIPART_OVERHEAD = 256 * 1024
"""Room for the text fields and part headers beside the largest allowed file."""
MISSING: Any = object()
"""A field the body does not have (Zod's ``undefined``)."""

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*", re.IGNORECASE)


def is_uuid(value: str) -> bool:
    return _UUID.fullmatch(value) is not None


def received(value: Any) -> str:
    """Zod's name for a value's type, as its messages say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, UploadFile):
        return "file"
    return "object"


def options(values: Sequence[str]) -> str:
    return " | ".join(f"'{v}'" for v in values)


class Issues:
    """The problems found in one body, in the order the fields were checked."""

    def __init__(self) -> None:
        self.found: list[FieldError] = []

    def add(self, path: str | None, message: str) -> None:
        self.found.append(FieldError(path, message))

    def raise_any(self) -> None:
        if self.found:
            raise bad_request(*self.found)

    def absent(self, value: Any, path: str, required: bool) -> bool:
        """Nothing to check: the field is missing (``Required`` if it must be there), or an optional one is null."""
        if value is MISSING or (value is None and not required):
            if required:
                self.add(path, "Required")
            return True
        return False

    def string(self, value: Any, path: str, *, required: bool = True) -> str | None:
        """A string (non-empty when required); None when absent, or when an optional one is null or empty."""
        if self.absent(value, path, required):
            return None
        if not isinstance(value, str):
            self.add(path, f"Expected string, received {received(value)}")
            return None
        if not value:
            if required:
                self.add(path, "String must contain at least 1 character(s)")
            return None
        return value

    def enum(self, value: Any, path: str, allowed: Sequence[str], *, required: bool = True) -> str | None:
        if self.absent(value, path, required):
            return None
        if not isinstance(value, str):
            self.add(path, f"Expected {options(allowed)}, received {received(value)}")
            return None
        if value not in allowed:
            self.add(path, f"Invalid enum value. Expected {options(allowed)}, received '{value}'")
            return None
        return value

    def uuid(self, value: Any, path: str, *, required: bool = True) -> str | None:
        """A UUID, lower-cased (Endorsed's ids are lower-case)."""
        text = self.string(value, path, required=required)
        if text is None:
            return None
        if not is_uuid(text):
            self.add(path, "Invalid uuid")
            return None
        return text.lower()

    def url(self, value: Any, path: str) -> str | None:
        """A URL as WHATWG parsing would accept it: a scheme, and a host for http(s). The fetcher judges the rest."""
        text = self.string(value, path)
        if text is None:
            return None
        scheme, colon, rest = text.partition(":")
        special = scheme.lower() in ("http", "https")
        if not colon or not _SCHEME.fullmatch(scheme) or (special and not rest.lstrip("/").split("/")[0]):
            self.add(path, "Invalid url")
            return None
        return text

    def array(self, value: Any, path: str) -> list[Any]:
        """An optional array (``phone_numbers`` ...); an empty array is allowed."""
        if value is MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.add(path, f"Expected array, received {received(value)}")
            return []
        return value

    def object(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(path, f"Expected object, received {received(value)}")
            return None
        return value


# -- bodies ----------------------------------------------------------------------------------------


def _too_large(limit: int) -> Any:
    return lambda: too_large(f"The request body is larger than {limit} bytes")


async def read_json_object(request: Request, limit: int = BODY_LIMIT) -> dict[str, Any]:
    """The JSON object body; an empty body reads as ``{}`` (body-parser's answer), so its fields are missing."""
    raw = await read_body(request, limit, _too_large(limit))
    if not raw.strip():
        return {}
    try:
        value = parse_json(raw, integers=js_number)  # JSON.parse: Infinity past a double
    except InvalidJSON as exc:
        raise invalid(None, f"Invalid request body: {exc.reason}") from None
    if not isinstance(value, dict):
        raise invalid(None, f"Expected object, received {received(value)}")
    return value


async def read_form(request: Request) -> dict[str, Any]:
    """An ``application/x-www-form-urlencoded`` body; a name sent twice holds the list of its values."""
    raw = await read_body(request, BODY_LIMIT, _too_large(BODY_LIMIT))
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise invalid(None, "Invalid request body: the body is not UTF-8") from None
    except ValueError:
        raise invalid(None, "Invalid request body: the body is not valid form data") from None
    return collect(pairs)


def collect(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in pairs:
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    return values


def body_kind(request: Request, allowed: Sequence[str], default: str) -> str:
    """The body's media type among ``allowed`` (``default`` when no Content-Type is sent); else 415."""
    media = media_type(request.headers.get("content-type"))
    if not media:
        return default
    if is_json_media_type(media):
        media = "application/json"
    if media not in allowed:
        shown = " or ".join(allowed)
        raise unsupported_media_type(f"Content-Type must be {shown}, not {media}")
    return media


@asynccontextmanager
async def multipart(request: Request, max_file_size: int) -> AsyncIterator[dict[str, Any]]:
    """The multipart form as a dict (text fields, ``UploadFile`` parts, lists for repeated names).

    Without a Content-Type the body is taken for multipart (Endorsed's default) but, having no
    boundary, reads as an empty form, so every required field is reported missing. The spooled
    files are closed when the block ends.
    """
    limit = max_file_size + MULTIPART_OVERHEAD
    if media_type(request.headers.get("content-type")) != "multipart/form-data":
        yield {}
        return
    async with multipart_form(
        request,
        limit=limit,
        too_large=_too_large(limit),
        malformed=lambda detail: invalid(None, f"Invalid multipart body: {detail}"),
        max_files=5,
        max_fields=50,
        max_part_size=BODY_LIMIT,
    ) as form:
        yield form_values(form)


def form_values(form: FormData) -> dict[str, Any]:
    return collect(form.multi_items())


def lookup(values: Mapping[str, Any], name: str) -> Any:
    return values.get(name, MISSING)
