"""Fixtures for the platform tests: the ``echo`` vendor (``echo_vendor.py``) mounted in-process or live.

The app is built by ``mockservers.app.create_app``, given the echo vendor through the public
``vendors=`` argument instead of the registry, so the wiring under test is the real one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from echo_vendor import ECHO, EchoVendor

from mockservers.config import Settings
from mockservers.core.logs import LOGGER
from mockservers.testing import AdminClient, in_process_client, make_app


@pytest.fixture(autouse=True)
def _request_logger_restored() -> Iterator[None]:
    """``atsmock serve`` points the request logger at the stderr of its moment and stops it
    propagating (``core.logs.configure``); each test gets back the logger it started with, so a
    CLI test cannot decide what a later test's ``caplog`` sees."""
    logger = logging.getLogger(LOGGER)
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


@pytest.fixture
def make_echo_app() -> Callable[..., Any]:
    """Build an in-process app whose only vendor is ``echo``; keyword arguments change server settings."""

    def build(**server: Any) -> Any:
        return make_app(Settings(registry=[ECHO]).with_server(**server), vendors=[ECHO])

    return build


@pytest.fixture
def echo_app(make_echo_app: Callable[..., Any]) -> Any:
    return make_echo_app()


@pytest.fixture
def echo_vendor(echo_app: Any) -> EchoVendor:
    """The state behind ``echo_app``'s echo mount (reset count, readiness)."""
    state = echo_app.platform.vendors["echo"].reset.__self__
    assert isinstance(state, EchoVendor)
    return state


@pytest.fixture
def echo_client(echo_app: Any) -> Iterator[httpx.Client]:
    with in_process_client(echo_app) as c:
        yield c


@pytest.fixture
def echo_admin(echo_client: httpx.Client) -> AdminClient:
    return AdminClient(echo_client)


@pytest.fixture(scope="session")
def echo_live_server() -> Iterator[Any]:
    """A live server whose only vendor is ``echo``."""
    from mockservers.server import LiveServer

    with LiveServer(vendors=[ECHO]) as server:
        yield server


@pytest.fixture
def echo_live(echo_live_server: Any) -> Any:
    echo_live_server.platform.reset()
    return echo_live_server
