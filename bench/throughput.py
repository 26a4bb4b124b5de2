"""Requests per second through atsmock's full request path, beside a bare Starlette app, with wrk.

Each target runs in its own `uvicorn` process on loopback; wrk uses 2 threads and 4 connections
for --seconds each. Skips with a message when wrk is not installed (Debian: apt-get install wrk).
Usage: python bench/throughput.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request

BARE_APP = textwrap.dedent(
    """
    import sys, uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    async def hello(request):
        return JSONResponse({"ok": True})
    app = Starlette(routes=[Route("/hello", hello)])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not come up")


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> float:
    args = ["wrk", "-t2", "-c4", f"-d{seconds}s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(out)
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("SKIP: wrk is not installed (Debian: apt-get install wrk); no figures measured")
        return 0
    bare_port, mock_port = free_port(), free_port()
    bare = subprocess.Popen([sys.executable, "-c", BARE_APP, str(bare_port)])
    mock = subprocess.Popen(
        [sys.executable, "-m", "mockservers.cli", "serve", "--port", str(mock_port)], stdout=subprocess.DEVNULL
    )
    try:
        wait_until_up(f"http://127.0.0.1:{bare_port}/hello")
        wait_until_up(f"http://127.0.0.1:{mock_port}/__admin/health")
        base = f"http://127.0.0.1:{mock_port}"
        rows = [
            ("bare starlette GET /hello", wrk(f"http://127.0.0.1:{bare_port}/hello", args.seconds)),
            ("atsmock GET /__admin/health (no journal)", wrk(f"{base}/__admin/health", args.seconds)),
            (
                "atsmock pageup GET document, bad token (journal + auth + envelope)",
                wrk(
                    f"{base}/pageup/v3/218/recruitment/document/1",
                    args.seconds,
                    {"Authorization": "Bearer not-a-token"},
                ),
            ),
            (
                "atsmock ashby GET candidate.list (journal + 405 envelope)",
                wrk(f"{base}/ashby/candidate.list", args.seconds),
            ),
        ]
    finally:
        for proc in (bare, mock):
            proc.terminate()
            proc.wait(timeout=10)
    reference = rows[0][1]
    for name, rps in rows:
        print(f"{name:<70} {rps:>10.0f} req/s  ({rps / reference:.2f}x bare)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
