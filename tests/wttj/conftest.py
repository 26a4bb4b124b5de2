"""Fixtures for the WTTJ tests: in-process apps whose fetcher resolves only the names a test gives it,
scripted file servers on 127.0.0.1, and a guard that fails any test whose fetcher connects beyond loopback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))  # fetch_support, shared with the fetcher tests
pytest.register_assert_rewrite("wttj_support")

from fetch_support import ScriptedServer, guard_connections, running_server  # noqa: E402
from wttj_support import Wttj, app_with  # noqa: E402


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every TCP connect a fetch made; the test fails at once if one is not to loopback."""
    return guard_connections(monkeypatch)


@pytest.fixture
def files() -> Iterator[ScriptedServer]:
    """A file server on 127.0.0.1 (``files.test`` resolves to it): ``files.route(path, handler)``."""
    yield from running_server()


@pytest.fixture
def make_wttj() -> Callable[..., Any]:
    """``make_wttj(fetch=FetchPolicy(...), wttj=WttjSettings(...), server=...)``: a fresh app resolving ``NAMES``."""
    return app_with


@pytest.fixture
def app() -> Any:
    """The root conftest's ``client`` and ``admin`` call this app: one that resolves ``NAMES`` only."""
    return app_with()


@pytest.fixture
def wttj(client: httpx.Client) -> Wttj:
    return Wttj(client)
