"""Ashby's rules without HTTP: upload handles, stored files, candidates, pagination, file handles."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

import pytest
from ashby_support import assert_error
from storage_support import FakeStorage

from mockservers.ashby.files import FileHandleSigner, FilePayload
from mockservers.ashby.models import FILES_BUCKET, UPLOAD_BUCKET, AshbyStore
from mockservers.ashby.settings import AshbySettings
from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError


@pytest.fixture
def objects() -> FakeStorage:
    return FakeStorage()


@pytest.fixture
def clock() -> Clock:
    c = Clock()
    c.freeze()
    return c


@pytest.fixture
def store(objects: FakeStorage, clock: Clock) -> AshbyStore:
    return AshbyStore(AshbySettings(max_content_length=1000), clock, objects)


def upload(store: AshbyStore, objects: FakeStorage, context: str = "CandidateResume", data: bytes = b"%PDF") -> str:
    """Create a handle and put bytes where its policy points, as a successful S3 POST would."""
    handle: str = store.create_upload_handle(context, "cv.pdf", "application/pdf", len(data))["handle"]
    objects.objects[(UPLOAD_BUCKET, store.uploads.get(handle).key)] = (data, "application/pdf")
    return handle


# -- upload handles --------------------------------------------------------------------------------


def test_upload_handle_policy_pins_key_type_and_exact_length(store: AshbyStore, objects: FakeStorage) -> None:
    results = store.create_upload_handle("CandidateFiles", "Cover Letter.pdf", "application/pdf", 234)
    post = objects.posts[0]
    assert post["bucket"] == UPLOAD_BUCKET
    assert post["expires_in"] == 600
    assert post["region"] == "us-east-1"
    assert post["conditions"] == [{"Content-Type": "application/pdf"}, ["content-length-range", 234, 234]]
    context, middle, name = post["key"].split("/")
    assert (context, len(middle), name) == ("CandidateFiles", 36, "Cover_Letter.pdf")
    assert results["url"] == f"http://s3.test/{UPLOAD_BUCKET}"
    assert results["fields"] == {"Content-Type": "application/pdf", "key": post["key"], "policy": "p"}
    assert store.uploads.get(results["handle"]).context == "CandidateFiles"
    assert len(results["handle"]) >= 40


def test_upload_handles_are_unique_and_opaque(store: AshbyStore) -> None:
    a = store.create_upload_handle("CandidateResume", "a.pdf", "application/pdf", 1)["handle"]
    b = store.create_upload_handle("CandidateResume", "a.pdf", "application/pdf", 1)["handle"]
    assert a != b
    assert "CandidateResume" not in a and "a.pdf" not in a


def test_expired_upload_handle_gets_an_already_expired_policy(store: AshbyStore, objects: FakeStorage) -> None:
    store.create_upload_handle("CandidateResume", "a.pdf", "application/pdf", 1, expired=True)
    assert objects.posts[0]["expires_in"] == -1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("Resume", "a.pdf", "application/pdf", 1),
            "fileUploadContext: must be one of CandidateResume, CandidateFiles, ApplicationForm",
        ),
        (("CandidateResume", " ", "application/pdf", 1), "filename: must not be empty"),
        (("CandidateResume", "a.pdf", "", 1), "contentType: must not be empty"),
        (("CandidateResume", "a.pdf", "application/pdf", 0), "contentLength: must be between 1 and 1000 bytes"),
        (("CandidateResume", "a.pdf", "application/pdf", 1001), "contentLength: must be between 1 and 1000 bytes"),
        (("CandidateResume", "a.pdf", "application/pdf", -5), "contentLength: must be between 1 and 1000 bytes"),
    ],
)
def test_upload_handle_input_rules(store: AshbyStore, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(VendorError) as exc:
        store.create_upload_handle(*args)
    assert_error(exc, 200, "invalid_input", message)


def test_upload_handle_length_limit_is_inclusive(store: AshbyStore) -> None:
    assert store.create_upload_handle("CandidateResume", "a.pdf", "application/pdf", 1000)["handle"]


def test_claim_unknown_handle_is_not_found(store: AshbyStore) -> None:
    with pytest.raises(VendorError) as exc:
        store.claim_upload("nope", "CandidateResume", "resumeHandle")
    assert_error(exc, 200, "file_handle_not_found", "resumeHandle: no file upload handle matches this value")


def test_claim_handle_of_another_context_is_invalid(store: AshbyStore, objects: FakeStorage) -> None:
    handle = upload(store, objects, "CandidateFiles")
    with pytest.raises(VendorError) as exc:
        store.claim_upload(handle, "CandidateResume", "resumeHandle")
    assert_error(
        exc,
        200,
        "invalid_input",
        "resumeHandle: the handle was created for fileUploadContext CandidateFiles, not CandidateResume",
    )


def test_claim_handle_never_uploaded(store: AshbyStore, clock: Clock) -> None:
    handle = store.create_upload_handle("CandidateResume", "a.pdf", "application/pdf", 3)["handle"]
    with pytest.raises(VendorError) as exc:
        store.claim_upload(handle, "CandidateResume", "resumeHandle")
    assert_error(exc, 200, "invalid_input", "resumeHandle: no file has been uploaded to this handle's URL yet")
    clock.advance(600)
    with pytest.raises(VendorError) as exc:
        store.claim_upload(handle, "CandidateResume", "resumeHandle")
    assert_error(
        exc,
        200,
        "invalid_input",
        "resumeHandle: the upload URL of this handle expired before a file was uploaded to it",
    )


def test_claim_uploaded_handle_until_its_lifetime_ends(store: AshbyStore, objects: FakeStorage, clock: Clock) -> None:
    handle = upload(store, objects)
    clock.advance(24 * 3600 - 1)
    assert store.claim_upload(handle, "CandidateResume", "resumeHandle").handle == handle
    clock.advance(1)
    with pytest.raises(VendorError) as exc:
        store.claim_upload(handle, "CandidateResume", "resumeHandle")
    assert exc.value.code == "file_handle_not_found"


def test_lapsed_handles_and_their_uploads_are_dropped_as_new_ones_come(
    store: AshbyStore, objects: FakeStorage, clock: Clock
) -> None:
    """A long CI run of handles nobody attaches keeps neither the handles nor the uploaded bytes."""
    old = [upload(store, objects) for _ in range(3)]
    keys = [store.uploads.get(h).key for h in old]  # type: ignore[union-attr]
    clock.advance(24 * 3600)
    fresh = upload(store, objects)
    assert (len(store.uploads), store.uploads.get(fresh) is not None) == (1, True)
    assert [k for k in keys if (UPLOAD_BUCKET, k) in objects.objects] == []


def test_a_handle_can_be_used_again_and_makes_a_new_file_each_time(store: AshbyStore, objects: FakeStorage) -> None:
    handle = upload(store, objects, data=b"hello")
    candidate = store.create_candidate("Ada")
    first = store.store_file(candidate.id, store.claim_upload(handle, "CandidateResume", "resumeHandle"))
    second = store.store_file(candidate.id, store.claim_upload(handle, "CandidateResume", "resumeHandle"))
    assert first.id != second.id
    assert objects.objects[(FILES_BUCKET, first.key)] == (b"hello", "application/pdf")
    assert (first.name, first.size, first.content_type) == ("cv.pdf", 5, "application/pdf")
    assert first.key == f"{candidate.id}/{first.id}/cv.pdf"


def test_inline_file_is_stored_with_an_attachment_disposition(store: AshbyStore, objects: FakeStorage) -> None:
    stored = store.store_file("owner", FilePayload('Lebenslauf "Müller".pdf', "application/pdf", b"x"))
    assert objects.objects[(FILES_BUCKET, stored.key)] == (b"x", "application/pdf")
    assert objects.dispositions[(FILES_BUCKET, stored.key)] == (
        "attachment; filename=\"Lebenslauf _Muller_.pdf\"; filename*=UTF-8''Lebenslauf%20%22M%C3%BCller%22.pdf"
    )
    assert stored.name == 'Lebenslauf "Müller".pdf'


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "resume: the file is empty"), (b"x" * 1001, "resume: the file exceeds 1000 bytes")],
)
def test_inline_file_limits(store: AshbyStore, data: bytes, message: str) -> None:
    with pytest.raises(VendorError) as exc:
        store.check_inline_file(FilePayload("a.pdf", "application/pdf", data), "resume")
    assert_error(exc, 200, "invalid_input", message)


# -- file handles and downloads --------------------------------------------------------------------


def test_file_url_is_a_short_lived_attachment(store: AshbyStore, objects: FakeStorage) -> None:
    stored = store.store_file("owner", FilePayload("résumé.pdf", "application/pdf", b"x"))
    url = store.file_url(stored.handle)
    assert url == f"http://s3.test/{FILES_BUCKET}/{stored.key}?get"
    assert objects.gets == [
        {
            "bucket": FILES_BUCKET,
            "key": stored.key,
            "expires_in": 300,
            "region": "us-east-1",
            "response_content_disposition": (
                "attachment; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"
            ),
            "response_content_type": "application/pdf",
        }
    ]


def test_file_url_of_unknown_handle(store: AshbyStore) -> None:
    upload_handle = store.create_upload_handle("CandidateResume", "a.pdf", "application/pdf", 1)["handle"]
    for handle in ("nope", upload_handle, FileHandleSigner().sign("f", "c")):
        with pytest.raises(VendorError) as exc:
            store.file_url(handle)
        assert_error(exc, 200, "file_handle_not_found", "fileHandle: no file matches this handle")


# -- candidates ------------------------------------------------------------------------------------


def test_created_candidate_shape(store: AshbyStore, clock: Clock) -> None:
    candidate = store.create_candidate(
        "Adam Hart",
        email="adam@example.com",
        phone="555-555-5555",
        alternate_emails=["adam.alt@example.com"],
        social_links=[("LinkedIn", "https://linkedin.com/in/adam")],
        location={"city": "San Francisco", "region": "California", "country": "United States"},
    )
    body = candidate.as_json()
    now = clock.isoformat()
    location = body.pop("location")
    assert body == {
        "id": candidate.id,
        "createdAt": now,
        "updatedAt": now,
        "name": "Adam Hart",
        "primaryEmailAddress": {"value": "adam@example.com", "type": "Personal", "isPrimary": True},
        "emailAddresses": [
            {"value": "adam@example.com", "type": "Personal", "isPrimary": True},
            {"value": "adam.alt@example.com", "type": "Personal", "isPrimary": False},
        ],
        "primaryPhoneNumber": {"value": "555-555-5555", "type": "Personal", "isPrimary": True},
        "phoneNumbers": [{"value": "555-555-5555", "type": "Personal", "isPrimary": True}],
        "socialLinks": [{"type": "LinkedIn", "url": "https://linkedin.com/in/adam"}],
        "tags": [],
        "applicationIds": [],
        "fileHandles": [],
        "customFields": [],
        "profileUrl": f"https://app.ashbyhq.com/candidates/{candidate.id}",
    }
    assert location["locationSummary"] == "United States, California, San Francisco"
    assert location["locationComponents"] == [
        {"type": "Country", "name": "United States"},
        {"type": "Region", "name": "California"},
        {"type": "City", "name": "San Francisco"},
    ]


def test_minimal_candidate_omits_unset_members(store: AshbyStore) -> None:
    body = store.create_candidate("Ada").as_json()
    for member in ("primaryEmailAddress", "primaryPhoneNumber", "resumeFileHandle", "location"):
        assert member not in body


def test_candidate_name_must_not_be_blank(store: AshbyStore) -> None:
    with pytest.raises(VendorError) as exc:
        store.create_candidate("  ")
    assert_error(exc, 200, "invalid_input", "name: must not be empty")


def test_unknown_candidate(store: AshbyStore) -> None:
    with pytest.raises(VendorError) as exc:
        store.candidate("f9e52a51-a075-4116-a7b8-484deba69004")
    assert_error(exc, 200, "candidate_not_found", "No candidate found with id f9e52a51-a075-4116-a7b8-484deba69004")


def test_upload_resume_replaces_the_primary_resume(store: AshbyStore, clock: Clock) -> None:
    candidate = store.create_candidate("Ada")
    first = store.store_file(candidate.id, FilePayload("one.pdf", "application/pdf", b"1"))
    second = store.store_file(candidate.id, FilePayload("two.pdf", "application/pdf", b"2"))
    store.attach_resume(candidate, first)
    clock.advance(5)
    store.attach_resume(candidate, second)
    body = candidate.as_json()
    assert body["resumeFileHandle"] == second.as_json()
    assert body["fileHandles"] == [first.as_json(), second.as_json()]
    assert body["updatedAt"] != body["createdAt"]


def test_upload_file_adds_without_touching_the_resume(store: AshbyStore) -> None:
    candidate = store.create_candidate("Ada")
    stored = store.store_file(candidate.id, FilePayload("a.txt", "text/plain", b"a"))
    store.attach_file(candidate, stored)
    assert "resumeFileHandle" not in candidate.as_json()
    assert candidate.as_json()["fileHandles"] == [stored.as_json()]


# -- candidate.list --------------------------------------------------------------------------------


def names(page: Any) -> list[str]:
    return [c.name for c in page.results]


def test_list_pages_with_stable_opaque_cursors(store: AshbyStore) -> None:
    for i in range(5):
        store.create_candidate(f"c{i}")
    first = store.list_candidates(2, None, None)
    assert (names(first), first.more, first.sync_token) == (["c0", "c1"], True, None)
    assert first.next_cursor is not None and "c1" not in first.next_cursor
    second = store.list_candidates(2, first.next_cursor, None)
    store.create_candidate("c5")
    again = store.list_candidates(2, first.next_cursor, None)
    assert names(second) == names(again) == ["c2", "c3"]
    assert second.next_cursor == again.next_cursor
    last = store.list_candidates(2, second.next_cursor, None)
    assert (names(last), last.more, last.next_cursor) == (["c4", "c5"], False, None)
    assert last.sync_token is not None


def test_list_limit_is_capped_at_100(store: AshbyStore) -> None:
    for i in range(101):
        store.create_candidate(f"c{i}")
    page = store.list_candidates(500, None, None)
    assert (len(page.results), page.more) == (100, True)
    assert len(store.list_candidates(None, None, None).results) == 100


@pytest.mark.parametrize("limit", [0, -1])
def test_list_limit_must_be_positive(store: AshbyStore, limit: int) -> None:
    with pytest.raises(VendorError) as exc:
        store.list_candidates(limit, None, None)
    assert_error(exc, 200, "invalid_input", "limit: must be a positive integer")


def test_list_rejects_foreign_cursors_and_sync_tokens(store: AshbyStore) -> None:
    page = store.list_candidates(None, None, None)
    assert page.sync_token is not None
    for bad in ("nope", "", base64.urlsafe_b64encode(b'{"k":"c","after":-1}').decode(), page.sync_token):
        with pytest.raises(VendorError) as exc:
            store.list_candidates(None, bad, None)
        assert_error(exc, 200, "invalid_input", "cursor: is not a cursor this API returned")
    with pytest.raises(VendorError) as exc:
        store.list_candidates(None, None, "nope")
    assert_error(exc, 200, "invalid_input", "syncToken: is not a sync token this API returned")


@pytest.mark.parametrize("since", [b"1" + b"0" * 400, b"NaN", b"Infinity", b'"1"', b"true"])
def test_list_rejects_edited_token_times(store: AshbyStore, since: bytes) -> None:
    """A time a token could not have been written with (too big for a float, not finite) is foreign."""
    cursor = base64.urlsafe_b64encode(b'{"k":"c","after":1,"since":' + since + b"}").decode()
    with pytest.raises(VendorError) as exc:
        store.list_candidates(None, cursor, None)
    assert_error(exc, 200, "invalid_input", "cursor: is not a cursor this API returned")
    token = base64.urlsafe_b64encode(b'{"k":"s","since":' + since + b"}").decode()
    with pytest.raises(VendorError) as exc:
        store.list_candidates(None, None, token)
    assert_error(exc, 200, "invalid_input", "syncToken: is not a sync token this API returned")


def test_sync_token_returns_only_what_changed_since(store: AshbyStore, clock: Clock) -> None:
    old = store.create_candidate("old")
    store.create_candidate("untouched")
    clock.advance(1)
    token = store.list_candidates(None, None, None).sync_token
    clock.advance(1)
    store.attach_file(old, store.store_file(old.id, FilePayload("a.txt", "text/plain", b"a")))
    store.create_candidate("new")
    page = store.list_candidates(None, None, token)
    assert (names(page), page.more) == (["old", "new"], False)
    assert page.sync_token is not None and page.sync_token != token


def test_the_files_bytes_stop_at_max_stored_bytes(objects: FakeStorage, clock: Clock) -> None:
    """Attaching one handle again and again copies its bytes each time: the copies count, then ``limit_reached``."""
    store = AshbyStore(AshbySettings(max_stored_bytes=10), clock, objects)
    owner = store.create_candidate("Ada").id
    store.store_file(owner, FilePayload("a.pdf", "application/pdf", b"x" * 6))
    with pytest.raises(VendorError) as refused:
        store.store_file(owner, FilePayload("b.pdf", "application/pdf", b"x" * 5))
    message = (
        "atsmock keeps at most 10 bytes of files (ashby.max_stored_bytes); "
        "reset the mock (POST /__admin/reset?vendor=ashby)"
    )
    assert_error(refused, 200, "limit_reached", message)
    assert (len(store.files), len(objects.objects), store.stored_bytes) == (1, 1, 6)
    store.store_file(owner, FilePayload("c.pdf", "application/pdf", b"x" * 4))  # exactly the limit
    store.reset()
    assert store.stored_bytes == 0
    store.store_file(store.create_candidate("Ada").id, FilePayload("b.pdf", "application/pdf", b"x" * 10))


def test_settings_drive_the_limits(objects: FakeStorage, clock: Clock) -> None:
    settings = replace(AshbySettings(), upload_ttl_seconds=60, download_ttl_seconds=30, region="eu-west-1")
    store = AshbyStore(settings, clock, objects)
    store.create_upload_handle("CandidateResume", "a.pdf", "application/pdf", 1)
    stored = store.store_file("o", FilePayload("a.pdf", "application/pdf", b"x"))
    store.file_url(stored.handle)
    assert (objects.posts[0]["expires_in"], objects.posts[0]["region"]) == (60, "eu-west-1")
    assert (objects.gets[0]["expires_in"], objects.gets[0]["region"]) == (30, "eu-west-1")


def test_the_mock_keeps_at_most_max_candidates_and_max_files(objects: FakeStorage, clock: Clock) -> None:
    """Past either bound, Ashby's 200 envelope ``limit_reached`` naming the setting; a reset frees the places."""
    store = AshbyStore(AshbySettings(max_candidates=2, max_files=1), clock, objects)
    first = store.create_candidate("Ada")
    store.create_candidate("Grace")
    with pytest.raises(VendorError) as refused:
        store.create_candidate("Edsger")
    message = (
        "atsmock keeps at most 2 candidates (ashby.max_candidates); reset the mock (POST /__admin/reset?vendor=ashby)"
    )
    assert_error(refused, 200, "limit_reached", message)
    assert len(store.candidates) == 2
    store.store_file(first.id, FilePayload("a.pdf", "application/pdf", b"x"))
    with pytest.raises(VendorError) as refused:
        store.store_file(first.id, FilePayload("b.pdf", "application/pdf", b"x"))
    message = "atsmock keeps at most 1 files (ashby.max_files); reset the mock (POST /__admin/reset?vendor=ashby)"
    assert_error(refused, 200, "limit_reached", message)
    assert len(store.files) == 1 and len(objects.objects) == 1
    store.reset()
    store.create_candidate("Edsger")
    store.store_file(first.id, FilePayload("b.pdf", "application/pdf", b"x"))
