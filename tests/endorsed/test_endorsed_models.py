"""The rules without HTTP: path ids, candidates, and attachments over the fake storage."""

from __future__ import annotations

import io
from typing import Any

import anyio
import pytest
from starlette.datastructures import Headers, UploadFile

from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError
from mockservers.core.fetch import Fetched, Fetcher, FetchPolicy
from mockservers.endorsed.attachments import BUCKET, AttachmentInput, AttachmentStore, parse_attachment
from mockservers.endorsed.errors import STATUS, issues_of
from mockservers.endorsed.models import CandidateBook, Ref, parse_candidate
from mockservers.endorsed.settings import EndorsedSettings
from tests.storage_support import FakeStorage


def refused(exc: pytest.ExceptionInfo[VendorError]) -> tuple[int, list[dict[str, Any]]]:
    return STATUS[exc.value.kind], issues_of(exc.value)


@pytest.mark.parametrize(
    ("raw", "ref"),
    [
        ("44E40FEC-6144-4c86-B71A-857FB1C2C625", Ref(id="44e40fec-6144-4c86-b71a-857fb1c2c625")),
        ("remote.cv-1", Ref(remote_id="cv-1")),
        ("remote.remote.x", Ref(remote_id="remote.x")),
        ("remote.a/b", Ref(remote_id="a/b")),
    ],
)
def test_a_path_id_is_a_uuid_or_remote_dot_something(raw: str, ref: Ref) -> None:
    assert Ref.parse(raw) == ref


@pytest.mark.parametrize("raw", ["", "remote.", "Remote.x", "44e40fec6144", "44e40fec-6144-4c86-b71a-857fb1c2c62"])
def test_anything_else_is_bad_request_on_id(raw: str) -> None:
    with pytest.raises(VendorError) as exc:
        Ref.parse(raw)
    assert refused(exc) == (400, [{"message": "Invalid id: expected a UUID or remote.<remote_id>", "path": ["id"]}])


@pytest.fixture
def clock() -> Clock:
    c = Clock()
    c.freeze()
    c.set(1_700_000_000)
    return c


def settings(**changes: Any) -> EndorsedSettings:
    return EndorsedSettings(**changes)


def test_candidates_by_id_and_remote_id(clock: Clock) -> None:
    book = CandidateBook(settings(), clock)
    candidate = book.create(parse_candidate({"first_name": "Ada", "remote_id": "a"}))
    assert book.find(Ref(id=candidate.id)) is book.find(Ref(remote_id="a")) is candidate
    clock.advance(5)
    book.update(Ref(id=candidate.id), parse_candidate({"first_name": "Ada", "remote_id": "b"}))
    assert (candidate.remote_id, candidate.modified_at - candidate.created_at) == ("b", 5)
    assert book.records.by_remote == {"b": candidate.id}
    with pytest.raises(VendorError) as exc:
        book.find(Ref(remote_id="a"))
    assert refused(exc) == (404, [{"message": "This resource entity does not exist."}])


def test_parse_candidate_keeps_what_was_given() -> None:
    data = parse_candidate(
        {"first_name": "A", "remote_id": "r", "location": "", "links": [{"value": "x"}], "unknown": 1}
    )
    assert data.text == {"last_name": None, "title": None, "company_name": None, "location": None}
    assert data.contacts == {"phone_numbers": (), "email_addresses": (), "links": (("x", None),)}


def upload(data: bytes, filename: str | None = "cv.pdf", content_type: str = "application/pdf") -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=filename, headers=Headers({"content-type": content_type}))


def attachments(clock: Clock, **changes: Any) -> tuple[AttachmentStore, FakeStorage, CandidateBook]:
    objects = FakeStorage()
    book = CandidateBook(settings(), clock)
    store = AttachmentStore(settings(**changes), clock, objects, Fetcher(FetchPolicy()), book)
    return store, objects, book


def put(store: AttachmentStore, ref: Ref | None, data: AttachmentInput, source: Any) -> Any:
    return anyio.run(store.put, ref, data, source)


