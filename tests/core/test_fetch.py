"""The safe remote fetcher: the address policy on resolved addresses (no connection made), then real
fetches from scripted servers on 127.0.0.1.

No test makes traffic beyond loopback: hostnames are under ``.test``/``.invalid`` and resolved by an
injected resolver, and the ``connections`` guard fails any test whose fetcher connects (or resolves
through the system) to anything but loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fetch_support import (
    Certificates,
    ScriptedServer,
    answer,
    guard_connections,
    make_certificates,
    names,
    raw,
    redirect,
    running_server,
    stream,
)

from mockservers.core.fetch import Destination, Fetched, Fetcher, FetchPolicy, FetchRefused, FetchTimedOut

HELLO_SHA256 = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"  # sha256(b"hello world")


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every TCP connect the fetcher makes; only loopback may be connected to, and the system resolver may
    only be asked for ``localhost``."""
    return guard_connections(monkeypatch)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    yield from running_server()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


async def _no_resolution(host: str, port: int) -> Sequence[str]:
    raise AssertionError(f"resolved {host}:{port}")


def fetch(fetcher: Fetcher, url: str, max_bytes: int = 1 << 20) -> tuple[Fetched, bytes]:
    received: list[bytes] = []
    fetched = asyncio.run(fetcher.fetch(url, received.append, max_bytes=max_bytes))
    return fetched, b"".join(received)


def refusal(fetcher: Fetcher, url: str, max_bytes: int = 1 << 20, received: list[bytes] | None = None) -> str:
    """The reason ``fetch`` refuses ``url``, after checking the refusal names the URL asked for."""
    sink = (received if received is not None else []).append
    with pytest.raises(FetchRefused) as refused:
        asyncio.run(fetcher.fetch(url, sink, max_bytes=max_bytes))
    assert refused.value.url == url
    assert str(refused.value) == f"{url}: {refused.value.reason}"
    return refused.value.reason


def check_refusal(fetcher: Fetcher, url: str) -> str:
    with pytest.raises(FetchRefused) as refused:
        asyncio.run(fetcher.check_url(url))
    return refused.value.reason


# --- the address policy, on addresses alone -------------------------------------------------------

DEFAULT = Fetcher(FetchPolicy(), resolve=_no_resolution)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("169.254.169.254", "is a cloud metadata address"),
        ("169.254.170.2", "is a cloud metadata address"),
        ("100.100.100.200", "is a cloud metadata address"),
        ("fd00:ec2::254", "is a cloud metadata address"),
        ("169.254.1.1", "is link-local"),
        ("fe80::1", "is link-local"),
        ("fe80::1%eth0", "is link-local"),
        ("10.0.0.1", "is private"),
        ("172.16.0.1", "is private"),
        ("172.31.255.255", "is private"),
        ("192.168.1.1", "is private"),
        ("fc00::1", "is private"),
        ("fd12:3456::1", "is private"),
        ("100.64.0.1", "is private (CGNAT)"),
        ("0.0.0.0", "is unspecified"),
        ("::", "is unspecified"),
        ("224.0.0.1", "is multicast"),
        ("ff02::1", "is multicast"),
        ("255.255.255.255", "is broadcast"),
        ("240.0.0.1", "is reserved"),
        ("0.1.2.3", "is reserved"),
        ("192.0.2.1", "is reserved"),
        ("198.18.0.1", "is reserved"),
        ("2001:db8::1", "is reserved"),
        ("fec0::1", "is reserved"),
        ("::a00:1", "is reserved"),  # IPv4-compatible (deprecated)
        ("::ffff:10.0.0.1", "maps to 10.0.0.1, which is private"),
        ("::ffff:169.254.169.254", "maps to 169.254.169.254, which is a cloud metadata address"),
        ("::ffff:0.0.0.0", "maps to 0.0.0.0, which is unspecified"),
        ("64:ff9b::a9fe:a9fe", "maps to 169.254.169.254, which is a cloud metadata address"),
        ("64:ff9b::7f00:1", "maps to 127.0.0.1, which is loopback"),
        ("2002:a00:1::", "maps to 10.0.0.1, which is private"),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "maps to 10.0.0.1, which is private"),
        ("8.8.8.8", "is public and files.test not in the allow list"),
        ("2606:4700::1111", "is public and files.test not in the allow list"),
        ("64:ff9b::808:808", "is public and files.test not in the allow list"),
    ],
)
def test_default_policy_refuses(address: str, refused: str) -> None:
    assert DEFAULT.address_refusal("files.test", address) == f"the address {address} {refused}"


