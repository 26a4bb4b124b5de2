"""The WTTJ rules without HTTP: Grape's parameter messages, kaminari's pages, Paris time, file names."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from storage_support import FakeStorage

from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError
from mockservers.core.fetch import Fetched, FetchPolicy, FetchRefused, FetchTimedOut
from mockservers.wttj.files import BUCKET, FileStore, RemoteFile, TimingOut, content_type_of, file_name
from mockservers.wttj.models import tag_list
from mockservers.wttj.paging import PageRequest, paginate, read_paging
from mockservers.wttj.params import Params
from mockservers.wttj.paris import paris_iso, paris_midnight
from mockservers.wttj.settings import WttjSettings


def problems(values: dict[str, Any], read: Any) -> str:
    params = Params(values)
    read(params)
    with pytest.raises(VendorError) as refused:
        params.done()
    assert (refused.value.kind, refused.value.code) == ("invalid_input", "validation_failed")
    return refused.value.message


# --- parameters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a", "a"), (12, "12"), (1.5, "1.5"), (True, "true"), ("", "")],
)
def test_strings_are_coerced_as_grape_coerces_them(value: Any, expected: str) -> None:
    assert Params({"x": value}).string("x") == expected


@pytest.mark.parametrize("value", [[1], {"a": 1}, float("nan")])
def test_arrays_and_objects_are_no_strings(value: Any) -> None:
    assert problems({"x": value}, lambda p: p.string("x")) == "x is invalid"


@pytest.mark.parametrize(("value", "expected"), [(3, 3), ("42", 42), (" -7 ", -7), ("+5", 5)])
def test_integers(value: Any, expected: int) -> None:
    assert Params({"n": value}).integer("n") == expected


@pytest.mark.parametrize("value", ["4.5", "1e3", " ", True, 4.0, "٣"])
def test_what_is_no_integer(value: Any) -> None:
    assert problems({"n": value}, lambda p: p.integer("n")) == "n is invalid"


def test_an_empty_value_of_a_typed_parameter_is_absent() -> None:
    """Grape's coercer reads ``""`` as nil for every type but String (``PrimitiveCoercer#treat_as_nil?``)
    and the default then applies: ``?per_page=`` is 100, ``?archived=`` no filter. Only the empty
    string: a blank one is still no integer, and a String parameter keeps its ``""``."""
    params = Params({"n": "", "b": "", "d": "", "s": ""})
    assert (params.integer("n", default=100), params.boolean("b", default=False), params.date("d")) == (
        100,
        False,
        None,
    )
    assert (params.integer("n"), params.boolean("b"), params.string("s")) == (None, None, "")
    params.done()
    assert problems({"n": ""}, lambda p: p.integer("n", required=True)) == "n is missing"
    assert problems({"b": " ", "d": " "}, lambda p: (p.boolean("b"), p.date("d"))) == "b is invalid, d is invalid"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(v, True) for v in (True, "true", "TRUE", "1", "yes", "t", 1)],
        *[(v, False) for v in (False, "false", "0", "no", "off", 0)],
    ],
)
def test_booleans_take_grapes_spellings(value: Any, expected: bool) -> None:
    assert Params({"b": value}).boolean("b") is expected


def test_dates_are_yyyy_mm_dd() -> None:
    assert Params({"d": "2015-11-26"}).date("d") == date(2015, 11, 26)
    for bad in ("2015-02-30", "26/11/2015", "2015-1-1", 20151126):
        assert problems({"d": bad}, lambda p: p.date("d")) == "d is invalid"


def test_every_problem_is_listed_once_in_declaration_order() -> None:
    def read(params: Params) -> None:
        params.string("a", required=True)
        params.integer("b", required=True)
        params.string("c", required=True)
        params.integer("d")
        params.string("a", required=True)

    assert problems({"c": "  ", "d": "x"}, read) == "a is missing, b is missing, c is empty, d is invalid"


def test_null_is_missing_for_a_required_parameter_and_absent_otherwise() -> None:
    assert problems({"a": None}, lambda p: p.string("a", required=True)) == "a is missing"
    assert Params({"a": None}).string("a") is None


# --- pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "rows", "headers"),
    [
        (PageRequest(1, 2, 0), [0, 1], {"X-Total-Pages": "3", "X-Page": "1", "X-Next-Page": "2"}),
        (PageRequest(2, 2, 0), [2, 3], {"X-Total-Pages": "3", "X-Page": "2", "X-Next-Page": "3", "X-Prev-Page": "1"}),
        (PageRequest(3, 2, 0), [4], {"X-Total-Pages": "3", "X-Page": "3", "X-Prev-Page": "2"}),
        (PageRequest(4, 2, 0), [], {"X-Total-Pages": "3", "X-Page": "4"}),
        (PageRequest(1, 2, 1), [1, 2], {"X-Total-Pages": "2", "X-Page": "1", "X-Next-Page": "2"}),
        (PageRequest(1, 100, 0), [0, 1, 2, 3, 4], {"X-Total-Pages": "1", "X-Page": "1"}),
    ],
)
def test_pages_and_their_headers_are_kaminaris(request_: PageRequest, rows: list[int], headers: dict[str, str]) -> None:
    got_rows, got_headers = paginate(list(range(5)), request_)
    expected = {"X-Total": "5", "X-Per-Page": str(request_.per_page), **headers, "X-Offset": str(request_.offset)}
    assert (got_rows, got_headers) == (rows, expected)


def test_an_empty_list_has_no_pages() -> None:
    assert paginate([], PageRequest(1, 100, 0))[1] == {
        "X-Total": "0",
        "X-Total-Pages": "0",
        "X-Per-Page": "100",
        "X-Page": "1",
        "X-Offset": "0",
    }


def test_paging_defaults_and_limits() -> None:
    assert read_paging(Params({})) == PageRequest(1, 100, 0)
    many = "9" * 5000  # more digits than Python's int reads: was a 500
    assert read_paging(Params({"page": many, "per_page": many, "offset": "0" * 4999 + "7"})) == PageRequest(
        10**18, 10**18, 7
    )
    assert read_paging(Params({"page": "-3", "per_page": "7", "offset": "2"})) == PageRequest(1, 7, 2)
    assert problems({"per_page": 0, "offset": -1}, read_paging) == (
        "per_page does not have a valid value, offset does not have a valid value"
    )


# --- Paris time ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "paris"),
    [
        (datetime(2018, 1, 8, 10, 46, 2, 990000), "2018-01-08T11:46:02.990+01:00"),
        (datetime(2016, 8, 23, 10, 55, 27, 206000), "2016-08-23T12:55:27.206+02:00"),
        (datetime(2024, 3, 31, 0, 59, 59, 999000), "2024-03-31T01:59:59.999+01:00"),
        (datetime(2024, 3, 31, 1, 0, 0), "2024-03-31T03:00:00.000+02:00"),
        (datetime(2024, 10, 27, 0, 59, 59), "2024-10-27T02:59:59.000+02:00"),
        (datetime(2024, 10, 27, 1, 0, 0), "2024-10-27T02:00:00.000+01:00"),
        (datetime(2025, 3, 30, 1, 0, 0), "2025-03-30T03:00:00.000+02:00"),
        (datetime(2025, 12, 31, 23, 30, 0), "2026-01-01T00:30:00.000+01:00"),
    ],
)
def test_timestamps_are_paris_time_with_milliseconds(utc: datetime, paris: str) -> None:
    assert paris_iso(utc.replace(tzinfo=UTC).timestamp()) == paris


def test_midnight_in_paris() -> None:
    assert paris_midnight(date(2024, 1, 15)) == datetime(2024, 1, 14, 23, tzinfo=UTC).timestamp()
    assert paris_midnight(date(2024, 7, 15)) == datetime(2024, 7, 14, 22, tzinfo=UTC).timestamp()


def test_midnight_in_paris_on_the_first_and_last_days_a_date_can_name() -> None:
    """An hour before 0001-01-01 is no ``datetime`` (OverflowError, a 500 the contract suite found)."""
    assert paris_midnight(date(1, 1, 1)) == datetime(1, 1, 1, tzinfo=UTC).timestamp() - 3600
    assert paris_midnight(date(9999, 12, 31)) == datetime(9999, 12, 30, 23, tzinfo=UTC).timestamp()


# --- tags and files -----------------------------------------------------------------------------------


def test_tag_list_is_comma_separated() -> None:
    assert tag_list(" ruby,react native ,, ruby,go") == ("ruby", "react native", "go")
    assert tag_list(None) == ()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://files.test/cv.pdf", "cv.pdf"),
        ("http://files.test/a/R%C3%A9sum%C3%A9%20v2.pdf?x=1#y", "Résumé_v2.pdf"),
        ("http://files.test/a/..%2F..%2Fetc%2Fpasswd", "passwd"),
        ("http://files.test/", "file"),
        ("http://files.test/..", "file"),
        ("http://files.test/" + "x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("http://[::1", "file"),
    ],
)
def test_stored_names_are_the_last_path_segment_made_safe(url: str, name: str) -> None:
    assert file_name(url) == name


@pytest.mark.parametrize(
    ("sent", "name", "expected"),
    [
        ("application/pdf", "x", "application/pdf"),
        ("Text/Plain; charset=utf-8", "x.pdf", "text/plain"),
        (None, "cv.PDF", "application/pdf"),
        ("application/octet-stream", "cv.odt", "application/vnd.oasis.opendocument.text"),
        ("nonsense", "cv.bin", "nonsense"),
        (None, "cv.bin", "application/octet-stream"),
    ],
)
def test_the_content_type_is_the_servers_else_the_extensions(sent: str | None, name: str, expected: str) -> None:
    fetched = Fetched("u", "u", 200, sent, 0, None, "")
    assert content_type_of(fetched, name) == expected


class Scripted:
    """A fetcher that answers each URL from a table: bytes, or a refusal reason. It keeps its own clock:
    each fetch takes ``seconds`` of it, and one longer than its ``timeout`` times out when that has passed."""

    def __init__(self, table: dict[str, bytes | str], seconds: float = 0.0, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self.table = table
        self.seconds = seconds
        self.now = 0.0
        self.fetched: list[tuple[str, float]] = []
        """Each URL fetched, with the time it was given."""

    def monotonic(self) -> float:
        return self.now

    async def fetch(self, url: str, sink: Any, *, max_bytes: int, timeout: float | None = None) -> Fetched:
        limit = self.policy.total_timeout if timeout is None else min(timeout, self.policy.total_timeout)
        self.fetched.append((url, limit))
        if self.seconds > limit:
            self.now += limit
            raise FetchTimedOut(url, f"timed out after {limit:g} s")
        self.now += self.seconds
        answer = self.table[url]
        if isinstance(answer, str):
            raise FetchRefused(url, answer)
        sink(answer)
        return Fetched(url, url, 200, None, len(answer), None, "")


def test_a_download_stores_every_file_or_none() -> None:
    storage = FakeStorage()
    files = FileStore(WttjSettings(), Clock(), storage)
    fetcher = Scripted({"http://a/x.pdf": b"aa", "http://a/y.pdf": b"bbb", "http://a/bad": "the server answered 500"})
    wanted = [RemoteFile("f0", "http://a/x.pdf", "p/1", 10), RemoteFile("f1", "http://a/y.pdf", "p/2", 10)]
    stored = asyncio.run(files.download(fetcher, wanted))
    assert [(s.key, s.size, s.content_type) for s in stored] == [
        ("p/1/x.pdf", 2, "application/pdf"),
        ("p/2/y.pdf", 3, "application/pdf"),
    ]
    assert (storage.objects[(BUCKET, "p/1/x.pdf")][0], files.stored_bytes) == (b"aa", 5)
    with pytest.raises(VendorError) as refused:
        bad = [RemoteFile("g", "http://a/x.pdf", "q/1", 10), RemoteFile("h", "http://a/bad", "q/2", 10)]
        asyncio.run(files.download(fetcher, bad))
    assert refused.value.message == "h http://a/bad could not be downloaded: the server answered 500"
    assert ((BUCKET, "q/1/x.pdf") not in storage.objects, files.stored_bytes) == (True, 5)


def test_the_timeout_scenario_refuses_as_a_real_timeout_does() -> None:
    stand_in = TimingOut(Scripted({}))
    with pytest.raises(FetchRefused) as refused:
        asyncio.run(stand_in.fetch("http://a/x", print, max_bytes=1))
    assert (refused.value.url, refused.value.reason) == ("http://a/x", "timed out after 30 s")


PDFS = {f"http://a/{i}.pdf": b"%PDF" for i in range(4)}


def _many(count: int) -> list[RemoteFile]:
    return [RemoteFile(f"remote_file_urls[{i}][url]", f"http://a/{i}.pdf", f"p/{i}", 10) for i in range(count)]


def test_a_requests_downloads_share_one_request_timeout_and_the_one_it_cuts_short_names_it() -> None:
    """50 URLs of 30 s each would hold one attach 25 minutes: the request's downloads get ``request_timeout``
    (60 s) in all; the one running when it ends is cut short, the rest never start, nothing is kept."""
    storage = FakeStorage()
    files = FileStore(WttjSettings(), Clock(), storage)
    fetcher = Scripted(PDFS, seconds=25)
    with pytest.raises(VendorError) as refused:
        asyncio.run(files.download(fetcher, _many(4)))
    assert refused.value.message == (
        "remote_file_urls[2][url] http://a/2.pdf could not be downloaded: the downloads of this request took "
        "more than 60 s in all ([fetch] request_timeout)"
    )
    assert fetcher.fetched == [("http://a/0.pdf", 30), ("http://a/1.pdf", 30), ("http://a/2.pdf", 10)]
    assert (fetcher.now, storage.objects, files.stored_bytes) == (60, {}, 0)


def test_once_the_request_timeout_is_spent_no_further_download_starts() -> None:
    files = FileStore(WttjSettings(), Clock(), FakeStorage())
    fetcher = Scripted(PDFS, seconds=30)
    with pytest.raises(VendorError) as refused:
        asyncio.run(files.download(fetcher, _many(3)))
    assert refused.value.message.startswith("remote_file_urls[2][url] http://a/2.pdf could not be downloaded: the ")
    assert [url for url, _ in fetcher.fetched] == ["http://a/0.pdf", "http://a/1.pdf"]


def test_a_download_that_times_out_on_its_own_says_its_own_timeout() -> None:
    files = FileStore(WttjSettings(), Clock(), FakeStorage())
    fetcher = Scripted(PDFS, seconds=31)
    with pytest.raises(VendorError) as refused:
        asyncio.run(files.download(fetcher, _many(2)))
    assert (
        refused.value.message == "remote_file_urls[0][url] http://a/0.pdf could not be downloaded: timed out after 30 s"
    )


def test_the_request_timeout_is_a_setting() -> None:
    fetcher = Scripted(PDFS, seconds=5, policy=FetchPolicy(request_timeout=12))
    files = FileStore(WttjSettings(), Clock(), FakeStorage())
    with pytest.raises(VendorError) as refused:
        asyncio.run(files.download(fetcher, _many(4)))
    assert "remote_file_urls[2][url]" in refused.value.message and "more than 12 s in all" in refused.value.message
    assert fetcher.fetched[-1] == ("http://a/2.pdf", 2)


def test_an_attach_of_many_urls_answers_within_the_request_timeout(app: Any, client: httpx.Client) -> None:
    """Over HTTP, on the fetcher double's clock: the 400 names the URL the budget ran out on, nothing is attached."""
    app.platform.fetcher = fetcher = Scripted(PDFS, seconds=25)
    body = {
        "candidate_reference": "wttj-d655345409a6097309156b05",
        "remote_file_urls": [{"filename": f"f{i}", "url": url} for i, url in enumerate(PDFS)],
    }
    response = client.post(
        "/wttj/api/v1/external/documents", json=body, headers={"Authorization": "Bearer atsmock-wttj"}
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": "validation_failed",
            "error_description": "remote_file_urls[2][url] http://a/2.pdf could not be downloaded: the downloads of "
            "this request took more than 60 s in all ([fetch] request_timeout)",
        },
    )
    assert (len(fetcher.fetched), fetcher.now) == (3, 60)
    listed = client.get(
        "/wttj/api/v1/external/documents",
        params={"candidate_reference": "wttj-d655345409a6097309156b05"},
        headers={"Authorization": "Bearer atsmock-wttj"},
    )
    assert listed.json() == []
