"""pytest fixtures over ``mockservers.testing`` (active wherever atsmock is installed: the ``pytest11`` entry point).

- ``atsmock_app`` / ``atsmock_client`` / ``atsmock_admin``: a fresh in-process app per test, an httpx
  client calling it (no socket, milliseconds) and its admin API.
- ``atsmock_server``: one live server on 127.0.0.1 and an ephemeral port for the whole session
  (``atsmock_live_server``), reset before each test that asks for it; for any HTTP client,
  subprocesses and other languages. ``atsmock_server.url``, ``.vendor_url(name)``,
  ``.credentials(name)``, ``.admin`` (advance the clock, inject a fault, read the journal, reset,
  ``assert_request_made``).
- ``atsmock_<vendor>`` for every served vendor: on that server, its ``base_url`` (the mount), ``api_url``
  (the base URL a connector is configured with) and default ``credentials``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mockservers.core.vendor import Credential
    from mockservers.server import LiveServer


@pytest.fixture
def atsmock_app() -> Any:
    """A fresh in-process app with its own state."""
    from mockservers.testing import make_app

    return make_app()


@pytest.fixture
def atsmock_client(atsmock_app: Any) -> Iterator[Any]:
    """An httpx client calling ``atsmock_app`` in-process."""
    from mockservers.testing import in_process_client

    with in_process_client(atsmock_app) as client:
        yield client


@pytest.fixture
def atsmock_admin(atsmock_client: Any) -> Any:
    """The admin API of ``atsmock_app`` (``mockservers.testing.AdminClient``)."""
    from mockservers.testing import AdminClient

    return AdminClient(atsmock_client)


@pytest.fixture(scope="session")
def atsmock_live_server() -> Iterator[LiveServer]:
    """The session's live server; tests use ``atsmock_server``, which resets it first."""
    from mockservers.testing import running

    with running() as server:
        yield server


@pytest.fixture
def atsmock_server(atsmock_live_server: LiveServer) -> LiveServer:
    """The session's live server, reset (state, clock, journal, faults) for this test."""
    atsmock_live_server.platform.reset()
    return atsmock_live_server


@dataclass(frozen=True)
class VendorEndpoint:
    """One vendor on the live server: where it answers and how to sign in.

    ``base_url`` is the vendor's mount (``<server>/<vendor>``). ``api_url`` is what a connector's "API base
    URL" setting takes, standing for the vendor's documented base: the mount for PageUp (API host root;
    the token URL is ``/connect/token`` below it) and Ashby, ``/api/v1/external`` below it for WTTJ,
    ``/v1`` for Clinch, ``/api/v1`` for Endorsed.
    """

    name: str
    base_url: str
    credentials: list[Credential]
    api_url: str

    @property
    def credential(self) -> Credential:
        """The first (full-access) default credential."""
        return self.credentials[0]


def _vendor_fixture(name: str) -> Callable[..., VendorEndpoint]:
    @pytest.fixture(name=f"atsmock_{name}")
    def endpoint(atsmock_server: LiveServer) -> VendorEndpoint:
        server = atsmock_server
        return VendorEndpoint(name, server.vendor_url(name), server.credentials(name), server.api_url(name))

    endpoint.__doc__ = f"The {name} vendor on the live server: ``base_url``, ``api_url`` and ``credentials``."
    return endpoint


def _register_vendor_fixtures() -> None:
    from mockservers.vendors import served

    for vendor in served():
        globals()[f"_atsmock_{vendor.name}"] = _vendor_fixture(vendor.name)


_register_vendor_fixtures()
