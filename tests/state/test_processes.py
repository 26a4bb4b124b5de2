"""Real processes on one state directory: SIGKILL mid-load loses nothing acknowledged, a second process
is refused by the lock, and a directory from a newer atsmock is refused at start (exit 2, one line)."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from state_support import Restarts

from client._http import RetryPolicy
from client.ashby import AshbyClient
from client.pageup import PageUpClient
from mockservers import cli
from mockservers.core.sqlite_state import DATABASE, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
NO_RETRIES = RetryPolicy(attempts=1)

pytestmark = pytest.mark.live

Server = tuple[subprocess.Popen[str], str]


@pytest.fixture
def serve() -> Iterator[Callable[[Path], Server]]:
    """Start ``atsmock serve --state-dir DIR`` in its own process; (process, base URL)."""
    started: list[subprocess.Popen[str]] = []

    def start(directory: Path) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATSMOCK_")}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        argv = ["serve", "--port", "0", "--log-format", "off", "--state-dir", str(directory)]
        process = subprocess.Popen(
            [sys.executable, "-m", "mockservers.cli", *argv], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        started.append(process)
        return process, _base_url(process)

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def _base_url(process: subprocess.Popen[str]) -> str:
    """From the banner's first line (read in a thread: a pipe read cannot time out)."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        lines.put(process.stdout.readline())

    threading.Thread(target=pump, daemon=True).start()
    first = lines.get(timeout=20)
    assert first.startswith(f"atsmock {cli.VERSION} listening on http://127.0.0.1:"), first
    return first.split(" listening on ")[1].strip()


def test_sigkill_mid_load_loses_no_acknowledged_document(tmp_path: Path, serve: Callable[[Path], Server]) -> None:
    directory = tmp_path / "state"
    process, base = serve(directory)
    acknowledged: list[tuple[str, str, bytes]] = []  # (vendor, id or file handle, bytes), once answered
    stop = threading.Event()

    def pageup(worker: int) -> None:
        with httpx.Client(base_url=f"{base}/pageup", timeout=10) as http:
            client = PageUpClient(http, "atsmock-pageup", "atsmock-pageup-secret", tenant="218", policy=NO_RETRIES)
            for n in range(10_000):
                data = f"pageup {worker}/{n} ".encode() * (1 + n % 300)
                try:
                    document = client.upload(data, filename=f"{worker}-{n}.txt", document_category_id=7)
                except Exception:
                    return  # the server is gone
                acknowledged.append(("pageup", document["id"], data))
                if stop.is_set():
                    return

    def ashby(worker: int) -> None:
        with httpx.Client(base_url=f"{base}/ashby", timeout=10) as http:
            client = AshbyClient(http, "atsmock-ashby", policy=NO_RETRIES)
            for n in range(10_000):
                data = f"%PDF ashby {worker}/{n} ".encode() * (1 + n % 300)
                try:
                    candidate = client.create_candidate(f"Candidate {worker}-{n}")
                    answer = client.upload_resume(candidate["id"], data, "cv.pdf", "application/pdf")
                except Exception:
                    return
                acknowledged.append(("ashby", answer["resumeFileHandle"]["handle"], data))
                if stop.is_set():
                    return

    workers = [threading.Thread(target=f, args=(i,)) for f in (pageup, ashby) for i in range(3)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)  # while six clients are mid-upload
    stop.set()
    for worker in workers:
        worker.join(timeout=20)
    process.wait(timeout=10)
    assert len(acknowledged) >= 60 and {v for v, _, _ in acknowledged} == {"pageup", "ashby"}

    restarted = Restarts(directory)  # another process (this one) on the same directory
    try:
        pageup_client = PageUpClient(restarted.http("pageup"), "atsmock-pageup", "atsmock-pageup-secret", tenant="218")
        ashby_client = AshbyClient(restarted.http("ashby"), "atsmock-ashby")
        for vendor, name, data in acknowledged:
            got = pageup_client.download(name) if vendor == "pageup" else ashby_client.download(name)
            assert got == data, f"{vendor} {name}: {len(got)} bytes back of {len(data)}"
        ids = [int(name) for vendor, name, _ in acknowledged if vendor == "pageup"]
        # Nothing acknowledged was handed out twice, and the next id is past every one of them.
        assert len(set(ids)) == len(ids)
        assert int(pageup_client.upload(b"after", filename="a.txt", document_category_id=7)["id"]) > max(ids)
    finally:
        restarted.stop()


def test_a_second_process_on_the_directory_is_refused(
    tmp_path: Path, serve: Callable[[Path], Server], capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "state"
    process, base = serve(directory)
    code = cli.main(["serve", "--port", "0", "--state-dir", str(directory)])
    assert (code, capsys.readouterr().err) == (
        2,
        f"atsmock: state dir {directory} is in use by another atsmock (pid {process.pid}); "
        "stop it or choose another --state-dir\n",
    )
    assert httpx.get(f"{base}/__admin/health", timeout=5).status_code == 200  # the first one is untouched


def test_a_directory_written_by_a_newer_atsmock_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = tmp_path / "state"
    Restarts(directory).stop()
    db = sqlite3.connect(directory / DATABASE)
    db.execute("UPDATE atsmock_schema SET version = ?", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    code = cli.main(["serve", "--port", "0", "--state-dir", str(directory)])
    assert (code, capsys.readouterr().err) == (
        2,
        f"atsmock: state dir {directory} was written by a newer atsmock (schema {SCHEMA_VERSION + 1}; "
        f"this one reads up to {SCHEMA_VERSION}); upgrade atsmock or choose another --state-dir\n",
    )
