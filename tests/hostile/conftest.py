"""The ``world`` fixture of the hostile corpora (``hostile_world.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hostile_world import make_world


@pytest.fixture(scope="module")
def world(live_server: Any) -> Iterator[dict[str, Any]]:
    """The live server after one demo run per vendor (reset before and after the module)."""
    yield from make_world(live_server)
