"""Fixtures for the persistence tests: a ``Restarts`` on a fresh state directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from state_support import Restarts


@pytest.fixture
def restarts(tmp_path: Path) -> Iterator[Restarts]:
    """An in-process app on ``tmp_path / "state"``, restartable; stopped after the test."""
    r = Restarts(tmp_path / "state")
    yield r
    r.stop()
