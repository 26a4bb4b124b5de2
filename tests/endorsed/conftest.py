"""Fixtures for the Endorsed tests: the caller, a scripted file server on 127.0.0.1, and a guard that
fails any test whose fetch would connect (or resolve a name) beyond loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from ipaddress import ip_address
from typing import Any

import anyio
import httpx
import pytest
from endorsed_support import Endorsed

from tests.core.fetch_support import ScriptedServer, running_server


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Every TCP connect the fetcher makes; only loopback may be reached, and no name may be resolved."""
    made: list[tuple[str, int]] = []
    connect_tcp = anyio.connect_tcp

    async def recording(remote_host: Any, remote_port: int, **kwargs: Any) -> Any:
        made.append((str(remote_host), remote_port))
        assert ip_address(str(remote_host)).is_loopback, f"the fetcher connected to {remote_host}"
        return await connect_tcp(remote_host, remote_port, **kwargs)

    getaddrinfo = socket.getaddrinfo

    def literal_loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        assert ip_address(name).is_loopback, f"the system resolver was asked for {host!r}"
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(anyio, "connect_tcp", recording)
    monkeypatch.setattr(socket, "getaddrinfo", literal_loopback_only)
    yield made


@pytest.fixture
def endorsed(client: httpx.Client) -> Endorsed:
    return Endorsed(client)


@pytest.fixture
def files() -> Iterator[ScriptedServer]:
    yield from running_server()
