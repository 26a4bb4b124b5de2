"""Reading request bodies: the checks behind every invalid_input naming a field."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import Request

from mockservers.ashby import inputs
from mockservers.ashby.errors import STATUS
from mockservers.core.errors import VendorError


def request(headers: dict[str, str], body: bytes = b"") -> Request:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": raw}, receive)


def message_of(exc: pytest.ExceptionInfo[VendorError]) -> tuple[int, str, str]:
    return STATUS[exc.value.kind], exc.value.code, exc.value.message


def test_bad_content_length_is_malformed() -> None:
    with pytest.raises(VendorError) as exc:
        asyncio.run(inputs.read_json(request({"content-length": "abc"}, b"{}"), "candidate.list"))
    assert message_of(exc) == (200, "invalid_input", "Request payload is malformed: Content-Length is not a number")


def test_declared_length_over_the_limit_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "JSON_BODY_LIMIT", 10)
    with pytest.raises(VendorError) as exc:
        asyncio.run(inputs.read_json(request({"content-length": "11"}), "candidate.list"))
    assert message_of(exc) == (200, "invalid_input", "Request payload is too large: the limit is 10 bytes")


def test_multipart_declared_length_over_the_limit() -> None:
    async def run() -> None:
        headers = {"content-type": "multipart/form-data; boundary=x", "content-length": str(10 + 1024 * 1024 + 1)}
        async with inputs.multipart(request(headers), 10):
            raise AssertionError("not reached")

    with pytest.raises(VendorError) as exc:
        asyncio.run(run())
    assert message_of(exc) == (
        200,
        "invalid_input",
        f"Request payload is too large: the limit is {10 + 1024 * 1024} bytes",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-08-12T20:29:56.964Z", 1660336196.964),
        ("2022-08-12T20:29:56", 1660336196.0),
        ("1970-01-01T00:00:00Z", 0.0),
    ],
)
def test_timestamps(value: str, expected: float) -> None:
    assert inputs.timestamp({"createdAt": value}, "createdAt") == pytest.approx(expected)


@pytest.mark.parametrize("value", ["1969-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-01:00"])
def test_timestamps_out_of_range(value: str) -> None:
    with pytest.raises(VendorError) as exc:
        inputs.timestamp({"createdAt": value}, "createdAt")
    assert exc.value.message == "createdAt: must be between 1970-01-01 and 9999-12-31"


@pytest.mark.parametrize(
    ("value", "ok"),
    [("https://a.io/x", True), ("http://a.io", True), ("ftp://a.io", False), ("https://", False), ("a.io", False)],
)
def test_urls(value: str, ok: bool) -> None:
    if ok:
        assert inputs.url({"u": value}, "u") == value
    else:
        with pytest.raises(VendorError):
            inputs.url({"u": value}, "u")


@pytest.mark.parametrize(("value", "expected"), [(3, 3), (3.0, 3), (None, None), (10**400, 10**400)])
def test_integers(value: Any, expected: int | None) -> None:
    assert inputs.integer({"n": value}, "n", required=False) == expected


@pytest.mark.parametrize("value", [True, "3", 3.5, float("inf"), float("nan"), [3]])
def test_not_integers(value: Any) -> None:
    with pytest.raises(VendorError) as exc:
        inputs.integer({"n": value}, "n")
    assert exc.value.message == "n: must be an integer"


def test_uuid_strings_are_normalised_to_lower_case() -> None:
    assert (
        inputs.required_uuid({"id": "F9E52A51-A075-4116-A7B8-484DEBA69004"}, "id")
        == "f9e52a51-a075-4116-a7b8-484deba69004"
    )


@pytest.mark.parametrize(
    "value",
    [
        "f9e52a51a0754116a7b8484deba69004",
        "{f9e52a51-a075-4116-a7b8-484deba69004}",
        "urn:uuid:f9e52a51-a075-4116-a7b8-484deba69004",
        "f9e52a51-a075-4116-a7b8-484deba69004\n",
    ],
)
def test_only_canonical_uuids(value: str) -> None:
    with pytest.raises(VendorError) as exc:
        inputs.required_uuid({"id": value}, "id")
    assert exc.value.message == "id: must be a UUID"
