"""Running the app under uvicorn: ``serve`` for the CLI, ``LiveServer`` on port 0 for tests."""

from __future__ import annotations

import errno
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType, TracebackType
from typing import TYPE_CHECKING

import uvicorn

from mockservers.app import create_app
from mockservers.config import ListenError, Settings
from mockservers.core.dispatch import Dispatcher
from mockservers.core.vendor import Credential, Vendor

if TYPE_CHECKING:
    from mockservers.testing import AdminClient


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket first, so port 0 resolves before URLs are built."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
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


class _Server(uvicorn.Server):
    """uvicorn's server, which first tells the platform it is stopping (``Platform.shutdown``).

    uvicorn only marks a response that is still streaming as the connection's last and waits up to
    ``timeout_graceful_shutdown`` for it, then cancels it with an error in the log: an open
    dashboard (an endless event stream) would hold every stop up by five seconds.
    """

    def __init__(self, app: Dispatcher) -> None:
        super().__init__(_uvicorn_config(app))
        self.platform = app.platform

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.platform.shutdown()
        await super().shutdown(sockets)


def serve(
    settings: Settings,
    announce: Callable[[Dispatcher], None] | None = None,
    *,
    vendors: Sequence[Vendor] | None = None,
) -> None:
    """Serve until Ctrl-C or SIGTERM, then return: either stop is a clean exit (status 0, no traceback).

    A host or port it cannot listen on is a ``ListenError`` saying why and which flag to change (exit 2).
    """
    stop_requested: list[int] = []
    server: _Server | None = None

    def stop(signum: int, frame: FrameType | None) -> None:
        # Ours before uvicorn installs its own handlers and after it restores these (it re-raises the signal
        # it caught): a signal right after the banner must stop the server, not be lost or kill the process.
        stop_requested.append(signum)
        if server is not None:
            server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with _listen(settings.server.host, settings.server.port) as sock:
            settings = settings.with_server(port=sock.getsockname()[1])
            app = create_app(settings, vendors=vendors)
            server = _Server(app)
            if stop_requested:
                return
            if announce is not None:
                announce(app)
            server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _listen(host: str, port: int) -> socket.socket:
    try:
        return bind(host, port)
    except OSError as e:
        where = f"cannot listen on {host}:{port}"
        if e.errno == errno.EADDRINUSE:
            hint = "the port is in use (another atsmock?); choose another with --port (--port 0 picks a free one)"
        elif isinstance(e, socket.gaierror) or e.errno == errno.EADDRNOTAVAIL:
            hint = f"{e.strerror or e}; --host must be an address of this machine (127.0.0.1, 0.0.0.0)"
        elif e.errno == errno.EACCES:
            hint = "permission denied (ports below 1024 need root); choose another with --port"
        else:
            hint = f"{e.strerror or e}"
        raise ListenError(f"{where}: {hint}") from None


class LiveServer:
    """The whole app on 127.0.0.1 and an ephemeral port, in a thread; a context manager.

    ``url`` is its root; ``vendor_url(name)`` a vendor's base URL (its mount), ``api_url(name)`` the URL a
    connector is configured with, ``credentials(name)`` its active credentials, ``admin`` the admin API
    from Python (``mockservers.testing.AdminClient``).
    """

    def __init__(self, settings: Settings | None = None, *, vendors: Sequence[Vendor] | None = None) -> None:
        settings = settings or Settings(registry=vendors)
        self._sock = bind("127.0.0.1", 0)
        port = self._sock.getsockname()[1]
        self.settings = settings.with_server(host="127.0.0.1", port=port, public_url="")
        self.app = create_app(self.settings, vendors=vendors)
        self.platform = self.app.platform
        self.url = self.settings.base_url
        self._vendors = self.platform.known
        self._admin: AdminClient | None = None
        self._server = _Server(self.app)
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
        self.platform.close()  # lets go of its --state-dir, so a server started next can use it
        if self._admin is not None:
            self._admin.http.close()

    def vendor_url(self, name: str) -> str:
        """The base URL of a mounted vendor (``http://127.0.0.1:PORT/<name>``, or the root with ``--vendor``)."""
        if name not in self.platform.vendors:
            raise KeyError(f"{name!r} is not served here (served: {', '.join(self.platform.vendors)})")
        return self.platform.vendor_url(name)

    def api_url(self, name: str) -> str:
        """The base URL a connector is configured with: ``vendor_url`` plus the vendor's API path (WTTJ's
        ``/api/v1/external``, Clinch's ``/v1``, Endorsed's ``/api/v1``; PageUp's and Ashby's are the mount)."""
        self.vendor_url(name)  # the same KeyError for a vendor not served here
        return self.platform.api_url(name)

    def credentials(self, name: str) -> list[Credential]:
        """The vendor's active credentials, as ``atsmock credentials`` prints them (the first is the default)."""
        vendor = self._vendors[name]
        return list(vendor.credentials(self.settings.vendor(name)))

    @property
    def admin(self) -> AdminClient:
        if self._admin is None:
            import httpx

            from mockservers.testing import AdminClient

            token = self.settings.server.admin_token or None
            self._admin = AdminClient(httpx.Client(base_url=self.url, timeout=10), token)
        return self._admin

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()
