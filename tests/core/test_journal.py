"""The journal: bounded, newest first, filtered; secrets redacted from headers and query."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockservers.config import Settings
from mockservers.core.journal import SCOPE_KEY, Entry, Journal, note_error, redact_headers, redact_query
from mockservers.core.platform import Platform
from mockservers.vendors import registered


def entry(n: int, vendor: str = "echo", operation: str | None = "get_thing", status: int | None = 200) -> Entry:
    return Entry(
        id=f"id-{n}",
        time=1_700_000_000.0 + n,
        vendor=vendor,
        operation=operation,
        method="GET",
        path=f"/{vendor}/things/{n}",
        query=b"",
        headers=[],
        status=status,
    )


def test_entry_as_json_has_the_wiremock_like_shape() -> None:
    e = Entry(
        id="abc",
        time=1_700_000_000.5,
        vendor="echo",
        operation="create_thing",
        method="POST",
        path="/echo/things",
        query=b"a=1&client_secret=hunter2",
        headers=[(b"Content-Type", b"application/json"), (b"Authorization", b"Bearer t0ken")],
        status=201,
        duration_ms=1.23456,
        body_size=17,
        error_code="conflict",
        fault="delay",
    )
    assert e.as_json() == {
        "id": "abc",
        "loggedDate": "2023-11-14T22:13:20.500Z",
        "vendor": "echo",
        "operation": "create_thing",
        "request": {
            "method": "POST",
            "url": "/echo/things?a=1&client_secret=[redacted]",
            "path": "/echo/things",
            "query": "a=1&client_secret=[redacted]",
            "headers": {"content-type": "application/json", "authorization": "[redacted]"},
            "bodySize": 17,
        },
        "response": {"status": 201, "errorCode": "conflict"},
        "durationMs": 1.235,
        "fault": "delay",
    }


def test_entry_without_query_has_a_bare_url() -> None:
    assert entry(1).as_json()["request"]["url"] == "/echo/things/1"
    assert entry(1).as_json()["request"]["query"] == ""


def test_journal_keeps_only_the_newest_size_entries() -> None:
    journal = Journal(size=3)
    for n in range(5):
        journal.record(entry(n))
    assert len(journal) == 3
    assert [e.id for e in journal.newest_first()] == ["id-4", "id-3", "id-2"]
    assert journal.get("id-1") is None
    assert journal.get("id-2") is not None


@given(size=st.integers(min_value=1, max_value=20), count=st.integers(min_value=0, max_value=60))
def test_journal_never_grows_past_its_size(size: int, count: int) -> None:
    journal = Journal(size=size)
    for n in range(count):
        journal.record(entry(n))
    assert len(journal) == min(size, count)
    assert [e.id for e in journal.newest_first()] == [f"id-{n}" for n in reversed(range(max(0, count - size), count))]


def test_journal_size_below_one_keeps_one() -> None:
    journal = Journal(size=0)
    journal.record(entry(1))
    journal.record(entry(2))
    assert [e.id for e in journal.newest_first()] == ["id-2"]


def test_find_filters_newest_first_and_counts_before_the_limit() -> None:
    journal = Journal()
    journal.record(entry(1, "echo", "get_thing", 200))
    journal.record(entry(2, "echo", "create_thing", 201))
    journal.record(entry(3, "s3", "get_object", 404))
    journal.record(entry(4, "echo", "get_thing", 404))
    journal.record(entry(5, "echo", "get_thing", 200))

    def ids(**filters: object) -> tuple[list[str], int]:
        found, total = journal.find(**filters)  # type: ignore[arg-type]
        return [e.id for e in found], total

    assert ids() == (["id-5", "id-4", "id-3", "id-2", "id-1"], 5)
    assert ids(vendor="echo") == (["id-5", "id-4", "id-2", "id-1"], 4)
    assert ids(operation="get_thing") == (["id-5", "id-4", "id-1"], 3)
    assert ids(status=404) == (["id-4", "id-3"], 2)
    assert ids(vendor="echo", status=404) == (["id-4"], 1)
    assert ids(vendor="echo", limit=2) == (["id-5", "id-4"], 4)
    assert ids(limit=0) == ([], 5)
    assert ids(vendor="pageup") == ([], 0)


def test_clear_one_vendor_keeps_the_others() -> None:
    journal = Journal()
    for n, vendor in enumerate(["echo", "s3", "echo", "s3"]):
        journal.record(entry(n, vendor))
    journal.clear("echo")
    assert [e.id for e in journal.newest_first()] == ["id-3", "id-1"]
    journal.clear()
    assert len(journal) == 0


def test_note_error_marks_the_entry_in_the_scope() -> None:
    e = entry(1)
    scope: dict[str, object] = {SCOPE_KEY: e}
    note_error(scope, "invalid_token")
    assert e.error_code == "invalid_token"
    note_error({}, "ignored")  # outside a journaled request: nothing to mark, no error


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "Proxy-Authorization",
        "Cookie",
        "Set-Cookie",
        "X-Amz-Security-Token",
        "X-Api-Key",
        "X-Csrf-Token",
        "X-Client-Secret",
        "X-Signature",
        "X-Password",
        "ApiKey",
        "X-Auth-Key",
        "X-Access-Key",
        "X-Amz-Server-Side-Encryption-Customer-Key",
    ],
)
def test_secret_headers_are_redacted(name: str) -> None:
    assert redact_headers([(name.encode(), b"s3cr3t-value")]) == {name.lower(): "[redacted]"}


VENDOR_SECRETS = sorted(frozenset().union(*(v.secret_headers for v in registered())))


@pytest.mark.parametrize("name", VENDOR_SECRETS)
def test_each_vendors_secret_headers_are_redacted_by_the_platform_journal(name: str) -> None:
    journal = Platform(Settings(), registered()).journal
    entry = Entry("1", 0.0, "v", None, "GET", "/", b"", [(name.title().encode(), b"s3cr3t"), (b"accept", b"*/*")])
    assert journal.render(entry)["request"]["headers"] == {name: "[redacted]", "accept": "*/*"}
    assert redact_headers([(name.encode(), b"s3cr3t")]) == {name: "s3cr3t"}  # only because a vendor says so


@pytest.mark.parametrize(
    "name",
    ["Content-Type", "User-Agent", "X-Amz-Content-Sha256", "X-Amz-Date", "Host", "Content-Length", "Idempotency-Key"],
)
def test_ordinary_headers_are_kept(name: str) -> None:
    assert redact_headers([(name.encode(), b"value")]) == {name.lower(): "value"}


def test_repeated_headers_are_joined() -> None:
    headers = [(b"Accept", b"a/b"), (b"accept", b"c/d"), (b"Cookie", b"a=1"), (b"cookie", b"b=2")]
    assert redact_headers(headers) == {"accept": "a/b, c/d", "cookie": "[redacted], [redacted]"}


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        (b"", ""),
        (b"a=1&b=2", "a=1&b=2"),
        (b"flag&a=", "flag&a="),
        (
            b"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101&X-Amz-Date=20260101T000000Z"
            b"&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abcdef0123",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101&X-Amz-Date=20260101T000000Z"
            "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=[redacted]",
        ),
        (b"X-Amz-Security-Token=tok&x=1", "X-Amz-Security-Token=[redacted]&x=1"),
        (b"access_token=abc&Signature=def", "access_token=[redacted]&Signature=[redacted]"),
        (b"client_id=me&client_secret=hunter2", "client_id=me&client_secret=[redacted]"),
        (b"token=abc", "token=[redacted]"),
        # Every kind of token and secret, not only a fixed list of names.
        (b"refresh_token=r&id_token=i", "refresh_token=[redacted]&id_token=[redacted]"),
        (b"password=p&apikey=k", "password=[redacted]&apikey=[redacted]"),
        # A percent-encoded name is still the same parameter to the server.
        (b"client%5Fsecret=hunter2", "client%5Fsecret=[redacted]"),
    ],
)
def test_query_secrets_are_redacted(query: bytes, shown: str) -> None:
    assert redact_query(query) == shown
