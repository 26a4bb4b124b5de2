"""Fixtures for tests/, contracts/ and docs/examples/: a fresh in-process app per test, one live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings

from mockservers.testing import AdminClient, in_process_client, make_app

pytest_plugins = ["pytester"]

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("nightly", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--soak-rounds", type=int, default=2000, help="full flows per vendor in a soak run (-m soak)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Soak runs are long: they run only when the ``-m`` expression asks for ``soak`` itself (``-m soak``,
    ``-m "soak and live"``), not when it merely lets them through (``-m "live or not soak"``). CI never does."""
    expression = config.getoption("markexpr") or ""
    skip = pytest.mark.skip(reason="soak run: select it with -m soak")
    for item in items:
        if item.get_closest_marker("soak") is None:
            continue
        markers = {m.name for m in item.iter_markers()}
        if not expression or not _asks_for_soak(expression, markers):
            item.add_marker(skip)


def _asks_for_soak(expression: str, markers: set[str]) -> bool:
    """Whether ``expression`` holds for these markers but not for the same markers without ``soak``."""
    from _pytest.mark.expression import Expression  # pytest's own -m parser

    compiled = Expression.compile(expression)
    with_soak = compiled.evaluate(lambda name, **_: name in markers)
    without = compiled.evaluate(lambda name, **_: name in markers - {"soak"})
    return bool(with_soak and not without)


@pytest.fixture
def app() -> Any:
    return make_app()


@pytest.fixture
def client(app: Any) -> Iterator[httpx.Client]:
    with in_process_client(app) as c:
        yield c


@pytest.fixture
def admin(client: httpx.Client) -> AdminClient:
    return AdminClient(client)


@pytest.fixture(scope="session")
def live_server(atsmock_live_server: Any) -> Any:
    """One live server for the session (the pytest plugin's); tests that use it reset it first (see ``live``)."""
    return atsmock_live_server


@pytest.fixture
def live(live_server: Any) -> Iterator[Any]:
    """The session's live server, reset to a clean state for this test."""
    live_server.platform.reset()
    yield live_server
