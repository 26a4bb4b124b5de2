"""Every reference client retries only transport failures another attempt can get past.

A timeout, a refused or reset connection, a server that hung up: retried (when the call is safe to
repeat). A URL whose scheme is not http(s) (``UnsupportedProtocol``), a request httpx itself finds
malformed (``LocalProtocolError``) or a proxy that refused the tunnel (``ProxyError``) fails the same
way every time: raised at once, after one attempt and no wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from client._http import RetryPolicy, transient
from client.ashby import AshbyClient
from client.clinch import ClinchClient
from client.endorsed import EndorsedClient
from client.errors import TransportError
from client.pageup import PageUpClient
from client.wttj import WttjClient

ATTEMPTS = 3


def error(kind: type[httpx.TransportError], message: str) -> Callable[[httpx.Request], httpx.TransportError]:
    """A maker of the failure httpx raises for ``request``, named after its class."""

    def make(request: httpx.Request) -> httpx.TransportError:
        return kind(message, request=request)

    make.__name__ = kind.__name__
    return make


unsupported = error(httpx.UnsupportedProtocol, "Request URL has an unsupported protocol 'htps://'.")
local_protocol = error(httpx.LocalProtocolError, "Illegal header value b' t'")
proxy = error(httpx.ProxyError, "407 Proxy Authentication Required")
connect = error(httpx.ConnectError, "[Errno 111] Connection refused")
read_timeout = error(httpx.ReadTimeout, "The read operation timed out")
hung_up = error(httpx.RemoteProtocolError, "Server disconnected without sending a response.")

PERMANENT = [unsupported, local_protocol, proxy]
TRANSIENT = [connect, read_timeout, hung_up]

# Each client's first request of an idempotent read (a token request first where the vendor has one).
READS: dict[str, tuple[Callable[[httpx.Client, RetryPolicy], Any], str]] = {
    "pageup": (
        lambda http, policy: PageUpClient(http, "cid", "secret", tenant="218", policy=policy).document(8621),
        "POST https://api.test/connect/token",
    ),
    "ashby": (
        lambda http, policy: AshbyClient(http, "key", policy=policy).candidate("c1"),
        "POST https://api.test/candidate.info",
    ),
    "wttj": (
        lambda http, policy: WttjClient(http, "token", policy=policy).candidate("ref"),
        "GET https://api.test/candidates/ref",
    ),
    "clinch": (
        lambda http, policy: ClinchClient(http, "id", "secret", policy=policy).candidate("1"),
        "GET https://api.test/candidates/1",
    ),
    "endorsed": (
        lambda http, policy: EndorsedClient(http, "cid", "secret", policy=policy).candidate("remote.x"),
        "GET https://api.test/api/v1/candidates/remote.x",  # the token request is part of its auth flow
    ),
}


def failing(fail: Callable[[httpx.Request], httpx.TransportError]) -> tuple[httpx.Client, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise fail(request)

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="https://api.test"), sent


@pytest.mark.parametrize("vendor", READS)
@pytest.mark.parametrize(
    ("fail", "attempts"),
    [*((f, 1) for f in PERMANENT), *((f, ATTEMPTS) for f in TRANSIENT)],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_only_a_transient_failure_is_retried_up_to_the_attempts(
    vendor: str, fail: Callable[[httpx.Request], httpx.TransportError], attempts: int
) -> None:
    """A permanent failure is raised after one attempt and no wait; a transient one after every attempt."""
    read, first = READS[vendor]
    http, sent = failing(fail)
    sleeps: list[float] = []
    with pytest.raises(TransportError) as raised:
        read(http, RetryPolicy(attempts=ATTEMPTS, base_delay=0.1, sleep=sleeps.append))
    assert str(raised.value) == f"{first}: {fail(sent[0])}"
    assert (len(sent), len(sleeps)) == (attempts, attempts - 1)


DOCUMENT = {"id": "8621", "url": "htps://s3.test/pageup/218/abc.txt?X-Amz-Signature=s"}


@pytest.mark.parametrize(("fail", "attempts"), [(unsupported, 1), (local_protocol, 1), (connect, ATTEMPTS)])
def test_pageups_streamed_download_retries_only_transient_failures(
    fail: Callable[[httpx.Request], httpx.TransportError], attempts: int
) -> None:
    """PageUp's download streams the presigned GET outside ``exchange``: the same rule applies there."""
    storage: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/connect/token":
            return httpx.Response(200, json={"access_token": "t1", "expires_in": 300})
        if request.url.host == "api.test":
            return httpx.Response(200, json=DOCUMENT)
        storage.append(request)
        raise fail(request)

    api = httpx.Client(transport=httpx.MockTransport(handler), base_url="https://api.test")
    sleeps: list[float] = []
    pageup = PageUpClient(
        api, "cid", "secret", tenant="218", policy=RetryPolicy(attempts=ATTEMPTS, sleep=sleeps.append)
    )
    with pytest.raises(TransportError) as raised:
        pageup.download(8621)
    assert str(raised.value) == f"GET htps://s3.test/pageup/218/abc.txt: {fail(storage[0])}"
    assert (len(storage), len(sleeps)) == (attempts, attempts - 1)


def test_only_timeouts_network_errors_and_a_dropped_connection_are_transient() -> None:
    request = httpx.Request("GET", "https://api.test/")
    assert [transient(f(request)) for f in (*TRANSIENT, *PERMANENT)] == [True, True, True, False, False, False]
    assert transient(httpx.PoolTimeout("no connection free", request=request)) is True
    assert transient(httpx.WriteError("broken pipe", request=request)) is True
