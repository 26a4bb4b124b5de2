"""Soak (issue 13): 500 complete workflows over every vendor, 50 at a time, against one live server process.

Each workflow is every served vendor's demo (its whole document workflow through its reference
client). Asserted: every downloaded byte equals what was uploaded, no id is handed out twice between resets, no
answer is a 5xx (the server's JSON request log sees every request), and the server's RSS after a
reset is within 10% of its RSS after a warm-up of the same size. Marked ``soak``: CI never runs it
(``python3 -m pytest -m soak tests/test_soak_all_vendors.py``).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mockservers.core.demo import run_demo
from mockservers.vendors import served

pytestmark = [pytest.mark.soak, pytest.mark.live, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = 500
AT_ONCE = 50


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def one_workflow(base: str) -> tuple[bool, list[str]]:
    from mockservers.config import Settings

    settings = Settings()
    ok, ids = True, []
    for vendor in served():
        run = run_demo(vendor, settings.vendor(vendor.name), f"{base}/{vendor.name}", io.StringIO())
        ok = ok and run.ok
        ids += run.ids
    return ok, ids


def batch(base: str, count: int) -> tuple[int, list[str]]:
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        results = list(pool.map(lambda _: one_workflow(base), range(count)))
    return sum(1 for ok, _ in results if not ok), [i for _, ids in results for i in ids]


def test_500_workflows_over_every_vendor_stay_exact_and_bounded(tmp_path: Path) -> None:
    log = tempfile.NamedTemporaryFile(dir=tmp_path, delete=False)
    with subprocess.Popen(
        [sys.executable, "-m", "mockservers.cli", "serve", "--port", "18777", "--log-format", "json"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("ATSMOCK_")},
        stdout=subprocess.DEVNULL,
        stderr=log,
    ) as server:
        base = "http://127.0.0.1:18777"
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/__admin/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        try:
            started = time.monotonic()
            failed, ids = batch(base, WORKFLOWS)  # the warm-up, of the same size as the measured run
            warm = time.monotonic() - started
            urllib.request.urlopen(urllib.request.Request(f"{base}/__admin/reset", method="POST")).close()
            after_warm_up = rss_mib(server.pid)
            failed_again, more_ids = batch(base, WORKFLOWS)
            urllib.request.urlopen(urllib.request.Request(f"{base}/__admin/reset", method="POST")).close()
            after_reset = rss_mib(server.pid)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    statuses = [json.loads(line)["status"] for line in Path(log.name).read_text().splitlines() if line.startswith("{")]
    print(  # the figures for the closing note (pytest -s)
        f"\n{2 * WORKFLOWS} workflows x {len(served())} vendors, {len(statuses)} requests; first batch {warm:.1f} s; "
        f"RSS after warm-up + reset {after_warm_up:.1f} MiB, after the second run + reset {after_reset:.1f} MiB"
    )
    assert (failed, failed_again) == (0, 0)
    assert [s for s in statuses if s >= 500] == []
    for made in (ids, more_ids):  # a reset starts the ids afresh, as a fresh vendor account would
        assert len(made) == len(set(made)) > 0
    assert after_reset <= after_warm_up * 1.10
