"""What ``--state-dir`` costs: upload workflows per second with and without it, and the memory of a large upload.

Each server is ``atsmock serve`` in its own process on loopback (``--log-format off``), once in
memory and once with ``--state-dir`` on a fresh temporary directory. Client processes (``--clients``,
one reference client each, its own keep-alive connection) run a vendor's whole upload workflow
in a loop for ``--seconds``:

- pageup: prepareTempDirectUpload, the presigned PUT, moveFromTemp (token fetched once per client);
- ashby: candidate.create, file.createFileUploadHandle, the presigned POST, candidate.uploadResume;
- wttj: create a candidate, attach a document by URL (fetched from a file server in the client process);
- clinch: create a candidate, upload a candidate file (signed requests);
- endorsed: a multipart attachment (token fetched once per client).

Every acknowledged write of the state-dir server is on disk before its answer (WAL with
``synchronous=FULL``, object files and their directory fsynced), so the figure depends on the
disk's fsync latency. Target: with ``--state-dir`` at least 0.5x the in-memory rate. Then, as in
bench/upload_memory.py, the server's peak RSS growth while a ``--mib`` object is uploaded and
downloaded with ``--state-dir`` (the bytes stream to and from a file: it stays small).

Usage: python bench/state.py [--seconds 5] [--clients 4] [--size 4096] [--mib 200]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from s3 import BUCKET, ROOT, Server, default_s3_settings, free_port, stop, wait_until_up  # bench/s3.py
from upload_memory import measure  # bench/upload_memory.py

SERVE_WITH_BUCKET = """
import sys
from mockservers import cli, server
from mockservers.app import create_app

def create(settings, vendors=None):
    app = create_app(settings, vendors=vendors)
    app.platform.s3.ensure_bucket(sys.argv[1], "us-east-1")
    return app

server.create_app = create
sys.exit(cli.main(sys.argv[2:]))
"""
"""``atsmock serve`` plus the bench bucket bench/upload_memory.py presigns against."""

ROOMY = {
    "ATSMOCK_WTTJ_MAX_CANDIDATES": "1000000",
    "ATSMOCK_CLINCH_MAX_CANDIDATES": "1000000",
    "ATSMOCK_CLINCH_MAX_FILES": "1000000",
    "ATSMOCK_CLINCH_MAX_TOTAL_FILE_BYTES": str(2**40),
    "ATSMOCK_ENDORSED_MAX_ATTACHMENTS": "1000000",
}
"""The mock's record bounds raised past what a run stores (the defaults would refuse a fast loop after ~1,000)."""


@contextmanager
def atsmock(state_dir: str | None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    argv = ["serve", "--port", str(port), "--log-format", "off"]
    if state_dir:
        argv += ["--state-dir", state_dir]
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_WITH_BUCKET, BUCKET, *argv],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, **ROOMY},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/__admin/health", process)
        yield base, process
    finally:
        stop(process)


def repeat(seconds: float, workflow: Callable[[], object]) -> int:
    """How many times ``workflow`` ran in ``seconds``."""
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        workflow()
        done += 1
    return done


