"""Reading PageUp requests as an ASP.NET Core API would bind them (all inferred from that stack).

- Query parameter names match case-insensitively, the first value wins: so ``filename`` (Jun-2025
  page) and ``fileName`` (Jul-2024 page) are the same parameter.
- JSON property names match case-insensitively, the last duplicate wins: so ``providerID`` (the
  seed's text) and ``providerId`` (the seed's sample) are the same property.
- Integers may be JSON numbers or numeric strings (System.Text.Json web defaults); strings must be
  JSON strings; ``null`` is the same as absent.
- The body must be ``application/json``, ``text/json`` or ``application/*+json`` (else 415).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mockservers.core import errors as kinds
from mockservers.core.errors import FieldError, VendorError
from mockservers.core.http import InvalidJSON, is_json_media_type, media_type, parse_json
from mockservers.core.numbers import LongInteger, long_integer
from mockservers.pageup.models import MoveRequest, check_filename, invalid

MAX_BODY_BYTES = 1024 * 1024
"""Largest JSON body read (inferred; a moveFromTemp body is a few hundred bytes)."""

INT64 = (-(2**63), 2**63 - 1)
INT32 = (-(2**31), 2**31 - 1)

_INTEGER = re.compile(r"-?[0-9]+")

_STRINGS = ("title", "fileName", "physicalFile", "documentCategoryName")
_INTEGERS: Mapping[str, tuple[int, int]] = {
    "id": INT64,
    "providerId": INT64,
    "documentCategoryId": INT32,
    "jobId": INT64,
    "offerId": INT64,
    "applicationId": INT64,
    "applicantId": INT64,
}
_CANONICAL = {name.lower(): name for name in (*_STRINGS, *_INTEGERS)}


def query_value(items: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of query parameter ``name``, matched case-insensitively."""
    wanted = name.lower()
    for key, value in items:
        if key.lower() == wanted:
            return value
    return None


def accepts_json(content_type: str | None) -> bool:
    """What ASP.NET Core's JSON input formatter reads: ``application/json``, ``text/json``, ``application/*+json``."""
    media = media_type(content_type)
    return media == "text/json" or is_json_media_type(media)


def body_error(message: str, kind: str = kinds.INVALID_INPUT) -> VendorError:
    return invalid(FieldError("body", message), kind=kind)


def too_large(limit: int) -> VendorError:
    return body_error(f"The request body is larger than {limit} bytes.", kind=kinds.TOO_LARGE)


def unsupported_media_type(content_type: str | None) -> VendorError:
    """ASP.NET Core's 415 for a ``[FromBody]`` that is not JSON, in PageUp's envelope."""
    shown = content_type or "(none)"
    return VendorError(
        kinds.UNSUPPORTED_MEDIA_TYPE, f"The request content type '{shown}' is not supported; send application/json."
    )


def parse_json_body(raw: bytes) -> Any:
    """The JSON value of a request body, or PageUp's 400 naming what is wrong with it.

    System.Text.Json refuses what ``parse_json`` refuses (invalid UTF-8, lone surrogates, NaN) and
    skips a UTF-8 byte order mark.
    """
    if not raw.strip():
        raise body_error("A non-empty request body is required.")
    try:
        return parse_json(raw, bom=True, integers=long_integer)
    except InvalidJSON:
        raise body_error("The request body is not valid JSON.") from None


def parse_move_request(body: Any) -> MoveRequest:
    """The moveFromTemp body (seed, step 3) with its types and required fields checked.

    Type errors are reported alone (the binder stops there); otherwise every missing required
    field (title, fileName, physicalFile) is reported at once. The category rule and everything
    needing state are the store's (``DocumentStore.move_from_temp``).
    """
    if not isinstance(body, dict):
        raise body_error("The request body must be a JSON object.")
    values: dict[str, Any] = {}
    for key, value in body.items():
        name = _CANONICAL.get(str(key).lower())
        if name is not None:
            values[name] = value
    errors: list[FieldError] = []
    parsed: dict[str, Any] = {}
    for name in _STRINGS:
        value = values.get(name)
        if value is not None and not isinstance(value, str):
            errors.append(FieldError(name, "The JSON value could not be converted to System.String."))
        parsed[name] = value
    for name, bounds in _INTEGERS.items():
        value = values.get(name)
        if value is None:
            parsed[name] = None
            continue
        number = _integer(value, bounds)
        if number is None:
            kind = "System.Int32" if bounds == INT32 else "System.Int64"
            errors.append(FieldError(name, f"The JSON value could not be converted to {kind}."))
        parsed[name] = number
    if errors:
        raise invalid(*errors)
    for name in ("title", "fileName", "physicalFile"):
        value = parsed[name]
        if value is None or not value.strip():
            errors.append(FieldError(name, f"The {name} field is required."))
    if errors:
        raise invalid(*errors)
    check_filename(parsed["fileName"], "fileName")
    category_name = parsed["documentCategoryName"]
    return MoveRequest(
        title=parsed["title"],
        file_name=parsed["fileName"],
        physical_file=parsed["physicalFile"],
        category_name=category_name if category_name and category_name.strip() else None,
        category_id=parsed["documentCategoryId"],
        id=parsed["id"],
        provider_id=parsed["providerId"],
        job_id=parsed["jobId"],
        offer_id=parsed["offerId"],
        application_id=parsed["applicationId"],
        applicant_id=parsed["applicantId"],
    )


def _integer(value: Any, bounds: tuple[int, int]) -> int | None:
    if isinstance(value, bool | LongInteger):  # a LongInteger's 4300+ digits fit no Int32 or Int64
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value) and len(value) <= 20:
        number = int(value)
    else:
        return None
    low, high = bounds
    return number if low <= number <= high else None
