"""pytest fixtures over ``mockservers.testing``: ``atsmock_app``, ``atsmock_client``, ``atsmock_server``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


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
def atsmock_server() -> Iterator[Any]:
    """A live server on 127.0.0.1 and an ephemeral port, for tests that need the wire."""
    from mockservers.testing import running

    with running() as server:
        yield server