def payload(size: int) -> bytes:
    return bytes(range(256)) * (size // 256)


def pageup_loop(base: str, seconds: float, size: int) -> int:
    import httpx

    from client.pageup import PageUpClient

    data = payload(size)
    with httpx.Client(base_url=f"{base}/pageup", timeout=30) as http:
        client = PageUpClient(http, "atsmock-pageup", "atsmock-pageup-secret", tenant="218")
        client.token()
        return repeat(seconds, lambda: client.upload(data, filename="bench.pdf", document_category_id=7))


def ashby_loop(base: str, seconds: float, size: int) -> int:
    import httpx

    from client.ashby import AshbyClient

    data = payload(size)
    with httpx.Client(base_url=f"{base}/ashby", timeout=30) as http:
        client = AshbyClient(http, "atsmock-ashby")

        def workflow() -> None:
            candidate = client.create_candidate("Bench Candidate")
            client.upload_resume(candidate["id"], data, "cv.pdf", "application/pdf")

        return repeat(seconds, workflow)


def wttj_loop(base: str, seconds: float, size: int) -> int:
    import httpx

    from client.wttj import WttjClient
    from mockservers.core.demo import FileServer

    files = FileServer(payload(size))
    url = files.url("cv.pdf")
    with httpx.Client(base_url=f"{base}/wttj/api/v1/external", timeout=30) as http:
        client = WttjClient(http, "atsmock-wttj")

        def workflow() -> None:
            candidate = client.create_candidate(
                organization_reference="Pg4eV6k",
                job_reference="WTTJ_KmqkD1Y",
                job_stage_id=14598,
                email="bench@example.com",
                firstname="Bench",
                lastname="Candidate",
            )
            client.attach_documents(candidate["reference"], [("cv", url)])

        try:
            return repeat(seconds, workflow)
        finally:
            files.close()


def clinch_loop(base: str, seconds: float, size: int) -> int:
    import uuid

    import httpx

    from client.clinch import ClinchClient

    data = payload(size)
    with httpx.Client(base_url=f"{base}/clinch/v1", timeout=30) as http:
        client = ClinchClient(http, "atsmock-clinch", "atsmock-clinch-secret")

        def workflow() -> None:
            candidate = client.create_candidate(f"bench-{uuid.uuid4().hex}@example.com")
            client.upload_file(candidate["id"], data, filename="cv.pdf")

        return repeat(seconds, workflow)


def endorsed_loop(base: str, seconds: float, size: int) -> int:
    import uuid

    import httpx

    from client.endorsed import EndorsedClient

    data = payload(size)
    with httpx.Client(base_url=f"{base}/endorsed", timeout=30) as http:
        client = EndorsedClient(http, "00000000-0000-4000-8000-000000000001", "atsmock-endorsed-secret")
        return repeat(
            seconds, lambda: client.upload(data, remote_id=uuid.uuid4().hex, type="resume", file_name="cv.pdf")
        )


LOOPS = {
    "pageup": pageup_loop,
    "ashby": ashby_loop,
    "wttj": wttj_loop,
    "clinch": clinch_loop,
    "endorsed": endorsed_loop,
}


def rate(base: str, vendor: str, clients: int, seconds: float, size: int) -> float:
    """Workflows per second, ``clients`` processes at once."""
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        started = time.monotonic()
        counts = pool.starmap(LOOPS[vendor], [(base, seconds, size)] * clients)
        elapsed = time.monotonic() - started
    return sum(counts) / max(elapsed, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--size", type=int, default=4096, help="bytes per uploaded file")
    parser.add_argument("--mib", type=int, default=200, help="size of the large upload measured for memory (0: skip)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(f"{args.clients} client processes, {args.seconds:.0f} s per run, {args.size} B files")
    ok = True
    for vendor in LOOPS:
        with atsmock(None) as (base, _):
            memory = rate(base, vendor, args.clients, args.seconds, args.size)
        with tempfile.TemporaryDirectory(prefix="atsmock-bench-state-") as directory, atsmock(directory) as (base, _):
            durable = rate(base, vendor, args.clients, args.seconds, args.size)
        ratio = durable / memory
        ok = ok and ratio >= 0.5
        print(
            f"{vendor:<8} upload workflows/s: in memory {memory:8.1f}   --state-dir {durable:8.1f}   "
            f"ratio {ratio:.2f}x ({'meets' if ratio >= 0.5 else 'MISSES'} the >= 0.5x target)"
        )
    if args.mib:
        size = args.mib * 1024 * 1024
        with tempfile.TemporaryDirectory(prefix="atsmock-bench-state-") as directory, atsmock(directory) as (base, p):
            keys = default_s3_settings()
            up, down = measure(Server("atsmock --state-dir", f"{base}/s3", p, keys.access_key, keys.secret_key), size)
        print(
            f"--state-dir peak RSS growth for a {args.mib} MiB object: upload {up / 2**20:.1f} MiB "
            f"({up / size:.3f}x), download {down / 2**20:.1f} MiB ({down / size:.3f}x)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
