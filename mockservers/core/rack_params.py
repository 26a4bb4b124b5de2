"""Request parameters as Rack reads them (``Rack::QueryParser``), for the vendors that run on Rack: WTTJ
(Grape) and Clinch (Rails). Source: rack ``lib/rack/query_parser.rb`` (3.x) and Ruby's
``URI.decode_www_form_component``.

- ``query_pairs``: the pairs of a query string or urlencoded body: split at ``&`` and the spaces after it
  (``/& */``), empty pairs skipped, each split at its first ``=`` (no ``=``: no value), ``+`` a space,
  ``%XX`` a byte; a ``%`` not followed by two hex digits is ``invalid %-encoding (<the component>)``;
  more than 4096 pairs is Rack's ``QueryLimitError``.
- ``nest``: Rack's ``normalize_params``: ``a[b]=1`` is ``{"a": {"b": "1"}}``, ``a[]=1`` ``{"a": ["1"]}``,
  ``a[][b]=1&a[][c]=2`` one hash in the array and ``a[][b]=1&a[][b]=2`` two; a name used both as an array
  and as a hash or text is Rack's ``ParameterTypeError``; 32 levels deep its ``QueryLimitError``.

Every refusal is a ``RackParamError`` carrying Rack's own message, which Grape answers as a 400 and
Rails as ``ActionController::BadRequest`` ("Invalid query parameters: <message>").
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

PARAMS_LIMIT = 4096
"""``RACK_QUERY_PARSER_PARAMS_LIMIT``'s default."""
DEPTH_LIMIT = 32
"""``Rack::Utils.default_query_parser = QueryParser.make_default(32)``."""

_SEPARATOR = re.compile(rb"& *")
_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


class RackParamError(ValueError):
    """Rack refused the parameters; ``message`` is Rack's (``invalid %-encoding (%GG)``...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def unescape(component: bytes) -> bytes:
    """``URI.decode_www_form_component`` to bytes: ``+`` a space, ``%XX`` a byte; a stray ``%`` refused."""
    if _BAD_PERCENT.search(component):
        raise RackParamError(f"invalid %-encoding ({component.decode('utf-8', 'replace')})")
    return unquote_to_bytes(component.replace(b"+", b" "))


def query_pairs(raw: bytes) -> list[tuple[bytes, bytes | None]]:
    """The decoded ``(name, value)`` pairs of a query string or urlencoded body, in order (value None: no ``=``)."""
    if not raw:
        return []
    pairs = _SEPARATOR.split(raw, PARAMS_LIMIT)
    if len(pairs) > PARAMS_LIMIT:
        count = len(pairs) + pairs[-1].count(b"&")
        raise RackParamError(f"total number of query parameters ({count}) exceeds limit ({PARAMS_LIMIT})")
    found: list[tuple[bytes, bytes | None]] = []
    for pair in pairs:
        if not pair:
            continue
        name, equals, value = pair.partition(b"=")
        found.append((unescape(name), unescape(value) if equals else None))
    return found


def ruby_class(value: Any) -> str:
    """The Ruby class name Rack's messages give a parameter's value."""
    if isinstance(value, dict):
        return "Rack::QueryParser::Params"
    if isinstance(value, list):
        return "Array"
    if value is None:
        return "NilClass"
    return "String"


def nest(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Rack's ``parse_nested_query`` over decoded pairs (also how its multipart parser names parts)."""
    params: dict[str, Any] = {}
    for name, value in pairs:
        _normalize(params, name, value, 0)
    return params


def _has_key(params: dict[str, Any], key: str) -> bool:
    """``params_hash_has_key?``: whether ``key`` (``b`` or ``b][c``) is already set in the hash."""
    if "[]" in key:
        return False
    current: Any = params
    for part in re.split(r"[\[\]]+", key):
        if part == "":
            continue
        if not isinstance(current, dict) or part not in current:
            return False
        current = current[part]
    return True


def _expected(kind: str, found: Any, key: str) -> RackParamError:
    return RackParamError(f"expected {kind} (got {ruby_class(found)}) for param `{key}'")


def _normalize(params: dict[str, Any], name: str | None, value: Any, depth: int) -> Any:
    """Rack 3's ``_normalize_params``, line for line."""
    if depth >= DEPTH_LIMIT:
        raise RackParamError("Rack::QueryParser::QueryLimitError")
    if name is None:
        key = after = ""
    elif depth == 0:
        start = name.find("[", 1)
        key, after = (name[:start], name[start:]) if start != -1 else (name, "")
    elif name.startswith("[]"):
        key, after = "[]", name[2:]
    elif name.startswith("[") and (close := name.find("]", 1)) != -1:
        key, after = name[1:close], name[close + 1 :]
    else:
        key, after = name, ""
    if not key:
        return None
    if after == "":
        if key == "[]" and depth != 0:
            return [value]
        params[key] = value
    elif after == "[":
        assert name is not None
        params[name] = value
    elif after == "[]":
        if params.get(key) is None:
            params[key] = []
        if not isinstance(params[key], list):
            raise _expected("Array", params[key], key)
        params[key].append(value)
    elif after.startswith("[]"):
        child = after[3:-1] if after[2:3] == "[" and after.endswith("]") else ""
        if not child or "[" in child or "]" in child:
            child = after[2:]
        if params.get(key) is None:
            params[key] = []
        items = params[key]
        if not isinstance(items, list):
            raise _expected("Array", items, key)
        if items and isinstance(items[-1], dict) and not _has_key(items[-1], child):
            _normalize(items[-1], child, value, depth + 1)
        else:
            items.append(_normalize({}, child, value, depth + 1))
    else:
        if params.get(key) is None:
            params[key] = {}
        if not isinstance(params[key], dict):
            raise _expected("Hash", params[key], key)
        params[key] = _normalize(params[key], after, value, depth + 1)
    return params
