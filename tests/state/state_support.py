"""``Restarts``: one atsmock state directory, and an in-process app on it that a test can restart.

A vendor's restart test is a few lines (``tests/state/test_restart_pageup.py``)::

    def test_a_document_survives_a_restart(restarts: Restarts) -> None:
        pageup = pageup_client(restarts.http("pageup"))
        document = pageup.upload(DATA, filename="cv.txt", document_category_id=7)
        restarts.restart()
        assert pageup_client(restarts.http("pageup")).download(document["id"]) == DATA

``restart()`` first checks that every record in memory is the one on disk (a model that changed
a record in place and never put it again fails here, naming the table and key), then closes the
app's state (releasing the directory's lock) and builds a new app on the same directory, exactly
as a new process would find it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from mockservers.config import Settings
from mockservers.core.sqlite_state import SqliteState
from mockservers.testing import IN_PROCESS_URL, in_process_client, make_app


class Restarts:
    """An app on ``directory``; ``http(vendor)`` is a client of the current app at the vendor's base URL."""

    def __init__(self, directory: Path, settings: Settings | None = None) -> None:
        self.directory = directory
        self.settings = (settings or Settings()).with_server(state_dir=str(directory))
        self._clients: list[httpx.Client] = []
        self.app: Any = None
        self.start()

    @property
    def platform(self) -> Any:
        return self.app.platform

    @property
    def state(self) -> SqliteState:
        state = self.platform.state
        assert isinstance(state, SqliteState)
        return state

    def start(self) -> None:
        self.app = make_app(self.settings)

    def http(self, vendor: str | None = None) -> httpx.Client:
        """An in-process client of the current app, based at ``vendor``'s URL (the root when None)."""
        base = f"{IN_PROCESS_URL}/{vendor}" if vendor else IN_PROCESS_URL
        client = in_process_client(self.app, base_url=base)
        self._clients.append(client)
        return client

    def restart(self) -> None:
        """Check nothing is unsaved, stop the app, start a new one on the same directory."""
        unsaved = self.state.unsaved()
        assert unsaved == [], f"changed in memory but never put: {', '.join(unsaved)}"
        self.stop()
        self.start()

    def stop(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        if self.app is not None:
            self.app.platform.close()
            self.app = None

    def files(self) -> list[str]:
        """The object files under the state directory, relative to it."""
        root = self.directory / "objects"
        return sorted(str(p.relative_to(self.directory)) for p in root.rglob("*") if p.is_file())

    def rows(self) -> list[tuple[str, str]]:
        """Every (table, key) the database holds."""
        with self.state.lock:
            found = self.state._db.execute("SELECT tbl, key FROM records ORDER BY rowid").fetchall()
        return [(str(t), str(k)) for t, k in found]
