"""Real processes on one state directory: SIGKILL mid-load on every vendor loses nothing acknowledged, a second process
is refused by the lock, and a directory from a newer atsmock is refused at start (exit 2, one line)."""

from __future__ import annotations

import collections
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from state_support import Restarts

from client._http import RetryPolicy
from client.ashby import AshbyClient
from client.clinch import ClinchClient
from client.endorsed import EndorsedClient
from client.pageup import PageUpClient
from client.wttj import WttjClient
from mockservers import cli
from mockservers.core.sqlite_state import DATABASE, SCHEMA_VERSION
from mockservers.vendors import served
from mockservers.wttj.models import ORGANIZATION_REFERENCE
from tests.core.fetch_support import ScriptedServer, answer

ROOT = Path(__file__).resolve().parents[2]
NO_RETRIES = RetryPolicy(attempts=1)
ENDORSED_CLIENT = "00000000-0000-4000-8000-000000000001"

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


@dataclass(frozen=True)
class Workload:
    """One vendor's upload through its reference client (``upload`` answers what ``download`` takes), both
    given a client that ``client`` makes of an httpx client at the vendor's base URL."""

    client: Callable[[httpx.Client], Any]
    upload: Callable[[Any, str, bytes], str]
    download: Callable[[Any, str], bytes]


def workloads(files: ScriptedServer) -> dict[str, Workload]:
    """Every served vendor's upload and download (a vendor that lands adds its own; the test checks all are here)."""

    def wttj_upload(client: WttjClient, tag: str, data: bytes) -> str:
        reference = str(
            client.create_candidate(
                organization_reference=ORGANIZATION_REFERENCE,
                job_reference="WTTJ_KmqkD1Y",
                job_stage_id=14598,
                email=f"{tag}@example.com",
                firstname="Ada",
                lastname="Lovelace",
            )["reference"]
        )
        files.route(f"/{tag}.pdf", answer(200, data, {"Content-Type": "application/pdf"}))  # WTTJ fetches it
        client.attach_documents(reference, [("cv", files.url(f"/{tag}.pdf"))])
        return reference

    def wttj_download(client: WttjClient, reference: str) -> bytes:
        [document] = client.documents(reference)
        return client.download(document)

    def ashby_upload(client: AshbyClient, tag: str, data: bytes) -> str:
        candidate = client.create_candidate(f"Candidate {tag}")
        return str(
            client.upload_resume(candidate["id"], data, "cv.pdf", "application/pdf")["resumeFileHandle"]["handle"]
        )

    def clinch_upload(client: ClinchClient, tag: str, data: bytes) -> str:
        candidate = client.create_candidate(f"{tag}@example.com")
        client.upload_file(candidate["id"], data, filename="cv.pdf")
        return str(candidate["id"])

    def clinch_download(client: ClinchClient, candidate: str) -> bytes:
        [stored] = client.files(candidate)
        return client.download(stored)

    def api_root(path: str) -> Callable[[httpx.Client], httpx.Client]:
        def based(http: httpx.Client) -> httpx.Client:
            http.base_url = http.base_url.join(path)
            return http

        return based

    wttj_root, clinch_root = api_root("api/v1/external"), api_root("v1")
    return {
        "pageup": Workload(
            lambda http: PageUpClient(http, "atsmock-pageup", "atsmock-pageup-secret", tenant="218", policy=NO_RETRIES),
            lambda client, tag, data: str(client.upload(data, filename=f"{tag}.txt", document_category_id=7)["id"]),
            lambda client, name: client.download(name),
        ),
        "ashby": Workload(
            lambda http: AshbyClient(http, "atsmock-ashby", policy=NO_RETRIES),
            ashby_upload,
            lambda client, handle: client.download(handle),
        ),
        "wttj": Workload(
            lambda http: WttjClient(wttj_root(http), "atsmock-wttj", policy=NO_RETRIES), wttj_upload, wttj_download
        ),
        "clinch": Workload(
            lambda http: ClinchClient(clinch_root(http), "atsmock-clinch", "atsmock-clinch-secret", policy=NO_RETRIES),
            clinch_upload,
            clinch_download,
        ),
        "endorsed": Workload(
            lambda http: EndorsedClient(http, ENDORSED_CLIENT, "atsmock-endorsed-secret", policy=NO_RETRIES),
            lambda client, tag, data: client.upload(data, remote_id=tag, type="resume", file_name="cv.pdf"),
            lambda client, name: client.download(name),
        ),
    }


def test_sigkill_mid_load_loses_no_acknowledged_document(
    tmp_path: Path, serve: Callable[[Path], Server], files: ScriptedServer
) -> None:
    directory = tmp_path / "state"
    process, base = serve(directory)
    loads = workloads(files)
    assert sorted(loads) == sorted(v.name for v in served())  # every served vendor is under load
    acknowledged: list[tuple[str, str, bytes]] = []  # (vendor, what downloads it, bytes), once answered
    stop = threading.Event()

    def work(vendor: str, worker: int) -> None:
        load = loads[vendor]
        with httpx.Client(base_url=f"{base}/{vendor}", timeout=10) as http:
            client = load.client(http)
            for n in range(10_000):
                data = f"%PDF {vendor} {worker}/{n} ".encode() * (1 + n % 300)
                try:
                    name = load.upload(client, f"{vendor}-{worker}-{n}", data)
                except Exception:
                    return  # the server is gone
                acknowledged.append((vendor, name, data))
                if stop.is_set():
                    return

    workers = [threading.Thread(target=work, args=(vendor, i)) for vendor in loads for i in range(2)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30

    def each_has(count: int) -> bool:
        found = collections.Counter(v for v, _, _ in acknowledged)
        return all(found[vendor] >= count for vendor in loads)

    while not each_has(10) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)  # while ten clients (two per vendor) are mid-upload
    stop.set()
    for worker in workers:
        worker.join(timeout=20)
    process.wait(timeout=10)
    assert each_has(10)

    restarted = Restarts(directory)  # another process (this one) on the same directory
    try:
        clients = {vendor: load.client(restarted.http(vendor)) for vendor, load in loads.items()}
        for vendor, name, data in acknowledged:
            got = loads[vendor].download(clients[vendor], name)
            assert got == data, f"{vendor} {name}: {len(got)} bytes back of {len(data)}"
        ids = [int(name) for vendor, name, _ in acknowledged if vendor == "pageup"]
        # Nothing acknowledged was handed out twice, and the next id is past every one of them.
        assert len(set(ids)) == len(ids)
        pageup_client = clients["pageup"]
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
