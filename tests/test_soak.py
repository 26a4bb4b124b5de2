"""Soak: many full upload flows through the reference clients over a live socket, state stays bounded.

Marked ``soak`` and skipped unless selected (``python3 -m pytest -m soak``); CI never runs it.
Bounded in count (``--soak-rounds``, default 2000 rounds per vendor) and in time (each
round is a few requests on loopback). It asserts what a long CI farm run relies on: no answer is
a 5xx, the journal keeps exactly ``journal_size`` entries, and PageUp keeps no temp records.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from client._http import RetryPolicy
from client.ashby import AshbyClient
from client.pageup import PageUpClient
from mockservers.config import Settings
from mockservers.testing import AdminClient, running

pytestmark = [pytest.mark.soak, pytest.mark.live, pytest.mark.timeout(1800)]

JOURNAL_SIZE = 500
NO_RETRY = RetryPolicy(attempts=1, sleep=lambda s: None)


@pytest.fixture
def rounds(request: pytest.FixtureRequest) -> int:
    return int(request.config.getoption("--soak-rounds"))


@pytest.fixture
def server() -> Iterator[Any]:
    with running(Settings().with_server(journal_size=JOURNAL_SIZE)) as live:
        yield live


def assert_bounded_journal(server: Any, made: int) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        entries = AdminClient(http).requests(limit=JOURNAL_SIZE + 10)
    assert len(entries) == min(made, JOURNAL_SIZE)
    assert [e for e in entries if e["response"]["status"] >= 500] == []


def test_pageup_upload_move_download_rounds(server: Any, rounds: int) -> None:
    with httpx.Client(base_url=f"{server.url}/pageup", timeout=30) as http:
        pageup = PageUpClient(http, "atsmock-pageup", "atsmock-pageup-secret", tenant="218", policy=NO_RETRY)
        for i in range(rounds):
            body = f"round {i}\n".encode() * 64
            document = pageup.upload(body, filename=f"cv-{i}.txt", document_category_id=7)
            assert pageup.download(document["id"]) == body
    assert_bounded_journal(server, made=1 + 5 * rounds)  # a token, then prepare, PUT, move, GET and its URL
    assert len(server.platform.vendors["pageup"].app.state.vendor.store.uploads) == 0


def test_ashby_handle_flow_rounds(server: Any, rounds: int) -> None:
    with httpx.Client(base_url=f"{server.url}/ashby", timeout=30) as http:
        ashby = AshbyClient(http, "atsmock-ashby", policy=NO_RETRY)
        candidate = ashby.create_candidate("Soak Candidate")
        for i in range(rounds):
            body = b"%PDF-1.4\n" + str(i).encode() * 64
            updated = ashby.upload_file(candidate["id"], body, f"file-{i}.pdf", "application/pdf")
            assert ashby.download(updated["fileHandles"][-1]["handle"]) == body
    assert_bounded_journal(server, made=1 + 5 * rounds)  # a candidate, then handle, POST, attach, file.info, GET
