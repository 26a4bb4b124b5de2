"""wrk runs driven by a generated Lua script: the method, headers and body of the request, and a
``done`` hook printing what the bench reads back (requests, duration, non-2xx answers, socket
errors, latency percentiles) on one line, so nothing is scraped from wrk's human summary.

Requires wrk 4 (Debian: ``apt-get install wrk``); ``available()`` says whether it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass

MARK = "ATSMOCK-BENCH"

DONE = f"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("{MARK} %d %d %d %d %d %d\\n", summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> bool:
        return bool(self.non_2xx or self.socket_errors)


def available() -> bool:
    return shutil.which("wrk") is not None


def lua_string(text: str | bytes) -> str:
    """A Lua string literal for any bytes (printable ASCII as is, everything else as ``\\ddd``)."""
    data = text.encode() if isinstance(text, str) else text
    out = []
    for byte in data:
        char = chr(byte)
        out.append(char if 0x20 <= byte < 0x7F and char not in '"\\' else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(method: str, headers: Mapping[str, str], body: bytes | None) -> str:
    lines = [f"wrk.method = {lua_string(method)}"]
    for name, value in headers.items():
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    if body is not None:
        lines.append(f"wrk.body = {lua_string(body)}")
    return "\n".join(lines) + "\n" + DONE


def run(
    url: str,
    *,
    connections: int,
    seconds: float,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    threads: int = 1,
) -> WrkResult:
    """One wrk run of ``seconds`` (whole seconds, at least 1) with ``connections`` keep-alive connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(lua_script(method, headers or {}, body))
        script.flush()
        command = [
            "wrk",
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            url,
        ]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith(MARK):
            requests, duration_us, non_2xx, socket_errors, p50_us, p99_us = (int(x) for x in line.split()[1:])
            return WrkResult(requests, duration_us / 1e6, non_2xx, socket_errors, p50_us / 1000, p99_us / 1000)
    raise RuntimeError(f"wrk printed no {MARK} line:\n{out}")
