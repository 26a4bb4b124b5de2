"""Reading PageUp requests as ASP.NET Core binds them: query names, JSON bodies, moveFromTemp fields."""

from __future__ import annotations

from typing import Any

import pytest
from pageup_support import INVALID, assert_error

from mockservers.core.errors import VendorError
from mockservers.pageup.errors import STATUS
from mockservers.pageup.inputs import (
    accepts_json,
    parse_json_body,
    parse_move_request,
    query_value,
    unsupported_media_type,
)
from mockservers.pageup.models import MoveRequest

MINIMAL = {"title": "T", "fileName": "a.txt", "physicalFile": "p.txt"}


@pytest.mark.parametrize(
    ("items", "value"),
    [
        ([("filename", "a.txt")], "a.txt"),
        ([("fileName", "a.txt")], "a.txt"),
        ([("FILENAME", "a.txt"), ("filename", "b.txt")], "a.txt"),
        ([("other", "x")], None),
        ([("filename", "")], ""),
    ],
)
def test_query_names_match_case_insensitively_first_wins(items: list[tuple[str, str]], value: str | None) -> None:
    assert query_value(items, "filename") == value


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("Application/JSON", True),
        ("text/json", True),
        ("application/problem+json", True),
        ("text/plain", False),
        ("application/x-www-form-urlencoded", False),
        ("multipart/form-data; boundary=x", False),
        ("", False),
        (None, False),
    ],
)
def test_json_media_types(content_type: str | None, ok: bool) -> None:
    assert accepts_json(content_type) is ok


def test_unsupported_media_type_names_what_was_sent() -> None:
    error = unsupported_media_type("text/plain")
    assert (STATUS[error.kind], error.code, error.message) == (
        415,
        "unsupported_media_type",
        "The request content type 'text/plain' is not supported; send application/json.",
    )
    assert unsupported_media_type(None).message.startswith("The request content type '(none)'")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "A non-empty request body is required."),
        (b"  \n", "A non-empty request body is required."),
        (b"{", "The request body is not valid JSON."),
        (b"{'a': 1}", "The request body is not valid JSON."),
        (b'{"a": NaN}', "The request body is not valid JSON."),
        (b'{"a": Infinity}', "The request body is not valid JSON."),
        (b"\xff\xfe{}", "The request body is not valid JSON."),
        (b'{"fileName": "\\ud800.pdf"}', "The request body is not valid JSON."),
        (b"[" * 100_000, "The request body is not valid JSON."),
    ],
)
def test_bad_json_bodies(raw: bytes, message: str) -> None:
    with pytest.raises(VendorError) as exc:
        parse_json_body(raw)
    assert_error(exc, 400, INVALID, ("body", message))


def test_a_utf8_bom_is_skipped() -> None:
    assert parse_json_body(b'\xef\xbb\xbf{"a": "\xc3\xa9"}') == {"a": "é"}


@pytest.mark.parametrize("body", [[], "x", 1, None, True])
def test_body_must_be_an_object(body: Any) -> None:
    with pytest.raises(VendorError) as exc:
        parse_move_request(body)
    assert_error(exc, 400, INVALID, ("body", "The request body must be a JSON object."))


def test_the_seeds_sample_request() -> None:
    body = {
        "fileName": "uploadtest.txt",
        "title": "Test Document",
        "physicalFile": "61d1b6ab-19b5-415e-a62a-bf5db265665b.txt",
        "providerId": 9552,
        "documentCategoryId": 7,
        "applicationId": 16142309,
        "applicantId": 26459460,
    }
    assert parse_move_request(body) == MoveRequest(
        title="Test Document",
        file_name="uploadtest.txt",
        physical_file="61d1b6ab-19b5-415e-a62a-bf5db265665b.txt",
        category_id=7,
        provider_id=9552,
        application_id=16142309,
        applicant_id=26459460,
    )


@pytest.mark.parametrize("key", ["providerID", "providerId", "ProviderId", "PROVIDERID"])
def test_property_names_are_case_insensitive(key: str) -> None:
    assert parse_move_request({**MINIMAL, key: 9552}).provider_id == 9552


def test_last_duplicate_wins() -> None:
    assert parse_move_request({**MINIMAL, "providerID": 1, "providerId": 2}).provider_id == 2


def test_unknown_properties_are_ignored_and_null_is_absent() -> None:
    request = parse_move_request({**MINIMAL, "extra": {"x": 1}, "jobId": None, "documentCategoryName": None})
    assert (request.job_id, request.category_name) == (None, None)


@pytest.mark.parametrize(("value", "parsed"), [(7, 7), ("7", 7), ("-3", -3), (2**31 - 1, 2**31 - 1)])
def test_integers_from_numbers_or_numeric_strings(value: Any, parsed: int) -> None:
    assert parse_move_request({**MINIMAL, "documentCategoryId": value}).category_id == parsed


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        ("documentCategoryId", 7.5, "System.Int32"),
        ("documentCategoryId", 7.0, "System.Int32"),
        ("documentCategoryId", True, "System.Int32"),
        ("documentCategoryId", "seven", "System.Int32"),
        ("documentCategoryId", 2**31, "System.Int32"),
        ("jobId", 2**63, "System.Int64"),
        ("jobId", [1], "System.Int64"),
        ("id", " 1", "System.Int64"),
        ("offerId", "1" * 21, "System.Int64"),
        ("applicantId", "٣", "System.Int64"),
    ],
)
def test_integer_type_errors(key: str, value: Any, kind: str) -> None:
    with pytest.raises(VendorError) as exc:
        parse_move_request({**MINIMAL, key: value})
    assert_error(exc, 400, INVALID, (key, f"The JSON value could not be converted to {kind}."))


def test_string_type_errors_are_reported_together_and_before_required() -> None:
    with pytest.raises(VendorError) as exc:
        parse_move_request({"title": 5, "physicalFile": {"a": 1}, "jobId": "x"})
    assert_error(
        exc,
        400,
        INVALID,
        ("title", "The JSON value could not be converted to System.String."),
        ("physicalFile", "The JSON value could not be converted to System.String."),
        ("jobId", "The JSON value could not be converted to System.Int64."),
    )


def test_required_fields_are_reported_together() -> None:
    with pytest.raises(VendorError) as exc:
        parse_move_request({"title": "  ", "documentCategoryId": 7})
    assert_error(
        exc,
        400,
        INVALID,
        ("title", "The title field is required."),
        ("fileName", "The fileName field is required."),
        ("physicalFile", "The physicalFile field is required."),
    )


def test_file_name_longer_than_255_is_refused() -> None:
    with pytest.raises(VendorError) as exc:
        parse_move_request({**MINIMAL, "fileName": "x" * 256})
    assert_error(exc, 400, INVALID, ("fileName", "The field fileName must be a string with a maximum length of 255."))


@pytest.mark.parametrize("name", ["", "   "])
def test_blank_category_name_counts_as_absent(name: str) -> None:
    assert parse_move_request({**MINIMAL, "documentCategoryName": name}).category_name is None
