"""The PageUp reference client through the whole flow, against a live server (and in-process apps)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pageup_support import CLIENT, OTHER_TENANT, READONLY

from client._http import RetryPolicy
from client.pageup import PageUpClient, PageUpError, StorageError
from mockservers.config import Settings
from mockservers.pageup.settings import PageUpSettings
from mockservers.testing import AdminClient, in_process_client, make_app

pytestmark = pytest.mark.live


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def http(live: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live.url}/pageup", timeout=10) as c:
        yield c


@pytest.fixture
def admin(live: Any) -> Iterator[AdminClient]:
    with httpx.Client(base_url=live.url, timeout=10) as c:
        yield AdminClient(c)


def make_client(
    http: httpx.Client, sleeps: list[float], creds: tuple[str, str] = CLIENT, tenant: str = "218"
) -> PageUpClient:
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=5, sleep=sleeps.append)
    return PageUpClient(http, *creds, tenant=tenant, policy=policy)


@pytest.fixture
def pageup(http: httpx.Client, sleeps: list[float]) -> PageUpClient:
    return make_client(http, sleeps)


def test_upload_and_download_bytes(pageup: PageUpClient) -> None:
    data = bytes(range(256)) * 1000
    doc = pageup.upload(data, filename="résumé.pdf", title="CV", document_category_id=7, applicant_id=26459460)
    assert (doc["title"], doc["fileName"], doc["documentCategoryName"], doc["applicantId"]) == (
        "CV",
        "résumé.pdf",
        "Resume",
        26459460,
    )
    assert pageup.download(doc["id"]) == data
    meta = pageup.document(doc["id"], expires_in=10)
    assert (meta["contentType"], meta["fileName"]) == ("application/pdf", "résumé.pdf")


def test_upload_a_path_and_download_to_a_path(pageup: PageUpClient, tmp_path: Path) -> None:
    source = tmp_path / "Position Description.docx"
    source.write_bytes(b"PK\x03\x04" + b"z" * 300_000)
    doc = pageup.upload(source, document_category_name="PositionDescription", job_id=77)
    assert (doc["fileName"], doc["title"], doc["jobId"], doc["documentCategoryId"]) == (
        source.name,
        source.name,
        77,
        1003,
    )
    target = tmp_path / "out.docx"
    meta = pageup.download_to(doc["id"], target)
    assert target.read_bytes() == source.read_bytes()
    assert meta["contentType"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize("kind", ["file", "chunks"])
def test_upload_a_stream(pageup: PageUpClient, kind: str) -> None:
    data = b"line\n" * 20_000
    source: Any = io.BytesIO(data) if kind == "file" else (data[i : i + 999] for i in range(0, len(data), 999))
    doc = pageup.upload(source, filename="notes.txt", document_category_id=19, provider_id=9552)
    assert doc["providerID"] == 9552
    assert pageup.download(doc["id"]) == data


def test_replace_a_document(pageup: PageUpClient) -> None:
    first = pageup.upload(b"v1", filename="a.txt", document_category_id=7)
    second = pageup.upload(b"v2", filename="a.txt", document_category_id=7, id=int(first["id"]))
    assert second["id"] == first["id"]
    assert pageup.download(first["id"]) == b"v2"


def test_errors_carry_pageups_fields(pageup: PageUpClient) -> None:
    with pytest.raises(PageUpError) as exc:
        pageup.upload(b"x", filename="a.txt", document_category_id=7, document_category_name="Resume")
    message = "Both documentCategoryName and documentCategoryId were provided; one and only one of them is required."
    assert (exc.value.status, exc.value.message) == (400, "The request is invalid.")
    assert exc.value.fields == {"documentCategoryName": [message], "documentCategoryId": [message]}
    assert exc.value.request_id


def test_unknown_document_is_404(pageup: PageUpClient) -> None:
    with pytest.raises(PageUpError) as exc:
        pageup.document(424242)
    assert (exc.value.status, exc.value.errors) == (404, [{"message": "Document 424242 was not found."}])


def test_readonly_credentials_cannot_upload(http: httpx.Client, sleeps: list[float]) -> None:
    readonly = make_client(http, sleeps, READONLY)
    with pytest.raises(PageUpError) as exc:
        readonly.upload(b"x", filename="a.txt", document_category_id=7)
    assert exc.value.status == 403


def test_other_tenants_documents_are_invisible(pageup: PageUpClient, http: httpx.Client, sleeps: list[float]) -> None:
    doc = pageup.upload(b"x", filename="a.txt", document_category_id=7)
    other = make_client(http, sleeps, OTHER_TENANT, tenant="219")
    with pytest.raises(PageUpError) as exc:
        other.document(doc["id"])
    assert exc.value.status == 404


def test_bad_credentials_raise_the_oauth_error(http: httpx.Client, sleeps: list[float]) -> None:
    bad = make_client(http, sleeps, ("atsmock-pageup", "nope"))
    with pytest.raises(PageUpError) as exc:
        bad.upload(b"x", filename="a.txt", document_category_id=7)
    assert (exc.value.status, exc.value.code, exc.value.message) == (
        400,
        "invalid_client",
        "The client credentials are invalid.",
    )


def test_a_token_expired_on_the_mock_clock_is_refreshed_once(pageup: PageUpClient, admin: AdminClient) -> None:
    doc_id = pageup.upload(b"x", filename="a.txt", document_category_id=7)["id"]
    first = pageup.token()
    admin.advance(301)  # the client's own clock does not know: the server answers 401
    assert pageup.download(doc_id) == b"x"
    assert pageup.token() != first
    entries = admin.requests(vendor="pageup", operation="getDocument")
    assert [e["response"]["status"] for e in reversed(entries)] == [401, 200]


def test_invalid_token_scenario_is_survived(pageup: PageUpClient, admin: AdminClient) -> None:
    admin.add_fault("pageup.invalid_token", operation="prepareTempDirectUpload")
    doc = pageup.upload(b"x", filename="a.txt", document_category_id=7)
    assert doc["id"]


def test_server_errors_on_safe_steps_are_retried(
    pageup: PageUpClient, admin: AdminClient, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    admin.add_fault("pageup.server_error", operation="prepareTempDirectUpload", times=2)
    with caplog.at_level(logging.WARNING, logger="atsmock.client"):
        doc = pageup.upload(b"x", filename="a.txt", document_category_id=7)
    assert doc["id"] and len(sleeps) == 2
    failed = admin.requests(vendor="pageup", status=500)
    assert len(failed) == 2
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for entry in failed:
        assert f"X-Request-Id {entry['id']}" in logged


def test_server_error_on_move_is_not_retried(pageup: PageUpClient, admin: AdminClient, sleeps: list[float]) -> None:
    admin.add_fault("pageup.server_error", operation="moveFromTemp")
    with pytest.raises(PageUpError) as exc:
        pageup.upload(b"x", filename="a.txt", document_category_id=7)
    assert (exc.value.status, exc.value.message, sleeps) == (500, "An error occurred with the API.", [])


def test_dropped_connection_on_prepare_is_retried(pageup: PageUpClient, admin: AdminClient) -> None:
    admin.add_fault("connection_reset", vendor="pageup", operation="prepareTempDirectUpload")
    assert pageup.upload(b"x", filename="a.txt", document_category_id=7)["id"]


def test_daily_quota_is_raised_with_retry_after(sleeps: list[float]) -> None:
    app = make_app(Settings(pageup=PageUpSettings(daily_quota=1)))
    with in_process_client(app, base_url="http://testserver/pageup") as http:
        pageup = make_client(http, sleeps)
        pageup.prepare_upload("a.txt")
        with pytest.raises(PageUpError) as exc:
            pageup.prepare_upload("a.txt")
    assert (exc.value.status, exc.value.message) == (429, "The daily rate limit has been exceeded")
    assert exc.value.retry_after is not None and exc.value.retry_after > 0
    assert sleeps == []


def test_a_file_over_the_maximum_is_a_storage_error(sleeps: list[float]) -> None:
    app = make_app(Settings(pageup=PageUpSettings(max_file_size=1024)))
    with in_process_client(app, base_url="http://testserver/pageup") as http:
        pageup = make_client(http, sleeps)
        with pytest.raises(StorageError) as exc:
            pageup.upload(b"x" * 1025, filename="big.pdf", document_category_id=7)
    assert (exc.value.status, exc.value.code) == (400, "EntityTooLarge")