def test_a_resolver_answer_that_is_no_address_is_refused() -> None:
    assert DEFAULT.address_refusal("files.test", "files") == "the resolver answered 'files', which is not an IP address"


@pytest.mark.parametrize("address", ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"])
def test_default_policy_admits_loopback(address: str) -> None:
    assert DEFAULT.address_refusal("files.test", address) is None


def test_loopback_can_be_refused_too() -> None:
    fetcher = Fetcher(FetchPolicy(allow_loopback=False))
    assert fetcher.address_refusal("files.test", "127.0.0.1") == "the address 127.0.0.1 is loopback"
    assert fetcher.address_refusal("files.test", "::ffff:127.0.0.1") == (
        "the address ::ffff:127.0.0.1 maps to 127.0.0.1, which is loopback"
    )


def test_an_ip_literal_public_address_is_named_once() -> None:
    assert DEFAULT.address_refusal("8.8.8.8", "8.8.8.8") == "the address 8.8.8.8 is public and not in the allow list"


PRIVATE = "is private"
METADATA = "is a cloud metadata address"


@pytest.mark.parametrize(
    ("policy", "host", "address", "refused"),
    [
        # an allow-listed name may resolve to any unicast address but link-local and metadata
        (FetchPolicy(allow_hosts=("files",)), "files", "172.18.0.5", None),
        (FetchPolicy(allow_hosts=("files",)), "FILES.", "100.64.0.1", None),
        (FetchPolicy(allow_hosts=("files",)), "files", "8.8.8.8", None),
        (FetchPolicy(allow_hosts=("files",)), "files", "192.0.2.1", None),
        (FetchPolicy(allow_hosts=("files",)), "files", "::ffff:10.0.0.1", None),
        (FetchPolicy(allow_hosts=("files",), allow_loopback=False), "files", "127.0.0.1", None),
        (FetchPolicy(allow_hosts=("Docs.Corp.Test",)), "docs.corp.test", "fd12::1", None),
        (FetchPolicy(allow_hosts=("files",)), "files", "169.254.169.254", METADATA),
        (FetchPolicy(allow_hosts=("files",)), "files", "fd00:ec2::254", METADATA),
        (FetchPolicy(allow_hosts=("files",)), "files", "fe80::1", "is link-local"),
        (FetchPolicy(allow_hosts=("files",)), "files", "0.0.0.0", "is unspecified"),
        (FetchPolicy(allow_hosts=("files",)), "files", "224.0.0.1", "is multicast"),
        (FetchPolicy(allow_hosts=("files",)), "files", "2002:a00:1::", "maps to 10.0.0.1, which is private"),
        (FetchPolicy(allow_hosts=("files",)), "other", "172.18.0.5", PRIVATE),
        (FetchPolicy(allow_hosts=("files",)), "files.other", "172.18.0.5", PRIVATE),
        # a wildcard matches subdomains at any depth, not the domain itself
        (FetchPolicy(allow_hosts=("*.corp.test",)), "a.corp.test", "10.0.0.1", None),
        (FetchPolicy(allow_hosts=("*.corp.test",)), "a.b.CORP.test", "10.0.0.1", None),
        (FetchPolicy(allow_hosts=("*.corp.test",)), "corp.test", "10.0.0.1", PRIVATE),
        (FetchPolicy(allow_hosts=("*.corp.test",)), "xcorp.test", "10.0.0.1", PRIVATE),
        # a network admits the addresses inside it, whatever the host; never link-local ones
        (FetchPolicy(allow_hosts=("10.1.0.0/16",)), "any.test", "10.1.2.3", None),
        (FetchPolicy(allow_hosts=("10.1.0.0/16",)), "any.test", "::ffff:10.1.2.3", None),
        (FetchPolicy(allow_hosts=("10.1.0.0/16",)), "any.test", "10.2.0.1", PRIVATE),
        (FetchPolicy(allow_hosts=("fd00:1::/32",)), "any.test", "fd00:1:2::3", None),
        (FetchPolicy(allow_hosts=("203.0.113.7",)), "203.0.113.7", "203.0.113.7", None),
        (FetchPolicy(allow_hosts=("203.0.113.7",)), "any.test", "203.0.113.8", "is reserved"),
        (FetchPolicy(allow_hosts=("[::1]",), allow_loopback=False), "any.test", "::1", None),
        (FetchPolicy(allow_hosts=("169.254.0.0/16",)), "any.test", "169.254.1.1", "is link-local"),
        # allow_private: private ranges for every host, and nothing else
        (FetchPolicy(allow_private=True), "any.test", "10.0.0.1", None),
        (FetchPolicy(allow_private=True), "any.test", "172.20.0.2", None),
        (FetchPolicy(allow_private=True), "any.test", "100.64.0.1", None),
        (FetchPolicy(allow_private=True), "any.test", "fd12::1", None),
        (FetchPolicy(allow_private=True), "any.test", "::ffff:192.168.0.1", None),
        (FetchPolicy(allow_private=True), "any.test", "169.254.169.254", METADATA),
        (FetchPolicy(allow_private=True), "any.test", "8.8.8.8", "is public and any.test not in the allow list"),
        (FetchPolicy(allow_private=True), "any.test", "198.18.0.1", "is reserved"),
        # allow_link_local: link-local and metadata addresses then count as private
        (FetchPolicy(allow_hosts=("meta.test",), allow_link_local=True), "meta.test", "169.254.169.254", None),
        (FetchPolicy(allow_hosts=("meta.test",), allow_link_local=True), "meta.test", "fe80::1", None),
        (FetchPolicy(allow_hosts=("meta.test",), allow_link_local=True), "other.test", "169.254.169.254", METADATA),
        (FetchPolicy(allow_private=True, allow_link_local=True), "other.test", "169.254.1.1", None),
        (FetchPolicy(allow_private=True, allow_link_local=True), "other.test", "0.0.0.0", "is unspecified"),
    ],
)
def test_what_the_settings_admit(policy: FetchPolicy, host: str, address: str, refused: str | None) -> None:
    expected = None if refused is None else f"the address {address} {refused}"
    assert Fetcher(policy).address_refusal(host, address) == expected


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("10.1.2.3/16", "allow_hosts[0] '10.1.2.3/16' is not a CIDR network (10.1.2.3/16 has host bits set)"),
        ("files:8080", "allow_hosts[0] 'files:8080' is not a hostname, *.suffix, IP address or network"),
        ("http://files", "allow_hosts[0] 'http://files' is not a hostname, *.suffix, IP address or network"),
        (
            "10.0.0.0/33",
            "allow_hosts[0] '10.0.0.0/33' is not a CIDR network"
            " ('10.0.0.0/33' does not appear to be an IPv4 or IPv6 network)",
        ),
        ("", "allow_hosts[0] '' is not a hostname, *.suffix, IP address or network"),
        ("*.", "allow_hosts[0] '*.' is not a hostname, *.suffix, IP address or network"),
        ("a b", "allow_hosts[0] 'a b' is not a hostname, *.suffix, IP address or network"),
    ],
)
def test_a_malformed_allow_list_entry_is_a_value_error(entry: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        FetchPolicy(allow_hosts=(entry,))
    assert str(error.value) == message


def test_malformed_limits_are_value_errors() -> None:
    with pytest.raises(ValueError, match=r"^total_timeout must be positive, not 0$"):
        FetchPolicy(total_timeout=0)
    with pytest.raises(ValueError, match=r"^connect_timeout must be positive, not -1$"):
        FetchPolicy(connect_timeout=-1)
    with pytest.raises(ValueError, match=r"^max_redirects must not be negative, not -1$"):
        FetchPolicy(max_redirects=-1)


# --- URLs and resolution, no connection -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://files.test/cv.pdf", "the scheme ftp is not allowed"),
        ("file:///etc/passwd", "the scheme file is not allowed"),
        ("gopher://files.test:70/_", "the scheme gopher is not allowed"),
        ("data:text/plain,hello", "the scheme data is not allowed"),
        ("files.test/cv.pdf", "the URL has no scheme"),
        ("//files.test/cv.pdf", "the URL has no scheme"),
        ("http://user:pw@files.test/cv.pdf", "the URL contains credentials"),
        ("http://user@127.0.0.1/cv.pdf", "the URL contains credentials"),
        ("http:///cv.pdf", "the URL has no host"),
        ("http://[::1/cv.pdf", "the URL is not valid"),
        ("http://nowhere.invalid/cv.pdf", "the host does not resolve"),
        ("http://empty.test/cv.pdf", "the host does not resolve"),
        ("http://internal.test/cv.pdf", "the address 10.0.0.1 is private"),
        ("http://mixed.test/cv.pdf", "the address 169.254.169.254 is a cloud metadata address"),
        (
            "http://[::ffff:169.254.169.254]/latest",
            "the address ::ffff:169.254.169.254 maps to 169.254.169.254, which is a cloud metadata address",
        ),
        ("http://0.0.0.0:8000/", "the address 0.0.0.0 is unspecified"),
        ("http://127.0.0.1:0/cv.pdf", "the port 0 is not valid"),  # was checked as port 80, then connected to 0
        ("http://127.0.0.1:99999/cv.pdf", "the port 99999 is not valid"),  # was "connection refused"
    ],
)
def test_a_refused_url_makes_no_connection(url: str, reason: str, connections: list[tuple[str, int]]) -> None:
    resolve = names({"internal.test": ["10.0.0.1"], "mixed.test": ["127.0.0.1", "169.254.169.254"], "empty.test": []})
    fetcher = Fetcher(FetchPolicy(), resolve=resolve)
    assert check_refusal(fetcher, url) == reason
    assert refusal(fetcher, url) == reason
    assert connections == []


