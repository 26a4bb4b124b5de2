"""Clinch's rules without HTTP: candidates, tags, files and the mock's bounds, over a fake S3."""

from __future__ import annotations

import base64
import unicodedata
from typing import Any

import pytest
from clinch_support import PDF, assert_error
from storage_support import FakeStorage

from mockservers.clinch.models import FILES_BUCKET, CandidateFilter, CandidateStore
from mockservers.clinch.settings import ClinchSettings
from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError


def store(**settings: Any) -> tuple[CandidateStore, Clock, FakeStorage]:
    clock = Clock()
    clock.freeze()
    clock.set(1_700_000_000)
    objects = FakeStorage()
    return CandidateStore(ClinchSettings(**settings), clock, objects), clock, objects


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# -- candidates ---------------------------------------------------------------------------------------


def test_a_candidate_has_a_32_hex_id_its_names_and_tags() -> None:
    candidates, clock, _ = store()
    candidate = candidates.create_candidate(
        {
            "email": "ada@example.com",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "tag_values": ["foo", " bar ", "FOO", ""],
        }
    )
    assert len(candidate.id) == 32 and int(candidate.id, 16) >= 0
    assert (candidate.name, candidate.email, [t.name for t in candidate.tags]) == (
        "Ada Lovelace",
        "ada@example.com",
        ["foo", "bar"],
    )
    assert candidate.created_at == candidate.updated_at == clock.now()


@pytest.mark.parametrize(
    ("attributes", "pointer", "code", "message"),
    [
        ({}, "email", "blank", "Email can't be blank"),
        ({"email": "  "}, "email", "blank", "Email can't be blank"),
        ({"email": 5}, "email", "invalid_attribute", "Email is invalid"),
        ({"email": 5.0}, "email", "invalid_attribute", "Email must be a string"),
        ({"email": "not-an-address"}, "email", "invalid_attribute", "Email is invalid"),
        ({"email": "a@b@c.com"}, "email", "invalid_attribute", "Email is invalid"),
        ({"email": "x" * 250 + "@b.com"}, "email", "too_long", "Email is too long (maximum is 254 characters)"),
        (
            {"email": "a@b.com", "first_name": "x" * 256},
            "first_name",
            "too_long",
            "First name is too long (maximum is 255 characters)",
        ),
        ({"email": "a@b.com", "last_name": ["Smith"]}, "last_name", "invalid_attribute", "Last name must be a string"),
        (
            {"email": "a@b.com", "tag_values": "foo"},
            "tag_values",
            "invalid_attribute",
            "Tag values must be an array of strings",
        ),
        (
            {"email": "a@b.com", "tag_values": ["ok", 3.5]},
            "tag_values/1",
            "invalid_attribute",
            "Tag value 1 must be a string",
        ),
        (
            {"email": "a@b.com", "tag_values": [f"t{i}" for i in range(101)]},
            "tag_values",
            "invalid_attribute",
            "Tag values has more than 100 tags, the mock's limit",
        ),
    ],
)
def test_invalid_candidate_attributes_are_422s_naming_the_attribute(
    attributes: dict[str, Any], pointer: str, code: str, message: str
) -> None:
    candidates, _, _ = store()
    with pytest.raises(VendorError) as exc:
        candidates.create_candidate(attributes)
    assert_error(exc, 422, code, message)
    assert exc.value.field == f"/data/attributes/{pointer}"


def test_an_email_is_unique_ignoring_case() -> None:
    candidates, _, _ = store()
    candidates.create_candidate({"email": "Ada@Example.com"})
    with pytest.raises(VendorError) as exc:
        candidates.create_candidate({"email": "ada@example.COM"})
    assert_error(exc, 422, "taken", "Email has already been taken")


def test_the_number_of_candidates_is_bounded() -> None:
    candidates, _, _ = store(max_candidates=2)
    candidates.create_candidate({"email": "a@example.com"})
    candidates.create_candidate({"email": "b@example.com"})
    with pytest.raises(VendorError) as exc:
        candidates.create_candidate({"email": "c@example.com"})
    assert_error(
        exc, 422, "limit_reached", "This account already has 2 candidates, the mock's limit (clinch.max_candidates)"
    )
    assert exc.value.field == "/data"


