"""Reading Ashby request bodies (JSON or multipart, over ``core.http``) into checked values.

Every problem is Ashby's ``invalid_input`` (HTTP 200) with a message naming the field; a body
that is not JSON is "Request payload is malformed", the message of Ashby's own example.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from mockservers.ashby.files import FilePayload
from mockservers.ashby.models import invalid
from mockservers.core import errors as kinds
from mockservers.core.errors import VendorError
from mockservers.core.http import (
    InvalidJSON,
    declared_length,
    is_json_media_type,
    media_type,
    multipart_form,
    parse_json,
    read_body,
)
from mockservers.core.numbers import js_number

JSON_BODY_LIMIT = 10 * 1024 * 1024
"""Largest JSON body read (inferred; Ashby publishes no request size limit)."""
MULTIPART_OVERHEAD = 1024 * 1024
"""Room for the form fields and part headers beside the largest allowed file."""
FORM_FIELD_LIMIT = 1024 * 1024
"""Largest non-file multipart field (the JSON ``applicationForm`` of a multipart submission)."""
EARLIEST, LATEST = 0.0, 253402300799.0
"""Date-times the mock accepts: 1970-01-01 to 9999-12-31 (the range its timestamps can be written in)."""

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def malformed(detail: str) -> VendorError:
    return VendorError(kinds.INVALID_INPUT, f"Request payload is malformed: {detail}")


def too_large(limit: int) -> VendorError:
    return VendorError(
        kinds.TOO_LARGE, f"Request payload is too large: the limit is {limit} bytes", code="invalid_input"
    )


def is_multipart(request: Request) -> bool:
    return media_type(request.headers.get("content-type")) == "multipart/form-data"


def _check_length(request: Request) -> None:
    try:
        declared_length(request)
    except ValueError:
        raise malformed("Content-Length is not a number") from None


async def read_json(request: Request, operation: str) -> dict[str, Any]:
    """The JSON object body; an empty body reads as ``{}`` (Ashby's examples POST ``{}``)."""
    kind = media_type(request.headers.get("content-type"))
    if kind == "multipart/form-data":
        raise invalid("Content-Type", f"{operation} accepts application/json only, not multipart/form-data")
    if kind and not is_json_media_type(kind):
        raise invalid("Content-Type", f"must be application/json, not {kind}")
    _check_length(request)
    body = await read_body(request, JSON_BODY_LIMIT, lambda: too_large(JSON_BODY_LIMIT))
    if not body.strip():
        return {}
    try:
        parsed = parse_json(body, integers=js_number)  # JSON.parse: Infinity past a double
    except InvalidJSON as exc:
        raise malformed(exc.reason) from None
    if not isinstance(parsed, dict):
        raise malformed("the body must be a JSON object")
    return parsed


@asynccontextmanager
async def multipart(request: Request, max_file_size: int) -> AsyncIterator[FormData]:
    """The multipart form, parsed with a cap on the whole body and on every non-file field.

    Its spooled files are closed when the block ends.
    """
    _check_length(request)
    limit = max_file_size + MULTIPART_OVERHEAD
    async with multipart_form(
        request, limit=limit, too_large=lambda: too_large(limit), malformed=malformed, max_part_size=FORM_FIELD_LIMIT
    ) as form:
        yield form


async def file_part(form: FormData, name: str) -> FilePayload:
    """The file part ``name`` of a multipart form, read into memory (bounded by ``read_form``)."""
    part = form.get(name)
    if part is None:
        raise invalid(name, "is required: send the file as a multipart part with this name")
    if not isinstance(part, UploadFile):
        raise invalid(name, "must be a file part (with a filename), not a text field")
    data = await part.read()
    return FilePayload(
        filename=part.filename or name, content_type=part.content_type or "application/octet-stream", data=data
    )


def form_json(form: FormData, name: str) -> Any:
    """A multipart text field that carries JSON (``applicationForm``, ``utmData``...), or None if absent."""
    raw = form.get(name)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise invalid(name, "must be a text field holding JSON, not a file")
    try:
        return parse_json(raw.encode("utf-8", "surrogatepass"), integers=js_number)
    except InvalidJSON:
        raise invalid(name, "is not valid JSON") from None


def form_text(form: FormData, name: str) -> str | None:
    raw = form.get(name)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise invalid(name, "must be a text field, not a file")
    return raw


# -- checked values --------------------------------------------------------------------------------


def string(body: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise invalid(name, "is required")
        return None
    if not isinstance(value, str):
        raise invalid(name, "must be a string")
    if required and not value.strip():
        raise invalid(name, "must not be empty")
    return value


def required_string(body: Mapping[str, Any], name: str) -> str:
    value = string(body, name)
    assert value is not None
    return value


def uuid_string(body: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = string(body, name, required=required)
    if value is None:
        return None
    if _UUID.fullmatch(value) is None:
        raise invalid(name, "must be a UUID")
    return value.lower()


def required_uuid(body: Mapping[str, Any], name: str) -> str:
    value = uuid_string(body, name)
    assert value is not None
    return value


def integer(body: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None:
        if required:
            raise invalid(name, "is required")
        return None
    # A float is checked as a float: float() of a huge int (JSON allows any length) overflows.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(name, "must be an integer")
    if isinstance(value, float) and not value.is_integer():
        raise invalid(name, "must be an integer")
    return int(value)


def boolean(body: Mapping[str, Any], name: str, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(name, "must be a boolean")
    return value


def string_list(body: Mapping[str, Any], name: str) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(name, "must be an array of strings")
    return list(value)


def url(body: Mapping[str, Any], name: str) -> str | None:
    """An optional URL; Ashby: "Must be a valid Url" (read here as absolute http or https)."""
    value = string(body, name, required=False)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(name, "must be a valid URL")
    return value


def timestamp(body: Mapping[str, Any], name: str) -> float | None:
    """An optional ISO-8601 date-time, as epoch seconds (UTC when no offset is given)."""
    value = string(body, name, required=False)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(name, "must be an ISO-8601 date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        epoch = parsed.timestamp()
    except (OverflowError, ValueError):
        epoch = -1.0
    if not EARLIEST <= epoch <= LATEST:
        raise invalid(name, "must be between 1970-01-01 and 9999-12-31")
    return epoch


def location(body: Mapping[str, Any], name: str) -> dict[str, str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(name, "must be an object with city, region and country")
    out: dict[str, str] = {}
    for key in ("city", "region", "country"):
        part = value.get(key)
        if part is not None and not isinstance(part, str):
            raise invalid(f"{name}.{key}", "must be a string")
        if part:
            out[key] = part
    return out or None