def test_check_url_resolves_once_and_keeps_distinct_addresses_in_order() -> None:
    asked: list[tuple[str, int]] = []

    async def resolve(host: str, port: int) -> Sequence[str]:
        asked.append((host, port))
        return ["127.0.0.1", "::1", "127.0.0.1"]

    fetcher = Fetcher(FetchPolicy(), resolve=resolve)
    destination = asyncio.run(fetcher.check_url("HTTP://Files.Test:8080/cv.pdf?v=1"))
    assert destination == Destination("http://files.test:8080/cv.pdf?v=1", "files.test", 8080, ("127.0.0.1", "::1"))
    asyncio.run(fetcher.check_url("https://files.test/cv.pdf"))
    assert asked == [("files.test", 8080), ("files.test", 443)]


def test_an_ip_literal_is_not_resolved() -> None:
    destination = asyncio.run(DEFAULT.check_url("http://[::1]:9/x"))
    assert destination == Destination("http://[::1]:9/x", "::1", 9, ("::1",))


def test_the_default_resolver_reads_localhost(server: ScriptedServer) -> None:
    server.route("/cv.pdf", answer(200, b"hello world"))
    fetched, body = fetch(Fetcher(FetchPolicy()), server.url("/cv.pdf", host="localhost"))
    assert (fetched.status, body) == (200, b"hello world")


