"""Running the app under uvicorn: ``serve`` for the CLI, ``LiveServer`` on port 0 for tests."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType

import uvicorn

from mockservers.app import create_app
from mockservers.config import Settings
from mockservers.core.dispatch import Dispatcher


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket first, so port 0 resolves before URLs are built."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _uvicorn_config(app: Dispatcher) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        lifespan="on",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        server_header=False,
    )


def serve(settings: Settings, announce: Callable[[Dispatcher], None] | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM, then return: either stop is a clean exit (status 0, no traceback)."""
    with bind(settings.server.host, settings.server.port) as sock:
        settings = settings.with_server(port=sock.getsockname()[1])
        app = create_app(settings)
        server = uvicorn.Server(_uvicorn_config(app))
        if announce is not None:
            announce(app)
        # uvicorn shuts down gracefully, then re-raises the signal under the handler it found: the default
        # SIGTERM handler would kill the process (status -15), SIGINT's raises KeyboardInterrupt.
        signal.signal(signal.SIGTERM, _stopped)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass


def _stopped(signum: int, frame: FrameType | None) -> None:
    """SIGTERM after uvicorn has already shut down: nothing left to do."""


class LiveServer:
    """The whole app on 127.0.0.1 and an ephemeral port, in a thread; a context manager."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        self._sock = bind("127.0.0.1", 0)
        port = self._sock.getsockname()[1]
        self.settings = settings.with_server(host="127.0.0.1", port=port, public_url="")
        self.app = create_app(self.settings)
        self.platform = self.app.platform
        self.url = self.settings.base_url
        self._server = uvicorn.Server(_uvicorn_config(self.app))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("atsmock live server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()
