"""The value checks: Zod's default messages, one issue per problem, in field order."""

from __future__ import annotations

from typing import Any

import pytest

from mockservers.core.errors import FieldError
from mockservers.endorsed.inputs import MISSING, Issues, collect, received


@pytest.mark.parametrize(
    ("value", "name"),
    [(None, "null"), (True, "boolean"), (1, "number"), (1.5, "number"), ("", "string"), ([], "array"), ({}, "object")],
)
def test_received_names_types_as_zod_does(value: Any, name: str) -> None:
    assert received(value) == name


@pytest.mark.parametrize(
    ("value", "required", "expected", "issue"),
    [
        (MISSING, True, None, "Required"),
        (MISSING, False, None, None),
        (None, True, None, "Expected string, received null"),
        (None, False, None, None),
        (5, False, None, "Expected string, received number"),
        ("", True, None, "String must contain at least 1 character(s)"),
        ("", False, None, None),
        ("x", True, "x", None),
    ],
)
def test_string(value: Any, required: bool, expected: str | None, issue: str | None) -> None:
    issues = Issues()
    assert issues.string(value, "f", required=required) == expected
    assert issues.found == ([] if issue is None else [FieldError("f", issue)])


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        ("c", "Invalid enum value. Expected 'a' | 'b', received 'c'"),
        (["a"], "Expected 'a' | 'b', received array"),
        (MISSING, "Required"),
        ("a", None),
    ],
)
def test_enum(value: Any, issue: str | None) -> None:
    issues = Issues()
    issues.enum(value, "f", ("a", "b"))
    assert issues.found == ([] if issue is None else [FieldError("f", issue)])


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("https://files.example/cv.pdf", True),
        ("HTTP://127.0.0.1:8080", True),
        ("ftp://files.example/cv.pdf", True),
        ("mailto:someone", True),
        ("http://", False),
        ("https:///path", True),  # WHATWG skips the extra slashes: host "path"
        ("files.example/cv.pdf", False),
        ("://x", False),
        ("1http://x", False),
    ],
)
def test_url_accepts_what_a_url_parser_would(value: str, valid: bool) -> None:
    issues = Issues()
    assert (issues.url(value, "u") == value) is valid
    assert issues.found == ([] if valid else [FieldError("u", "Invalid url")])


def test_uuid_is_lower_cased() -> None:
    issues = Issues()
    assert issues.uuid("44E40FEC-6144-4C86-B71A-857FB1C2C625", "id") == "44e40fec-6144-4c86-b71a-857fb1c2c625"
    assert issues.uuid("44e40fec", "id") is None
    assert issues.found == [FieldError("id", "Invalid uuid")]


def test_arrays_and_objects() -> None:
    issues = Issues()
    assert issues.array(MISSING, "a") == [] and issues.array(None, "a") == []
    assert issues.array("x", "a") == []
    assert issues.object(3, "a.0") is None
    assert issues.found == [
        FieldError("a", "Expected array, received string"),
        FieldError("a.0", "Expected object, received number"),
    ]


def test_a_repeated_name_collects_its_values() -> None:
    assert collect([("a", "1"), ("b", "2"), ("a", "3"), ("a", "4")]) == {"a": ["1", "3", "4"], "b": "2"}
