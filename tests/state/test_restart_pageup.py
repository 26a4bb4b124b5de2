"""PageUp across a restart, through its reference client: documents, temp uploads, tokens, ids, quota."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from state_support import Restarts

from client.pageup import PageUpClient, PageUpError
from mockservers.config import Settings
from mockservers.pageup.models import TEMP_UPLOAD_TTL
from mockservers.pageup.settings import PageUpSettings
from mockservers.testing import running

DATA = b"%PDF-1.4 a resume that must outlive the process\n" * 100


def pageup(http: httpx.Client) -> PageUpClient:
    return PageUpClient(http, "atsmock-pageup", "atsmock-pageup-secret", tenant="218")


def test_an_uploaded_document_downloads_the_same_bytes_after_a_restart(restarts: Restarts) -> None:
    document = pageup(restarts.http("pageup")).upload(DATA, filename="cv.pdf", document_category_id=7, job_id=12)
    restarts.restart()
    client = pageup(restarts.http("pageup"))
    assert client.download(document["id"]) == DATA
    found = client.document(document["id"])
    assert {k: found[k] for k in document} == document
    assert (found["contentType"], document["id"]) == ("application/pdf", "8621")


def test_document_ids_carry_on_and_a_token_from_before_still_works(restarts: Restarts) -> None:
    before = pageup(restarts.http("pageup"))
    first = before.upload(b"one", filename="one.txt", document_category_id=7)
    token = before.token()
    restarts.restart()
    after = pageup(restarts.http("pageup"))
    after._token, after._expires_at = token, before._expires_at  # the client keeps its cached token
    second = after.upload(b"two", filename="two.txt", document_category_id=7)
    assert (first["id"], second["id"], after.token()) == ("8621", "8622", token)


def test_a_file_prepared_and_put_before_a_restart_is_moved_after_it(restarts: Restarts) -> None:
    before = pageup(restarts.http("pageup"))
    prepared = before.prepare_upload("late.txt")
    before.put_file(prepared, b"moved after the restart")
    restarts.restart()
    after = pageup(restarts.http("pageup"))
    moved = after.move_from_temp(prepared["physicalFile"], title="Late", file_name="late.txt", document_category_id=7)
    assert after.download(moved["id"]) == b"moved after the restart"


def test_a_temp_upload_keeps_its_expiry_time_across_a_restart(restarts: Restarts) -> None:
    before = pageup(restarts.http("pageup"))
    prepared = before.prepare_upload("lapsing.txt")
    before.put_file(prepared, b"never moved")
    restarts.platform.clock.advance(TEMP_UPLOAD_TTL - 1)
    restarts.restart()
    restarts.platform.clock.advance(1)  # the mock clock's offset survived too: now it has lapsed
    after = pageup(restarts.http("pageup"))
    with pytest.raises(PageUpError) as caught:
        after.move_from_temp(prepared["physicalFile"], title="x", file_name="lapsing.txt", document_category_id=7)
    assert (caught.value.status, list(caught.value.fields)) == (400, ["physicalFile"])
    assert restarts.files() == []  # its object went with it


def test_the_daily_quota_is_not_reset_by_a_restart(tmp_path: Path) -> None:
    restarts = Restarts(tmp_path / "state", Settings().replace(pageup=PageUpSettings(daily_quota=2)))
    try:
        pageup(restarts.http("pageup")).prepare_upload("a.txt")
        restarts.restart()
        client = pageup(restarts.http("pageup"))
        client.prepare_upload("b.txt")
        with pytest.raises(PageUpError) as caught:
            client.prepare_upload("c.txt")
        assert caught.value.status == 429
    finally:
        restarts.stop()


@pytest.mark.live
def test_a_live_server_restarted_on_its_directory_serves_what_it_stored(tmp_path: Path) -> None:
    """``running`` twice on one directory: the first server lets go of it when it stops."""
    settings = Settings().with_server(state_dir=str(tmp_path / "state"))
    with running(settings) as server, httpx.Client(base_url=server.vendor_url("pageup")) as http:
        document = pageup(http).upload(DATA, filename="cv.pdf", document_category_id=7)
    with running(settings) as server, httpx.Client(base_url=server.vendor_url("pageup")) as http:
        assert pageup(http).download(document["id"]) == DATA
