"""Codecs: how a record becomes JSON for a durable state store, and back. ``codec(Document)`` derives one.

A codec is built once per record type from the dataclass's type hints, so the SQLite store does
no type inspection per write; the in-memory store never calls it. A derived codec reads what an
older release wrote as long as the change is additive: a field that is missing in the stored JSON
takes its default, a stored field the class no longer has is ignored. Anything else (a field
without a default, a changed meaning) needs a migration in ``core/sqlite_state.py``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar, cast

V = TypeVar("V")

Convert = Callable[[Any], Any]


class Codec(Protocol[V]):
    """A record type's JSON form: ``encode`` gives values ``json.dumps`` accepts; ``decode`` undoes it."""

    def encode(self, value: V) -> Any: ...

    def decode(self, data: Any) -> V: ...


class FunctionCodec(Generic[V]):
    """A codec from two functions (for a record that is no plain dataclass, such as a scheduled fault)."""

    __slots__ = ("decode", "encode")

    def __init__(self, encode: Callable[[V], Any], decode: Callable[[Any], V]) -> None:
        self.encode = encode
        self.decode = decode


def _same(value: Any) -> Any:
    return value


JSON: Codec[Any] = FunctionCodec(_same, _same)
"""Records that are JSON values already (dicts of strings, numbers, lists)."""


def expiring(inner: Codec[V]) -> Codec[tuple[float, V]]:
    """``(expires_at, record)`` pairs, as ``core.expiry.ExpiringMap`` keeps them."""

    def encode(item: tuple[float, V]) -> Any:
        return [item[0], inner.encode(item[1])]

    def decode(data: Any) -> tuple[float, V]:
        expires_at, record = data  # a damaged row: a ValueError or TypeError here, refused when the store loads
        return _EXPIRY(expires_at), inner.decode(record)

    return FunctionCodec(encode, decode)


_DERIVED: dict[type[Any], Codec[Any]] = {}


def codec(cls: type[V]) -> Codec[V]:
    """The codec of a dataclass, derived from its type hints (and cached).

    Supported field types: ``str``, ``int``, ``float``, ``bool``, ``None``, ``Any`` (a JSON value),
    nested dataclasses, ``X | None``, ``list[X]``, ``tuple[X, ...]``, ``tuple[X, Y]``, ``dict[str, X]``
    and ``Mapping[str, X]``. Anything else is a ``TypeError`` here, when the model is built, so an
    unstorable field is found by the first unit test, not by the first restart.
    """
    found = _DERIVED.get(cls)
    if found is not None:
        return found
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = typing.get_type_hints(cls)
    fields = [
        (f.name, _converters(hints[f.name], f"{cls.__name__}.{f.name}"), _nullable(hints[f.name]))
        for f in dataclasses.fields(cls)
        if f.init
    ]
    derived = _DERIVED[cls] = cast(Codec[V], _DataclassCodec(cls, fields))
    return derived


class _DataclassCodec:
    __slots__ = ("_cls", "_fields")

    def __init__(
        self, cls: type[Any], fields: Sequence[tuple[str, tuple[Convert | None, Convert | None], bool]]
    ) -> None:
        self._cls = cls
        self._fields = tuple((name, enc, dec, nullable) for name, (enc, dec), nullable in fields)

    def encode(self, value: Any) -> Any:
        out = {}
        for name, enc, _, _ in self._fields:
            item = getattr(value, name)
            out[name] = item if enc is None or item is None else enc(item)
        return out

    def decode(self, data: Any) -> Any:
        if not isinstance(data, dict):  # a damaged row: "x" would read as a record with every field missing
            raise TypeError(f"{self._cls.__name__} is a JSON object, not {type(data).__name__}")
        kwargs = {}
        for name, _, dec, nullable in self._fields:
            if name in data:
                item = data[name]
                if item is None and not nullable:  # a damaged row: a null would be a 500 where the field is read
                    raise TypeError(f"{self._cls.__name__}.{name} must not be null")
                kwargs[name] = item if dec is None or item is None else dec(item)
        return self._cls(**kwargs)


_PLAIN = (str, int, float, bool, type(None))


def _nullable(tp: Any) -> bool:
    """Whether a field of type ``tp`` may hold JSON null: ``Any``, ``None`` and ``X | None``."""
    if tp is Any or tp is type(None):
        return True
    return typing.get_origin(tp) in (types.UnionType, typing.Union) and type(None) in typing.get_args(tp)


def _converters(tp: Any, where: str) -> tuple[Convert | None, Convert | None]:
    """(encode, decode) for one type; None where the JSON value is the value itself."""
    if tp is Any:
        return None, None
    if tp in _PLAIN:
        return None, _plain(tp, where)
    if dataclasses.is_dataclass(tp):
        inner = codec(cast(type[Any], tp))
        return inner.encode, inner.decode
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        present = [a for a in args if a is not type(None)]
        if len(present) == 1:
            enc, dec = _converters(present[0], where)
            return _optional(enc), _optional(dec)
    elif origin is list and args:
        enc, dec = _converters(args[0], where)
        return _each(enc, list), _each(dec, list)
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        enc, dec = _converters(args[0], where)
        return _each(enc, list), _each(dec, tuple)
    elif origin is tuple and args:
        pairs = [_converters(a, where) for a in args]
        return _positions([p[0] for p in pairs], list), _positions([p[1] for p in pairs], tuple)
    elif origin in (dict, Mapping) and args and args[0] is str:
        enc, dec = _converters(args[1], where)
        return _values(enc), _values(dec)
    raise TypeError(f"{where}: a state store cannot keep a {tp!r}")


def _plain(tp: type[Any], where: str) -> Convert:
    """The decoder of a plain field: the value if JSON gave that type (an int for a float), else ``TypeError``,
    so a damaged row is refused when the store loads, not met as a crash by the request that reads it."""
    accepted: tuple[type[Any], ...] = (int, float) if tp is float else (tp,)

    def decode(item: Any) -> Any:
        if not isinstance(item, accepted) or (isinstance(item, bool) and tp is not bool):
            raise TypeError(f"{where} must be {tp.__name__}, not {type(item).__name__} {item!r:.40}")
        return float(item) if tp is float else item

    return decode


_EXPIRY = _plain(float, "an expiry time")


def _optional(convert: Convert | None) -> Convert | None:
    """``convert``, letting None through (the JSON null of an ``X | None``)."""
    if convert is None:
        return None
    return lambda item: None if item is None else convert(item)


def _each(convert: Convert | None, make: Callable[[Any], Any]) -> Convert:
    if convert is None:
        return make
    return lambda items: make(convert(i) for i in items)


def _positions(converts: Sequence[Convert | None], make: Callable[[Any], Any]) -> Convert:
    return lambda items: make(i if c is None else c(i) for c, i in zip(converts, items, strict=True))


def _values(convert: Convert | None) -> Convert:
    if convert is None:
        return dict
    return lambda items: {k: convert(v) for k, v in items.items()}
