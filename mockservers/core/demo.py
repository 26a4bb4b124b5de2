"""``atsmock demo``: each vendor's whole document workflow through its reference client, step by step.

A vendor that has a demo gives ``Vendor.demo(run, settings)``; it calls its reference client inside
``run.step(name)`` blocks and reports what it downloaded with ``run.same_bytes``. The run prints
one line per step (vendor, step, the last HTTP status, the time taken) and passes only when
every step finished and every downloaded file equals what was uploaded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import httpx


@dataclass
class Step:
    vendor: str
    name: str
    status: int | None = None
    ms: float = 0.0
    ok: bool = True
    note: str = ""


@dataclass
class DemoRun:
    """One vendor's demo against ``base_url`` (the vendor's base URL on a running atsmock).

    ``transport`` carries every request of the run (None: the network); a test passes an in-process
    one to run a demo against an app it holds (``tests/state`` runs every vendor's demo this way).
    """

    vendor: str
    base_url: str
    out: IO[str]
    transport: httpx.BaseTransport | None = None
    steps: list[Step] = field(default_factory=list)
    _status: int | None = None
    _servers: list[Any] = field(default_factory=list)
    _clients: list[httpx.Client] = field(default_factory=list)

    def __post_init__(self) -> None:
        import uuid

        self.unique = uuid.uuid4().hex[:12]
        """A suffix for the names and remote ids this run creates, so runs never collide."""
        self.ids: list[str] = []
        """What this run created (``created``): a soak checks that no id is handed out twice."""
        self.http = self._client(self.base_url)

    def client(self, path: str) -> httpx.Client:
        """An httpx client whose base URL is ``base_url + path`` (a vendor whose API root is below its mount)."""
        http = self._client(self.base_url + path)
        self._clients.append(http)
        return http

    def _client(self, base_url: str) -> httpx.Client:
        return httpx.Client(
            base_url=base_url,
            timeout=30,
            event_hooks={"response": [self._seen]},
            follow_redirects=False,
            transport=self.transport,
        )

    def _seen(self, response: httpx.Response) -> None:
        self._status = response.status_code

    @contextmanager
    def step(self, name: str) -> Iterator[Step]:
        """A step: timed, its last HTTP status kept; an exception fails it (and ends the vendor's demo)."""
        record = Step(self.vendor, name)
        self._status = None
        started = time.perf_counter()
        try:
            yield record
        except Exception as exc:
            record.ok = False
            record.note = record.note or f"{type(exc).__name__}: {exc}"
            raise
        finally:
            record.ms = (time.perf_counter() - started) * 1000
            record.status = self._status
            self.steps.append(record)
            self._print(record)

    def created(self, kind: str, identifier: object) -> None:
        """Note an id the vendor handed out (``kind`` keeps ids of different things apart)."""
        self.ids.append(f"{self.vendor}:{kind}:{identifier}")

    def same_bytes(self, step: Step, uploaded: bytes, downloaded: bytes) -> None:
        """Mark ``step`` by whether the download equals the upload."""
        if downloaded == uploaded:
            step.note = f"{len(downloaded)} bytes, the same as uploaded"
        else:
            step.ok = False
            step.note = f"downloaded {len(downloaded)} bytes that differ from the {len(uploaded)} uploaded"

    def serve_file(self, data: bytes, filename: str, content_type: str = "application/pdf") -> str:
        """A URL on 127.0.0.1 that answers ``data``, for vendors that download a URL they are given (the mock's
        fetcher allows loopback by default; a mock on another machine cannot reach it). Closed with the run."""
        server = FileServer(data, content_type)
        self._servers.append(server)
        return server.url(filename)

    def _print(self, step: Step) -> None:
        status = "-" if step.status is None else str(step.status)
        mark = "ok" if step.ok else "FAILED"
        self.out.write(f"{step.vendor:<9} {step.name:<34} {status:>4} {step.ms:8.1f} ms  {mark}  {step.note}".rstrip())
        self.out.write("\n")
        self.out.flush()

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    def close(self) -> None:
        self.http.close()
        for http in self._clients:
            http.close()
        for server in self._servers:
            server.close()


class FileServer:
    """``data`` on 127.0.0.1 at every path, in a thread, until ``close`` (the demos' and bench's stand-in for a
    public file URL)."""

    def __init__(self, data: bytes, content_type: str = "application/pdf") -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # shutdown() waits for the loop's next poll: 50 ms instead of the default half second per served file.
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, filename: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/{filename}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def run_demo(vendor: Any, settings: Any, base_url: str, out: IO[str]) -> DemoRun:
    """Run ``vendor``'s demo (a ``Vendor`` with ``demo``) with its ``settings`` against ``base_url``."""
    run = DemoRun(vendor.name, base_url, out)
    try:
        vendor.demo(run, settings)
    except Exception:  # the failing step has been printed and marked; other vendors still run
        pass
    finally:
        run.close()
    return run