def test_an_update_changes_only_what_it_names_and_moves_updated_at() -> None:
    candidates, clock, _ = store()
    candidate = candidates.create_candidate({"email": "a@example.com", "first_name": "A", "last_name": "B"})
    clock.advance(60)
    candidates.update_candidate(candidate, {"first_name": None, "email": "new@example.com", "unknown": 1})
    assert (candidate.first_name, candidate.last_name, candidate.email, candidate.name) == (
        None,
        "B",
        "new@example.com",
        "B",
    )
    assert candidate.updated_at == candidate.created_at + 60
    other = candidates.create_candidate({"email": "a@example.com"})  # the old address is free again
    with pytest.raises(VendorError) as exc:
        candidates.update_candidate(other, {"email": "NEW@example.com"})
    assert_error(exc, 422, "taken", "Email has already been taken")
    clock.advance(60)
    assert candidates.update_candidate(candidate, {"email": "new@example.com"}).updated_at == candidate.created_at + 120
    assert candidates.update_candidate(candidate, {}).updated_at == candidate.created_at + 120


def test_an_unknown_candidate_is_a_404() -> None:
    candidates, _, _ = store()
    with pytest.raises(VendorError) as exc:
        candidates.candidate("nope")
    assert_error(exc, 404, "not_found", "The record identified by nope could not be found (candidate)")


def test_the_list_filters_by_updated_at_and_email_and_pages_oldest_first() -> None:
    candidates, clock, _ = store()
    made = []
    for i in range(5):
        made.append(candidates.create_candidate({"email": f"c{i}@example.com"}))
        clock.advance(10)
    t = made[2].updated_at
    assert [c.email for c in candidates.list_candidates(CandidateFilter(updated_since=t), 1, 25).candidates] == [
        "c2@example.com",
        "c3@example.com",
        "c4@example.com",
    ]
    assert [c.email for c in candidates.list_candidates(CandidateFilter(updated_before=t), 1, 25).candidates] == [
        "c0@example.com",
        "c1@example.com",
    ]
    both = CandidateFilter(updated_before=made[4].updated_at, updated_since=made[1].updated_at)
    assert len(candidates.list_candidates(both, 1, 25).candidates) == 3
    assert [c.id for c in candidates.list_candidates(CandidateFilter(email="C3@EXAMPLE.com"), 1, 25).candidates] == [
        made[3].id
    ]
    page = candidates.list_candidates(CandidateFilter(), 2, 2)
    assert ([c.email for c in page.candidates], page.total, page.count) == (["c2@example.com", "c3@example.com"], 5, 3)
    empty = candidates.list_candidates(CandidateFilter(), 9, 2)
    assert (empty.candidates, empty.count) == ([], 3)
    assert candidates.list_candidates(CandidateFilter(email="none@example.com"), 1, 2).count == 1


# -- tags -------------------------------------------------------------------------------------------------


def test_a_tag_needs_a_name_and_the_same_name_answers_the_same_tag() -> None:
    candidates, _, _ = store()
    candidate = candidates.create_candidate({"email": "a@example.com"})
    tag = candidates.add_tag(candidate, {"name": " Python "})
    assert (tag.name, len(tag.id)) == ("Python", 36)
    assert candidates.add_tag(candidate, {"name": "python"}) is tag
    with pytest.raises(VendorError) as exc:
        candidates.add_tag(candidate, {"email": "a@example.com"})
    assert_error(exc, 422, "blank", "Name can't be blank")
    assert exc.value.field == "/data/attributes/name"


RAILS_BLANK = "".join(
    chr(c) for c in range(0x3100) if unicodedata.category(chr(c)) in ("Zs", "Zl", "Zp") or c in (*range(9, 14), 0x85)
)
"""Every character Rails' ``blank?`` calls space, by Onigmo's (Ruby's regex engine, doc/RE) definition of
``[[:space:]]``: Space_Separator | Line_Separator | Paragraph_Separator | 0009-000D | 0085 (none above U+3100)."""


@pytest.mark.parametrize("char", list(RAILS_BLANK))
def test_a_name_of_what_rails_calls_space_is_blank(char: str) -> None:
    candidates, _, _ = store()
    candidate = candidates.create_candidate({"email": "a@example.com"})
    with pytest.raises(VendorError) as exc:
        candidates.add_tag(candidate, {"name": f" {char}{char}"})
    assert_error(exc, 422, "blank", "Name can't be blank")


@pytest.mark.parametrize("char", ["\x1c", "\x1d", "\x1e", "\x1f", "\x00", "\u180e", "\u200b", "\ufeff"])
def test_what_python_strips_but_rails_does_not_call_blank_is_a_name(char: str) -> None:
    """U+001C-U+001F are whitespace to Python's ``str.strip`` but not to Rails' ``blank?``; a tag of one
    is a tag (and kept as sent), an email of one is invalid rather than blank."""
    candidates, _, _ = store()
    candidate = candidates.create_candidate({"email": "a@example.com", "tag_values": [char, f"x{char}"]})
    assert [t.name for t in candidate.tags] == [char, f"x{char}"]
    assert candidates.add_tag(candidate, {"name": f" {char} "}).name == char
    with pytest.raises(VendorError) as exc:
        candidates.create_candidate({"email": char})
    assert_error(exc, 422, "invalid_attribute", "Email is invalid")


