"""Every refusal of the safe fetcher, seen from ``POST /documents``: a 400 ``validation_failed`` naming the
URL and the reason, nothing attached.

Servers that redirect, hang or stream too much run on 127.0.0.1; the address policy is checked on
resolved addresses that the tests' resolver answers (``wttj_support.NAMES``), with no connection made:
the ``connections`` guard fails any test whose fetcher connects beyond loopback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fetch_support import ScriptedServer, answer, raw, redirect, stream
from wttj_support import PDF, SEEDED, Wttj, fails

from mockservers.core.fetch import FetchPolicy
from mockservers.testing import in_process_client
from mockservers.wttj.settings import WttjSettings


def refused(wttj: Wttj, url: str, reason: str) -> None:
    """``url`` is refused with ``reason``, and the candidate has no document afterwards."""
    response = wttj.attach(SEEDED, ("resume", url))
    fails(response, 400, "validation_failed", f"remote_file_urls[0][url] {url} could not be downloaded: {reason}")
    assert wttj.documents(SEEDED).json() == []


@pytest.fixture
def quick(make_wttj: Any) -> Iterator[Wttj]:
    """An app whose fetches give up after 0.2 s and whose documents may have 1000 bytes."""
    policy = FetchPolicy(connect_timeout=0.2, total_timeout=0.2)
    with in_process_client(make_wttj(fetch=policy, wttj=WttjSettings(max_document_size=1000))) as http:
        yield Wttj(http)


# --- servers on loopback ---------------------------------------------------------------------------


def test_a_server_that_hangs_times_out(quick: Wttj, files: ScriptedServer) -> None:
    files.route("/slow.pdf", raw(b"", stall=files.release))
    refused(quick, files.url("/slow.pdf"), "timed out after 0.2 s")


def test_a_body_that_stalls_halfway_times_out(quick: Wttj, files: ScriptedServer) -> None:
    files.route("/half.pdf", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n%PDF", stall=files.release))
    refused(quick, files.url("/half.pdf"), "timed out after 0.2 s")


def test_a_body_that_never_ends_is_cut_at_the_cap(quick: Wttj, files: ScriptedServer) -> None:
    files.route("/endless.pdf", stream(b"x" * 512, None))
    refused(quick, files.url("/endless.pdf"), "larger than 1000 bytes")


def test_a_declared_length_over_the_cap_is_refused_before_the_body(quick: Wttj, files: ScriptedServer) -> None:
    files.route("/big.pdf", stream(b"x" * 600, 2, {"Content-Length": "1200"}))
    refused(quick, files.url("/big.pdf"), "larger than 1000 bytes")


def test_three_redirects_are_followed_and_a_fourth_is_refused(wttj: Wttj, files: ScriptedServer) -> None:
    for hop in range(4):
        files.route(f"/{hop}", redirect(f"/{hop + 1}"))
    files.route("/4", answer(200, PDF, {"Content-Type": "application/pdf"}))
    [document] = wttj.attach(SEEDED, ("resume", files.url("/1"))).json()
    assert (document["size"], wttj.download(document["file_url"]).content) == (len(PDF), PDF)
    response = wttj.attach(SEEDED, ("resume", files.url("/0")))
    fails(
        response,
        400,
        "validation_failed",
        f"remote_file_urls[0][url] {files.url('/0')} could not be downloaded: more than 3 redirects",
    )
    assert len(wttj.documents(SEEDED).json()) == 1


def test_a_redirect_to_a_private_address_is_refused_before_connecting(
    wttj: Wttj, files: ScriptedServer, connections: list[tuple[str, int]]
) -> None:
    files.route("/cv.pdf", redirect("http://internal.test/secret"))
    url = files.url("/cv.pdf")
    refused(wttj, url, "redirected to http://internal.test/secret: the address 10.0.0.1 is private")
    assert connections == [("127.0.0.1", files.port)]


def test_a_redirect_to_the_metadata_service_is_refused(
    wttj: Wttj, files: ScriptedServer, connections: list[tuple[str, int]]
) -> None:
    files.route("/cv.pdf", redirect("http://169.254.169.254/latest/meta-data/", 307))
    refused(
        wttj,
        files.url("/cv.pdf"),
        "redirected to http://169.254.169.254/latest/meta-data/: "
        "the address 169.254.169.254 is a cloud metadata address",
    )
    assert connections == [("127.0.0.1", files.port)]


def test_an_answer_other_than_2xx_is_refused(wttj: Wttj, files: ScriptedServer) -> None:
    files.route("/gone.pdf", answer(410, b"gone"))
    refused(wttj, files.url("/gone.pdf"), "the server answered 410")


def test_a_closed_port_is_connection_refused(wttj: Wttj) -> None:
    with socket.socket() as unused:  # bound, never listening: a connection to it is refused
        unused.bind(("127.0.0.1", 0))
        refused(wttj, f"http://127.0.0.1:{unused.getsockname()[1]}/cv.pdf", "connection refused")


def test_a_connection_closed_without_an_answer_is_refused(wttj: Wttj, files: ScriptedServer) -> None:
    files.route("/cv.pdf", raw(b""))
    refused(wttj, files.url("/cv.pdf"), "the server closed the connection without answering")


# --- the address policy, on resolved addresses, with no connection made -------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://internal.test/cv.pdf", "the address 10.0.0.1 is private"),
        ("http://metadata.test/latest/meta-data/", "the address 169.254.169.254 is a cloud metadata address"),
        ("http://169.254.169.254/latest/meta-data/", "the address 169.254.169.254 is a cloud metadata address"),
        ("http://[fd00:ec2::254]/latest/", "the address fd00:ec2::254 is a cloud metadata address"),
        ("http://192.168.1.10/cv.pdf", "the address 192.168.1.10 is private"),
        ("http://public.test/cv.pdf", "the address 93.184.216.34 is public and public.test not in the allow list"),
        ("http://8.8.8.8/cv.pdf", "the address 8.8.8.8 is public and not in the allow list"),
        ("http://mixed.test/cv.pdf", "the address 10.0.0.5 is private"),
        ("http://nowhere.test/cv.pdf", "the host does not resolve"),
        ("http://0.0.0.0:8000/cv.pdf", "the address 0.0.0.0 is unspecified"),
        ("ftp://files.test/cv.pdf", "the scheme ftp is not allowed"),
        ("file:///etc/passwd", "the scheme file is not allowed"),
        ("files.test/cv.pdf", "the URL has no scheme"),
        ("http://user:secret@files.test/cv.pdf", "the URL contains credentials"),
    ],
)
def test_the_address_policy_refuses_without_connecting(
    wttj: Wttj, url: str, reason: str, connections: list[tuple[str, int]]
) -> None:
    refused(wttj, url, reason)
    assert connections == []


def test_allow_listed_hosts_come_from_the_fetch_config(
    make_wttj: Any, files: ScriptedServer, connections: list[tuple[str, int]]
) -> None:
    """``[fetch] allow_hosts`` admits a name even where loopback is refused; other names stay refused."""
    files.route("/cv.pdf", answer(200, PDF))
    policy = FetchPolicy(allow_loopback=False, allow_hosts=("files.test",))
    with in_process_client(make_wttj(fetch=policy)) as http:
        wttj = Wttj(http)
        response = wttj.attach(SEEDED, ("resume", files.url("/cv.pdf", host="files.test")))
        assert (response.status_code, response.json()[0]["size"]) == (201, len(PDF))
        loopback = files.url("/cv.pdf")
        fails(
            wttj.attach(SEEDED, ("resume", loopback)),
            400,
            "validation_failed",
            f"remote_file_urls[0][url] {loopback} could not be downloaded: the address 127.0.0.1 is loopback",
        )
    assert connections == [("127.0.0.1", files.port)]


def test_every_url_of_a_request_is_fetched_until_one_is_refused(
    wttj: Wttj, files: ScriptedServer, connections: list[tuple[str, int]]
) -> None:
    files.route("/cv.pdf", answer(200, PDF))
    good = files.url("/cv.pdf")
    response = wttj.attach(SEEDED, ("resume", good), ("secret", "http://internal.test/x"), ("later", good))
    fails(
        response,
        400,
        "validation_failed",
        "remote_file_urls[1][url] http://internal.test/x could not be downloaded: the address 10.0.0.1 is private",
    )
    assert connections == [("127.0.0.1", files.port)]  # the third URL was never fetched
