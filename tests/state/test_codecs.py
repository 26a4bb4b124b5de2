"""Codecs derived from dataclasses: a JSON round trip, additive changes read back, unstorable types refused."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from mockservers.ashby.models import Candidate, UploadHandle
from mockservers.core.codecs import codec, expiring
from mockservers.core.tokens import IssuedToken
from mockservers.pageup.models import Category, Document
from mockservers.s3.disk import StoredObject
from mockservers.s3.store import ObjectInfo


@dataclass(frozen=True, slots=True)
class Inner:
    name: str
    weight: float


@dataclass
class Outer:
    id: int
    inner: Inner
    maybe: Inner | None
    items: list[Inner]
    fixed: tuple[str, ...]
    pair: tuple[int, str]
    by_name: Mapping[str, Inner]
    raw: dict[str, Any]
    nothing: str | None = None
    added_later: int = 5


def round_trip(value: Any) -> Any:
    c = codec(type(value))
    return c.decode(json.loads(json.dumps(c.encode(value))))


def test_every_supported_shape_comes_back_equal_and_with_its_types() -> None:
    value = Outer(
        1, Inner("a", 1.0), None, [Inner("b", 2.5)], ("x", "y"), (3, "z"), {"k": Inner("c", 0.0)}, {"any": [1, None]}
    )
    back = round_trip(value)
    assert back == value
    assert (type(back.fixed), type(back.pair), type(back.inner.weight)) == (tuple, tuple, float)


def test_a_field_missing_from_old_json_takes_its_default_and_an_unknown_one_is_ignored() -> None:
    old = {"id": 1, "inner": {"name": "a", "weight": 1}, "maybe": None, "items": [], "fixed": [], "pair": [1, "b"]}
    old |= {"by_name": {}, "raw": {}, "dropped_since": True}
    back = codec(Outer).decode(old)
    assert (back.added_later, back.nothing, back.inner.weight) == (5, None, 1.0)


def test_a_type_no_store_can_keep_is_refused_when_the_codec_is_made() -> None:
    @dataclass
    class Unstorable:
        rng: random.Random

    with pytest.raises(TypeError, match=r"Unstorable.rng: a state store cannot keep"):
        codec(Unstorable)
    with pytest.raises(TypeError, match="not a dataclass"):
        codec(int)


@pytest.mark.parametrize("record", [Candidate, UploadHandle, Document, Category, IssuedToken, StoredObject, ObjectInfo])
def test_the_landed_records_all_have_a_codec(record: type) -> None:
    assert codec(record) is codec(record)  # derived once, then cached


def test_expiring_pairs_keep_their_expiry_time() -> None:
    c = expiring(codec(Inner))
    assert c.decode(json.loads(json.dumps(c.encode((12.5, Inner("a", 1.0)))))) == (12.5, Inner("a", 1.0))


def test_nested_lists_of_optional_records() -> None:
    @dataclass
    class Holder:
        items: list[Inner | None] = field(default_factory=list)

    assert round_trip(Holder([None, Inner("a", 2.0)])) == Holder([None, Inner("a", 2.0)])


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        ("damaged", "Inner is a JSON object, not str"),
        ([1, 2], "Inner is a JSON object, not list"),
        ({"name": 7, "weight": 1.0}, "Inner.name must be str, not int 7"),
        ({"name": "n", "weight": "heavy"}, "Inner.weight must be float, not str 'heavy'"),
        ({"name": "n", "weight": True}, "Inner.weight must be float, not bool True"),
        ({"name": None, "weight": 1.0}, "Inner.name must not be null"),
    ],
)
def test_a_damaged_row_is_refused_when_it_is_read(data: Any, refusal: str) -> None:
    # The store loads every row at start: a refusal there is one line; a wrong type let through was a 500 later.
    with pytest.raises(TypeError) as refused:
        codec(Inner).decode(data)
    assert str(refused.value) == refusal


@pytest.mark.parametrize("name", ["id", "inner", "items", "fixed", "pair", "by_name", "raw", "added_later"])
def test_a_null_is_refused_in_every_field_that_cannot_hold_one(name: str) -> None:
    """Only ``X | None`` (and ``Any``) fields read a JSON null; elsewhere a stored null was let through
    to the first request that read the field."""
    stored = codec(Outer).encode(Outer(1, Inner("a", 1.0), None, [], (), (1, "b"), {}, {}))
    assert codec(Outer).decode({**stored, "maybe": None, "nothing": None}).maybe is None
    with pytest.raises(TypeError) as refused:
        codec(Outer).decode({**stored, name: None})
    assert str(refused.value) == f"Outer.{name} must not be null"


def test_a_float_field_takes_a_json_integer_and_an_int_field_refuses_a_boolean() -> None:
    assert codec(Inner).decode({"name": "n", "weight": 2}) == Inner("n", 2.0)
    assert type(codec(Inner).decode({"name": "n", "weight": 2}).weight) is float
    with pytest.raises(TypeError, match=r"^Outer.id must be int, not bool True$"):
        codec(Outer).decode({"id": True})