def test_an_upload_lands_in_its_own_key_and_a_replace_frees_the_old(clock: Clock) -> None:
    store, objects, _ = attachments(clock)
    data = AttachmentInput("cv-1", "resume", None, None)
    first, created = put(store, None, data, upload(b"one"))
    assert created and (first.file_name, first.content_type, first.size) == ("cv.pdf", "application/pdf", 3)
    assert objects.objects == {(BUCKET, first.key): (b"one", "application/octet-stream")}
    old_key = first.key
    again, created = put(store, Ref(remote_id="cv-1"), data, upload(b"three", "v2.txt", "text/plain"))
    assert (again is first, created, first.file_name, first.content_type) == (True, False, "v2.txt", "text/plain")
    assert list(objects.objects) == [(BUCKET, first.key)] and first.key != old_key
    assert store.stored_bytes == 5


def test_the_ephemeral_url_is_a_presigned_get_with_name_and_type(clock: Clock) -> None:
    store, objects, _ = attachments(clock, download_ttl_seconds=120)
    attachment, _ = put(store, None, AttachmentInput("r", "about", None, "a b.pdf"), upload(b"x"))
    view = store.view(attachment)
    assert view["ephemeral_url"] == f"http://s3.test/{BUCKET}/{attachment.key}?get"
    assert objects.gets == [
        {
            "bucket": BUCKET,
            "key": attachment.key,
            "expires_in": 120,
            "region": "us-east-1",
            "response_content_disposition": "attachment; filename=\"a b.pdf\"; filename*=UTF-8''a%20b.pdf",
            "response_content_type": "application/pdf",
        }
    ]
    assert (view["created_at"], view["modified_at"]) == ("2023-11-14T22:13:20.000Z", "2023-11-14T22:13:20.000Z")


def test_a_refused_write_stores_nothing(clock: Clock) -> None:
    store, objects, _ = attachments(clock, max_file_size=4)
    with pytest.raises(VendorError) as exc:
        put(store, None, AttachmentInput("r", "about", None, None), upload(b"12345"))
    assert refused(exc) == (413, [{"message": "The file is larger than 4 bytes", "path": ["file"]}])
    with pytest.raises(VendorError) as exc:
        put(store, None, AttachmentInput("r", "about", "5b8a5a9e-0000-4000-8000-000000000000", None), upload(b"1"))
    assert refused(exc) == (404, [{"message": "This resource entity does not exist.", "path": ["candidate_id"]}])
    assert (objects.objects, store.records.by_id, store.stored_bytes) == ({}, {}, 0)


def test_a_part_without_name_or_a_plain_type_gets_the_defaults(clock: Clock) -> None:
    store, _, _ = attachments(clock)
    attachment, _ = put(store, None, AttachmentInput("r", "about", None, None), upload(b"x", None, "not a type"))
    assert (attachment.file_name, attachment.content_type) == ("file", "application/octet-stream")


def test_parse_attachment_takes_a_part_or_a_url() -> None:
    part = upload(b"x")
    data, source = parse_attachment({"remote_id": "r", "type": "about", "file": part}, multipart=True)
    assert (data, source) == (AttachmentInput("r", "about", None, None), part)
    body = {"remote_id": "r", "type": "resume", "public_file_url": "http://127.0.0.1/x", "candidate_id": None}
    assert parse_attachment(body, multipart=False)[1] == "http://127.0.0.1/x"


class Recording:
    """A fetcher double that records the time each fetch is given and answers one small PDF."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self.timeouts: list[float | None] = []

    async def fetch(self, url: str, sink: Any, *, max_bytes: int, timeout: float | None = None) -> Fetched:
        self.timeouts.append(timeout)
        sink(b"%PDF")
        return Fetched(url, url, 200, "application/pdf", 4, None, "")


def test_a_public_file_url_is_one_fetch_bounded_by_the_request_timeout(clock: Clock) -> None:
    """Endorsed takes one URL per request, so its wait is one fetch's: ``total_timeout``, or ``request_timeout``
    when that is shorter (the fetcher takes the shorter of the two)."""
    fetcher = Recording(FetchPolicy(request_timeout=12))
    store = AttachmentStore(settings(), clock, FakeStorage(), fetcher, CandidateBook(settings(), clock))  # type: ignore[arg-type]
    put(store, None, AttachmentInput("cv-1", "resume", None, None), "http://127.0.0.1/cv.pdf")
    assert fetcher.timeouts == [12]
