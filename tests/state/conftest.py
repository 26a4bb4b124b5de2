"""Fixtures for the persistence tests: a ``Restarts`` on a fresh state directory, and a local file server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from state_support import Restarts

from tests.core.fetch_support import ScriptedServer, running_server


@pytest.fixture
def restarts(tmp_path: Path) -> Iterator[Restarts]:
    """An in-process app on ``tmp_path / "state"``, restartable; stopped after the test."""
    r = Restarts(tmp_path / "state")
    yield r
    r.stop()


@pytest.fixture
def files() -> Iterator[ScriptedServer]:
    """A file server on 127.0.0.1 (``files.route(path, handler)``) for the vendors that fetch a URL they are given."""
    yield from running_server()