# --- real fetches from 127.0.0.1 --------------------------------------------------------------------


def test_a_fetch_reports_what_the_vendor_needs(server: ScriptedServer, connections: list[tuple[str, int]]) -> None:
    headers = {"Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="cv.pdf"'}
    server.route("/cv.pdf", answer(200, b"hello world", headers))
    fetcher = Fetcher(FetchPolicy(), resolve=names({"files.test": ["127.0.0.1"]}))
    url = server.url("/cv.pdf?version=2", host="files.test")
    fetched, body = fetch(fetcher, url)
    assert fetched == Fetched(url, url, 200, "application/pdf", 11, "cv.pdf", HELLO_SHA256)
    assert body == b"hello world"
    # connected to the checked address, not to the name; the request still names the host
    assert connections == [("127.0.0.1", server.port)]
    [request] = server.requests
    assert request.path == "/cv.pdf?version=2"
    assert request.headers["host"] == f"files.test:{server.port}"
    assert request.headers["accept-encoding"] == "identity"


def test_an_async_sink_receives_the_body(server: ScriptedServer) -> None:
    server.route("/cv.pdf", stream(b"x" * 1000, 5))
    received: list[bytes] = []

    async def sink(chunk: bytes) -> None:
        await asyncio.sleep(0)
        received.append(chunk)

    fetched = asyncio.run(DEFAULT.fetch(server.url("/cv.pdf"), sink, max_bytes=5000))
    assert (fetched.size, fetched.content_type, fetched.filename) == (5000, None, None)
    assert b"".join(received) == b"x" * 5000
    assert fetched.sha256 == "c59d3c0480cc2d71d8f646e735e92da65450311eec46e81a5db8c7e6e8a92054"  # sha256(b"x" * 5000)


@pytest.mark.parametrize(
    ("disposition", "filename"),
    [
        ("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf", "résumé.pdf"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="C:\\\\temp\\\\cv.pdf"', "cv.pdf"),
        ('attachment; filename=".."', None),
        ("inline", None),
    ],
)
def test_the_filename_comes_from_content_disposition_without_directories(
    server: ScriptedServer, disposition: str, filename: str | None
) -> None:
    server.route("/f", answer(200, b"hello world", {"Content-Disposition": disposition}))
    fetched, _ = fetch(DEFAULT, server.url("/f"))
    assert fetched.filename == filename


def test_a_connection_goes_to_the_next_checked_address_when_one_refuses(
    server: ScriptedServer, connections: list[tuple[str, int]]
) -> None:
    server.route("/cv.pdf", answer(200, b"hello world"))
    fetcher = Fetcher(FetchPolicy(), resolve=names({"files.test": ["::1", "127.0.0.1"]}))
    fetched, body = fetch(fetcher, server.url("/cv.pdf", host="files.test"))
    assert (fetched.status, body) == (200, b"hello world")
    assert connections == [("::1", server.port), ("127.0.0.1", server.port)]


def test_proxies_from_the_environment_are_ignored(server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://proxy.invalid:3128")
    server.route("/cv.pdf", answer(200, b"hello world"))
    assert fetch(DEFAULT, server.url("/cv.pdf"))[1] == b"hello world"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_followed(server: ScriptedServer, status: int) -> None:
    server.route("/old", redirect(server.url("/cv.pdf"), status))
    server.route("/cv.pdf", answer(200, b"hello world", {"Content-Type": "application/pdf"}))
    fetched, body = fetch(DEFAULT, server.url("/old"))
    assert (fetched.url, fetched.final_url, body) == (server.url("/old"), server.url("/cv.pdf"), b"hello world")


def test_a_relative_location_is_resolved_against_the_hop(server: ScriptedServer) -> None:
    server.route("/a/b/old", redirect("../files/cv.pdf?x=1"))
    server.route("/a/files/cv.pdf", answer(200, b"hello world"))
    fetched, _ = fetch(DEFAULT, server.url("/a/b/old"))
    assert fetched.final_url == server.url("/a/files/cv.pdf?x=1")


def test_three_redirects_are_followed_and_a_fourth_is_refused(server: ScriptedServer) -> None:
    for hop in range(4):
        server.route(f"/{hop}", redirect(f"/{hop + 1}"))
    server.route("/4", answer(200, b"hello world"))
    assert fetch(DEFAULT, server.url("/1"))[0].final_url == server.url("/4")
    assert refusal(DEFAULT, server.url("/0")) == "more than 3 redirects"
    assert [r.path for r in server.requests] == ["/1", "/2", "/3", "/4", "/0", "/1", "/2", "/3"]
    assert refusal(Fetcher(FetchPolicy(max_redirects=0)), server.url("/3")) == "more than 0 redirects"


def test_a_redirect_is_checked_like_the_url_before_any_connection(
    server: ScriptedServer, connections: list[tuple[str, int]]
) -> None:
    server.route("/internal", redirect("http://internal.test/secret"))
    server.route("/file", redirect("file:///etc/passwd"))
    server.route("/metadata", redirect("http://[::ffff:169.254.169.254]/latest/meta-data/"))
    fetcher = Fetcher(FetchPolicy(), resolve=names({"internal.test": ["10.0.0.1"]}))
    assert refusal(fetcher, server.url("/internal")) == (
        "redirected to http://internal.test/secret: the address 10.0.0.1 is private"
    )
    assert refusal(fetcher, server.url("/file")) == "redirected to file:/etc/passwd: the scheme file is not allowed"
    assert refusal(fetcher, server.url("/metadata")) == (
        "redirected to http://[::ffff:169.254.169.254]/latest/meta-data/: the address ::ffff:169.254.169.254"
        " maps to 169.254.169.254, which is a cloud metadata address"
    )
    assert connections == [("127.0.0.1", server.port)] * 3


def test_a_redirect_without_location_is_refused(server: ScriptedServer) -> None:
    server.route("/old", answer(302))
    assert refusal(DEFAULT, server.url("/old")) == "the server answered 302 without a Location"


@pytest.mark.parametrize("status", [404, 500, 304, 100])
def test_a_final_status_other_than_2xx_is_refused(server: ScriptedServer, status: int) -> None:
    server.route("/cv.pdf", answer(status, b"") if status >= 200 else raw(b"HTTP/1.1 100 Continue\r\n\r\n"))
    reason = refusal(DEFAULT, server.url("/cv.pdf"))
    if status == 100:  # an interim answer and then nothing is no answer
        assert reason == "the server closed the connection without answering"
    else:
        assert reason == f"the server answered {status}"


def test_an_answer_that_is_not_http_is_refused(server: ScriptedServer) -> None:
    server.route("/closed", raw(b""))
    server.route("/garbage", raw(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"))
    assert refusal(DEFAULT, server.url("/closed")) == "the server closed the connection without answering"
    assert refusal(DEFAULT, server.url("/garbage")) == "the server's answer is not valid HTTP"


def test_a_compressed_body_is_refused(server: ScriptedServer) -> None:
    server.route("/cv.pdf", answer(200, b"\x1f\x8b", {"Content-Encoding": "gzip"}))
    assert refusal(DEFAULT, server.url("/cv.pdf")) == "the body is gzip-encoded (asked for identity)"


def test_a_closed_port_is_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert refusal(DEFAULT, f"http://127.0.0.1:{port}/cv.pdf") == "connection refused"


def test_a_body_cut_short_is_refused(server: ScriptedServer) -> None:
    server.route("/cut", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100))
    server.route("/chunks", raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"))
    assert refusal(DEFAULT, server.url("/cut")) == "the connection closed before the body was complete"
    assert refusal(DEFAULT, server.url("/chunks")) == "the connection closed before the body was complete"


# --- timeouts ---------------------------------------------------------------------------------------

QUICK = Fetcher(FetchPolicy(total_timeout=0.3), resolve=_no_resolution)


@pytest.mark.parametrize(
    "answered",
    [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nxx"],
    ids=["no headers", "headers only", "part of the body"],
)
def test_a_stalled_server_is_a_timeout(server: ScriptedServer, answered: bytes) -> None:
    server.route("/slow", raw(answered, stall=server.release))
    started = time.monotonic()
    assert refusal(QUICK, server.url("/slow")) == "timed out after 0.3 s"
    assert 0.3 <= time.monotonic() - started < 2.0


def test_a_callers_shorter_timeout_cuts_the_fetch_short_as_a_timeout(server: ScriptedServer) -> None:
    """``timeout`` (what is left of the caller's ``request_timeout``) wins when shorter than ``total_timeout``."""
    server.route("/slow", raw(b"", stall=server.release))
    fetcher = Fetcher(FetchPolicy(total_timeout=30), resolve=_no_resolution)
    with pytest.raises(FetchTimedOut) as refused:
        asyncio.run(fetcher.fetch(server.url("/slow"), lambda chunk: None, max_bytes=10, timeout=0.2))
    assert refused.value.reason == "timed out after 0.2 s"
    with pytest.raises(FetchTimedOut) as spent:
        asyncio.run(fetcher.fetch(server.url("/slow"), lambda chunk: None, max_bytes=10, timeout=0))
    assert spent.value.reason == "no time was left to fetch it"
    assert len(server.requests) == 1  # the spent one never connected


def test_request_timeout_must_be_positive() -> None:
    assert FetchPolicy().request_timeout == 60
    with pytest.raises(ValueError, match=r"^request_timeout must be positive, not 0$"):
        FetchPolicy(request_timeout=0)


def test_a_redirect_chain_shares_one_total_timeout(server: ScriptedServer) -> None:
    server.route("/old", redirect("/slow"))
    server.route("/slow", raw(b"", stall=server.release))
    assert refusal(QUICK, server.url("/old")) == "timed out after 0.3 s"


def test_a_connect_that_gets_no_answer_is_a_connect_timeout() -> None:
    # A listener that never accepts, its backlog filled: Linux drops further SYNs, so a connect hangs.
    with socket.socket() as listener, contextlib.ExitStack() as queued:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        for _ in range(16):
            sock = queued.enter_context(socket.socket())
            sock.settimeout(0.1)
            try:
                sock.connect(listener.getsockname())
            except TimeoutError:
                break
        else:
            pytest.fail("the listen backlog never filled")
        fetcher = Fetcher(FetchPolicy(connect_timeout=0.2, total_timeout=2))
        port = listener.getsockname()[1]
        assert refusal(fetcher, f"http://127.0.0.1:{port}/cv.pdf") == "could not connect within 0.2 s"


# --- the size cap and bounded memory ----------------------------------------------------------------


def test_a_content_length_above_the_cap_is_refused_before_the_body(server: ScriptedServer) -> None:
    # the body never comes: refusing on the header is the only way not to time out
    server.route("/big", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n", stall=server.release))
    received: list[bytes] = []
    fetcher = Fetcher(FetchPolicy(total_timeout=5))
    assert refusal(fetcher, server.url("/big"), max_bytes=1000, received=received) == "larger than 1000 bytes"
    assert received == []


def test_a_body_of_exactly_the_cap_is_fetched(server: ScriptedServer) -> None:
    server.route("/exact", stream(b"x" * 250, 4))
    server.route("/exact-length", answer(200, b"y" * 1000))
    assert fetch(DEFAULT, server.url("/exact"), max_bytes=1000)[0].size == 1000
    assert fetch(DEFAULT, server.url("/exact-length"), max_bytes=1000)[0].size == 1000
    assert refusal(DEFAULT, server.url("/exact"), max_bytes=999) == "larger than 999 bytes"
    assert refusal(DEFAULT, server.url("/exact-length"), max_bytes=999) == "larger than 999 bytes"


def test_an_endless_body_is_cut_at_the_cap_and_the_sink_never_gets_more(server: ScriptedServer) -> None:
    server.route("/endless", stream(b"z" * 4096, None))
    received: list[bytes] = []
    assert refusal(DEFAULT, server.url("/endless"), max_bytes=100_000, received=received) == "larger than 100000 bytes"
    assert 0 < sum(map(len, received)) <= 100_000
    assert set(b"".join(received)) == {ord("z")}


def test_a_large_body_streams_through_in_bounded_memory(server: ScriptedServer) -> None:
    size = 50 * 1024 * 1024
    block = b"m" * (1024 * 1024)
    server.route("/large", stream(block, 50, {"Content-Length": str(size)}))
    total = 0

    def count(chunk: bytes) -> None:
        nonlocal total
        total += len(chunk)

    tracemalloc.start()
    try:
        fetched = asyncio.run(DEFAULT.fetch(server.url("/large"), count, max_bytes=size))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (fetched.size, total) == (size, size)
    assert peak < 4 * 1024 * 1024, f"peak traced memory {peak} bytes"


# --- https --------------------------------------------------------------------------------------------


@pytest.fixture
def tls_server(certificates: Certificates) -> Iterator[ScriptedServer]:
    yield from running_server(certificates.server_context())


def test_https_connects_to_the_checked_address_with_the_hostname_as_sni(
    tls_server: ScriptedServer, certificates: Certificates, connections: list[tuple[str, int]]
) -> None:
    tls_server.route("/cv.pdf", answer(200, b"hello world", {"Content-Type": "application/pdf"}))
    fetcher = Fetcher(FetchPolicy(ca_file=str(certificates.ca_file)), resolve=names({"files.test": ["127.0.0.1"]}))
    fetched, body = fetch(fetcher, tls_server.url("/cv.pdf", host="files.test", scheme="https"))
    assert (fetched.status, fetched.sha256, body) == (200, HELLO_SHA256, b"hello world")
    assert connections == [("127.0.0.1", tls_server.port)]
    assert tls_server.server_names == ["files.test"]
    assert tls_server.requests[0].headers["host"] == f"files.test:{tls_server.port}"


def test_https_verifies_the_certificate_against_the_url_host(
    tls_server: ScriptedServer, certificates: Certificates
) -> None:
    tls_server.route("/cv.pdf", answer(200, b"hello world"))
    resolve = names({"files.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    trusting = Fetcher(FetchPolicy(ca_file=str(certificates.ca_file)), resolve=resolve)
    assert refusal(trusting, tls_server.url("/cv.pdf", host="other.test", scheme="https")) == (
        "the TLS certificate is not valid for other.test"
    )
    assert refusal(trusting, tls_server.url("/cv.pdf", scheme="https")) == (
        "the TLS certificate is not valid for 127.0.0.1"
    )
    untrusting = Fetcher(FetchPolicy(), resolve=resolve)
    assert refusal(untrusting, tls_server.url("/cv.pdf", host="files.test", scheme="https")) == (
        "the TLS certificate is not trusted (unable to get local issuer certificate)"
    )
    assert tls_server.requests == []


def test_https_to_a_plain_http_server_is_a_failed_handshake(server: ScriptedServer) -> None:
    server.route("/cv.pdf", answer(200, b"hello world"))
    assert refusal(DEFAULT, server.url("/cv.pdf", scheme="https")) == "the TLS handshake failed"


def test_an_unreadable_ca_file_is_a_refusal(tmp_path: Path) -> None:
    fetcher = Fetcher(FetchPolicy(ca_file=str(tmp_path / "missing.pem")))
    reason = refusal(fetcher, "https://127.0.0.1:9/cv.pdf")
    assert reason == f"the CA file {tmp_path / 'missing.pem'} cannot be read ([Errno 2] No such file or directory)"


# --- cost -----------------------------------------------------------------------------------------------


def test_importing_the_fetcher_does_not_import_httpx() -> None:
    code = "import sys, mockservers.core.fetch; print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout == "False\n"
