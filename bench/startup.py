"""Seconds from spawning ``atsmock serve`` to the first 200 of ``/__admin/health`` (median of N runs).

Target on the 2-core reference machine: <= 0.35 s for the whole stack. Beside it, in the same run, a
bare Starlette app on uvicorn answering the same path: the floor any Python server pays here
(interpreter, uvicorn, starlette), so a loaded or slower machine reads as such and atsmock's own
share is the difference.
Usage: python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command(port: int) -> list[str]:
    exe = shutil.which("atsmock")
    base = [exe] if exe else [sys.executable, "-m", "mockservers.cli"]
    return [*base, "serve", "--host", "127.0.0.1", "--port", str(port)]


BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
app = Starlette(routes=[Route("/__admin/health", lambda request: PlainTextResponse("ok"))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def bare_command(port: int) -> list[str]:
    return [sys.executable, "-c", BARE_APP, str(port)]


def one_run(timeout: float = 20.0, spawn: Callable[[int], list[str]] = command) -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}/__admin/health"
    started = time.perf_counter()
    proc = subprocess.Popen(spawn(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < timeout:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.002)
        raise RuntimeError(f"{spawn(port)[0]} did not answer /__admin/health in time")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    one_run()  # warm the OS file cache and .pyc files; not counted
    one_run(spawn=bare_command)
    runs = max(5, args.runs)
    times, bare = [], []
    for _ in range(runs):  # interleaved, so a change in the machine's load touches both alike
        times.append(one_run())
        bare.append(one_run(spawn=bare_command))
    print(f"runs: {len(times)}")
    print("each: " + ", ".join(f"{t:.3f}" for t in times))
    print(f"bare Starlette on uvicorn, same runs: {statistics.median(bare):.3f} s median (the floor here)")
    median = statistics.median(times)
    print(f"atsmock's own share: {median - statistics.median(bare):.3f} s")
    print(f"median startup to first healthy answer: {median:.3f} s (target <= 0.35 s)")


if __name__ == "__main__":
    main()
