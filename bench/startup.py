"""Seconds from spawning ``atsmock serve`` to the first 200 of ``/__admin/health`` (median of N runs).

Target on the 2-core reference machine: <= 0.35 s for the whole stack.
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command(port: int) -> list[str]:
    exe = shutil.which("atsmock")
    base = [exe] if exe else [sys.executable, "-m", "mockservers.cli"]
    return [*base, "serve", "--host", "127.0.0.1", "--port", str(port)]


def one_run(timeout: float = 20.0) -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}/__admin/health"
    started = time.perf_counter()
    proc = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < timeout:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.002)
        raise RuntimeError("atsmock did not answer /__admin/health in time")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    one_run()  # warm the OS file cache and .pyc files; not counted
    times = [one_run() for _ in range(max(5, args.runs))]
    print(f"runs: {len(times)}")
    print("each: " + ", ".join(f"{t:.3f}" for t in times))
    print(f"median startup to first healthy answer: {statistics.median(times):.3f} s (target <= 0.35 s)")


if __name__ == "__main__":
    main()