def test_tag_names_lose_the_ascii_space_rubys_strip_removes_and_keep_the_rest() -> None:
    """Ruby's ``String#strip`` removes ASCII whitespace only: a no-break space around a name stays."""
    candidates, _, _ = store()
    names = ["\xa0x\u3000", " \t y \r\n", "\xa0"]
    candidate = candidates.create_candidate({"email": "a@example.com", "tag_values": names})
    assert [t.name for t in candidate.tags] == ["\xa0x\u3000", "y"]
    assert candidates.add_tag(candidate, {"name": "\n\xa0z\x85 "}).name == "\xa0z\x85"


def test_tag_values_longer_than_the_bound_are_refused_even_with_blanks_and_repeats() -> None:
    """The document's ``maxItems`` bounds the array as sent (the contract suite's negative case)."""
    candidates, _, _ = store(max_tags_per_candidate=2)
    with pytest.raises(VendorError) as exc:
        candidates.create_candidate({"email": "a@example.com", "tag_values": ["a", "", "A"]})
    assert_error(exc, 422, "invalid_attribute", "Tag values has more than 2 tags, the mock's limit")


def test_tags_per_candidate_are_bounded_and_deleting_one_frees_a_place() -> None:
    candidates, _, _ = store(max_tags_per_candidate=2)
    candidate = candidates.create_candidate({"email": "a@example.com", "tag_values": ["a", "b"]})
    with pytest.raises(VendorError) as exc:
        candidates.add_tag(candidate, {"name": "c"})
    assert_error(
        exc, 422, "limit_reached", "This candidate already has 2 tags, the mock's limit (clinch.max_tags_per_candidate)"
    )
    candidates.delete_tag(candidate, candidate.tags[0].id)
    assert [t.name for t in candidate.tags] == ["b"]
    assert candidates.add_tag(candidate, {"name": "c"}).name == "c"


def test_deleting_an_unknown_tag_is_a_404() -> None:
    candidates, _, _ = store()
    candidate = candidates.create_candidate({"email": "a@example.com"})
    with pytest.raises(VendorError) as exc:
        candidates.delete_tag(candidate, "00000000-0000-4000-8000-000000000000")
    assert_error(
        exc, 404, "not_found", "The record identified by 00000000-0000-4000-8000-000000000000 could not be found (tag)"
    )


# -- files -------------------------------------------------------------------------------------------------


def test_a_file_is_stored_in_s3_with_its_exact_bytes_and_a_download_url() -> None:
    candidates, clock, objects = store()
    candidate = candidates.create_candidate({"email": "a@example.com"})
    clock.advance(5)
    stored = candidates.add_file(candidate, {"filename": "Lebenslauf Müller.pdf", "content": b64(PDF)})
    assert objects.objects[(FILES_BUCKET, f"{candidate.id}/{stored.id}")] == (PDF, "application/pdf")
    assert objects.dispositions[(FILES_BUCKET, stored.key)] == (
        "attachment; filename=\"Lebenslauf Muller.pdf\"; filename*=UTF-8''Lebenslauf%20M%C3%BCller.pdf"
    )
    assert (stored.size, candidate.files, candidate.updated_at) == (len(PDF), [stored], stored.created_at)
    assert candidates.file_url(stored) == f"http://s3.test/{FILES_BUCKET}/{stored.key}?get"
    assert objects.gets[-1] == {
        "bucket": FILES_BUCKET,
        "key": stored.key,
        "expires_in": 300,
        "region": "us-east-1",
        "response_content_disposition": objects.dispositions[(FILES_BUCKET, stored.key)],
        "response_content_type": "application/pdf",
    }


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("cv.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("CV.TXT", "text/plain"),
        ("cv", "application/octet-stream"),
        ("cv.xyz", "application/octet-stream"),
    ],
)
def test_the_content_type_comes_from_the_extension(filename: str, content_type: str) -> None:
    candidates, _, _ = store()
    candidate = candidates.create_candidate({"email": "a@example.com"})
    assert candidates.add_file(candidate, {"filename": filename, "content": b64(b"x")}).content_type == content_type


def test_base64_with_line_breaks_as_ruby_writes_it_is_accepted() -> None:
    candidates, _, _ = store()
    data = bytes(range(256)) * 3
    wrapped = "\n".join(b64(data)[i : i + 60] for i in range(0, len(b64(data)), 60)) + "\n"
    assert candidates.decode_content(wrapped) == data
    assert candidates.decode_content(wrapped.replace("\n", "\r\n")) == data


@pytest.mark.parametrize(
    ("attributes", "pointer", "code", "message"),
    [
        ({"content": "eA=="}, "filename", "blank", "Filename can't be blank"),
        ({"filename": " ", "content": "eA=="}, "filename", "blank", "Filename can't be blank"),
        (
            {"filename": "a\nb.pdf", "content": "eA=="},
            "filename",
            "invalid_attribute",
            "Filename must not contain control characters",
        ),
        (
            {"filename": "x" * 256, "content": "eA=="},
            "filename",
            "too_long",
            "Filename is too long (maximum is 255 characters)",
        ),
        ({"filename": "cv.pdf"}, "content", "blank", "Content can't be blank"),
        ({"filename": "cv.pdf", "content": ""}, "content", "blank", "Content can't be blank"),
        ({"filename": "cv.pdf", "content": "\n"}, "content", "blank", "Content can't be blank"),
        ({"filename": "cv.pdf", "content": 12}, "content", "invalid_attribute", "Content must be a base64 string"),
        (
            {"filename": "cv.pdf", "content": "eA"},
            "content",
            "invalid_attribute",
            "Content is not valid base64 (send the file's bytes base64-encoded, nothing else)",
        ),
        (
            {"filename": "cv.pdf", "content": "data:application/pdf;base64,eA=="},
            "content",
            "invalid_attribute",
            "Content is not valid base64 (send the file's bytes base64-encoded, nothing else)",
        ),
        (
            {"filename": "cv.pdf", "content": "-_8="},
            "content",
            "invalid_attribute",
            "Content is not valid base64 (send the file's bytes base64-encoded, nothing else)",
        ),
        (
            {"filename": "cv.pdf", "content": b64(b"x" * 11)},
            "content",
            "too_large",
            "Content is too large (maximum is 10 bytes)",
        ),
        (
            {"filename": "cv.pdf", "content": b64(b"x" * 400)},
            "content",
            "too_large",
            "Content is too large (maximum is 10 bytes)",
        ),
    ],
)
def test_invalid_files_are_422s_naming_the_attribute(
    attributes: dict[str, Any], pointer: str, code: str, message: str
) -> None:
    candidates, _, objects = store(max_file_bytes=10)
    candidate = candidates.create_candidate({"email": "a@example.com"})
    with pytest.raises(VendorError) as exc:
        candidates.add_file(candidate, attributes)
    assert_error(exc, 422, code, message)
    assert (exc.value.field, objects.objects, candidate.files) == (f"/data/attributes/{pointer}", {}, [])


def test_a_file_of_exactly_the_limit_is_accepted() -> None:
    candidates, _, _ = store(max_file_bytes=10)
    candidate = candidates.create_candidate({"email": "a@example.com"})
    assert candidates.add_file(candidate, {"filename": "cv.pdf", "content": b64(b"x" * 10)}).size == 10


def test_the_number_and_total_bytes_of_files_are_bounded() -> None:
    candidates, _, _ = store(max_files=2, max_total_file_bytes=10)
    candidate = candidates.create_candidate({"email": "a@example.com"})
    candidates.add_file(candidate, {"filename": "a.txt", "content": b64(b"12345")})
    with pytest.raises(VendorError) as exc:
        candidates.add_file(candidate, {"filename": "b.txt", "content": b64(b"123456")})
    assert_error(
        exc,
        422,
        "limit_reached",
        "Candidate files would exceed 10 bytes in all, the mock's limit (clinch.max_total_file_bytes)",
    )
    candidates.add_file(candidate, {"filename": "b.txt", "content": b64(b"12345")})
    with pytest.raises(VendorError) as exc:
        candidates.add_file(candidate, {"filename": "c.txt", "content": b64(b"1")})
    assert_error(exc, 422, "limit_reached", "This account already has 2 files, the mock's limit (clinch.max_files)")


def test_reset_forgets_every_candidate_and_every_bound() -> None:
    candidates, _, _ = store(max_files=1, max_candidates=1)
    candidate = candidates.create_candidate({"email": "a@example.com"})
    candidates.add_file(candidate, {"filename": "a.txt", "content": b64(b"1")})
    candidates.reset()
    again = candidates.create_candidate({"email": "a@example.com"})
    assert candidates.add_file(again, {"filename": "a.txt", "content": b64(b"1")}).size == 1
