"""The servers the throughput and soak benches measure, each started here in its own process on loopback.

- ``bare``: a bare Starlette app on uvicorn[standard] (the floor any Starlette mock stands on).
- ``atsmock``: ``python -m mockservers.cli serve`` from this checkout, journal on, and "faults on": a
  catch-all fault with probability 0 is scheduled, so every request draws from the fault plan and none
  fires. Tokens, documents and candidates come from HTTP setup steps (``PageUpSession``, ``ashby_candidate``).
- ``prism``: Stoplight Prism serving the Clinch seed (an OpenAPI document), installed with npm.
- ``wiremock``: WireMock's standalone jar from the ``wiremock`` npm package, run with ``java -jar`` (what
  the package's own launcher does; run directly, the measured process is the JVM itself).

npm installs go to ``--cache`` (default ``~/.cache/atsmock-bench``) once; a tool that cannot be installed
or started is skipped with the reason (``Unavailable``).
"""

from __future__ import annotations

import base64
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path.home() / ".cache" / "atsmock-bench"
CLINCH_SEED = Path("/work/shared/seeds/003_3400f49cfee7fbfc.txt")
PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"
WIREMOCK_PACKAGE = "wiremock@3.13.2"

PAGEUP_CLIENT = ("atsmock-pageup", "atsmock-pageup-secret")
PAGEUP_TENANT = "218"
PAGEUP_DOCUMENTS = f"/pageup/v3/{PAGEUP_TENANT}/recruitment/document"
ASHBY_KEY = "atsmock-ashby"

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


class Unavailable(Exception):
    """A server the bench cannot install or start here; the message says why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident set size of ``pid`` (``VmRSS`` of /proc/PID/status), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


TICKS = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds every core has spent busy since boot (/proc/stat: all but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICKS


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds ``pid`` (all its threads) has used: utime + stime of /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (wrk runs)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


class OtherLoad:
    """How many cores something other than the measured server and the bench kept busy meanwhile:
    a shared machine (a test suite running beside) shows here instead of silently lowering the figures."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.started = (time.monotonic(), machine_busy_seconds(), process_cpu_seconds(pid), own_cpu_seconds())

    def cores(self) -> float:
        wall, busy, server, own = self.started
        elapsed = time.monotonic() - wall
        ours = process_cpu_seconds(self.pid) - server + own_cpu_seconds() - own
        return max(0.0, machine_busy_seconds() - busy - ours) / elapsed if elapsed else 0.0


def wait_for_idle(limit: float, threshold: float = 0.25) -> float:
    """Wait (up to ``limit`` seconds) for a second in which the machine is busy less than ``threshold`` cores;
    the busy cores of the last second looked at."""
    deadline = time.monotonic() + limit
    while True:
        busy = machine_busy_seconds()
        time.sleep(1.0)
        cores = machine_busy_seconds() - busy
        if cores < threshold or time.monotonic() >= deadline:
            return cores


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: IO[bytes]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mib(self) -> float:
        return rss_mib(self.process.pid)

    def other_load(self) -> OtherLoad:
        return OtherLoad(self.process.pid)

    def log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace").strip()[-400:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def start(
    name: str,
    command: Sequence[str],
    port: int,
    probe: str,
    timeout: float = 60.0,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
) -> Server:
    """Spawn ``command`` (its output to a temporary file, ``env`` added to this environment) and wait until
    ``probe`` (a path) answers any status."""
    log = tempfile.TemporaryFile()
    environment = {**os.environ, **(env or {})}
    process = subprocess.Popen(list(command), cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=environment)
    server = Server(name, process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = server.log_tail()
            server.stop()
            raise Unavailable(f"{name} exited with {process.returncode}: {tail}")
        try:
            urllib.request.urlopen(server.base + probe, timeout=1).close()
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise Unavailable(f"{name} did not answer {probe} within {timeout:.0f} s")


def start_bare() -> Server:
    port = free_port()
    return start("bare", [sys.executable, "-c", BARE_APP, str(port)], port, "/hello")


def start_atsmock(env: Mapping[str, str] | None = None) -> Server:
    """``atsmock serve`` on a free port, faults on; ``env`` adds ``ATSMOCK_*`` settings (a bench's raised bounds)."""
    port = free_port()
    # No request log: WireMock and Prism are measured without theirs too (atsmock logs one line per request).
    command = [
        sys.executable,
        "-m",
        "mockservers.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-format",
        "off",
    ]
    server = start("atsmock", command, port, "/__admin/health", env=env)
    # "Faults on": every request draws from the plan (probability 0: none fires).
    http_json(server.base, "POST", "/__admin/faults", {"scenario": "connection_reset", "times": 0, "probability": 0.0})
    return server


# -- HTTP setup steps -------------------------------------------------------------------------------------


def http(
    base: str, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
) -> tuple[int, bytes]:
    """(status, body) of one request to ``base + path`` (an absolute URL when ``base`` is empty)."""
    request = urllib.request.Request(base + path, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def http_json(base: str, method: str, path: str, payload: Any, headers: Mapping[str, str] | None = None) -> Any:
    status, body = http(
        base, method, path, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})}
    )
    if status >= 300:
        raise RuntimeError(f"{method} {path} answered {status}: {body[:300]!r}")
    return json.loads(body) if body else None


def basic(user: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class PageUpSession:
    """A PageUp client of the bench: one token (fetched again with ``refresh``), and uploads over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.token = ""
        self.refresh()

    def refresh(self) -> str:
        """A fresh token (PageUp's live 300 s on the mock clock: one per measurement, never near expiry)."""
        form = (
            f"grant_type=client_credentials&client_id={PAGEUP_CLIENT[0]}&client_secret={PAGEUP_CLIENT[1]}"
            "&scope=Public.Document.Read%20Public.Document.Write"
        )
        status, body = http(
            self.base,
            "POST",
            "/pageup/connect/token",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 200:
            raise RuntimeError(f"token request answered {status}: {body[:300]!r}")
        self.token = str(json.loads(body)["access_token"])
        return self.token

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def upload(self, data: bytes = b"x" * 1024, filename: str = "bench.txt") -> dict[str, Any]:
        """Prepare, PUT, moveFromTemp: the moved document."""
        status, body = http(
            self.base, "GET", f"{PAGEUP_DOCUMENTS}/prepareTempDirectUpload?filename={filename}", headers=self.auth
        )
        if status != 200:
            raise RuntimeError(f"prepare answered {status}: {body[:300]!r}")
        prepared = json.loads(body)
        put_headers = {**prepared["headers"], "Content-Type": prepared["contentType"]}
        status, body = http("", "PUT", prepared["url"], data, put_headers)
        if status != 200:
            raise RuntimeError(f"presigned PUT answered {status}: {body[:300]!r}")
        move = {
            "title": "Bench document",
            "fileName": filename,
            "physicalFile": prepared["physicalFile"],
            "documentCategoryId": 7,
        }
        return dict(http_json(self.base, "POST", f"{PAGEUP_DOCUMENTS}/moveFromTemp", move, self.auth))

    def read(self, document_id: str) -> bytes:
        status, body = http(self.base, "GET", f"{PAGEUP_DOCUMENTS}/{document_id}", headers=self.auth)
        if status != 200:
            raise RuntimeError(f"document read answered {status}: {body[:300]!r}")
        return body


def ashby_candidate(base: str) -> str:
    """A candidate created over HTTP; its id."""
    created = http_json(
        base,
        "POST",
        "/ashby/candidate.create",
        {"name": "Bench Candidate", "email": "bench@example.com"},
        {"Authorization": basic(ASHBY_KEY)},
    )
    return str(created["results"]["id"])


# -- Prism and WireMock, from npm ----------------------------------------------------------------------


def npm_install(cache: Path, package: str, marker: Path) -> None:
    """``npm install --prefix cache package`` unless ``marker`` (a file it installs) is already there."""
    if marker.exists():
        return
    if shutil.which("npm") is None:
        raise Unavailable("npm is not installed")
    cache.mkdir(parents=True, exist_ok=True)
    print(f"installing {package} into {cache} with npm ...", flush=True)
    done = subprocess.run(
        ["npm", "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--loglevel=error", package],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0 or not marker.exists():
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise Unavailable(f"npm install {package} failed: {reason[-1] if reason else done.returncode}")


def start_prism(cache: Path, seed: Path) -> Server:
    """Prism mocking the Clinch seed (written into the cache as JSON), on GET /candidates/{id} with Basic auth."""
    if shutil.which("node") is None:
        raise Unavailable("node is not installed")
    if not seed.exists():
        raise Unavailable(f"the Clinch seed {seed} is not there")
    prism = cache / "node_modules" / ".bin" / "prism"
    npm_install(cache, PRISM_PACKAGE, prism)
    document = cache / "clinch-openapi.json"
    document.write_text(json.dumps(json.loads(seed.read_text())))
    port = free_port()
    return start("prism", [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), str(document)], port, "/", cwd=cache)


def start_wiremock(cache: Path) -> Server:
    if shutil.which("java") is None:
        raise Unavailable("java is not installed (WireMock's npm package runs a jar)")
    package = cache / "node_modules" / "wiremock"
    npm_install(cache, WIREMOCK_PACKAGE, package / "package.json")
    jars = sorted((package / "build").glob("wiremock-standalone-*.jar"))
    if not jars:
        raise Unavailable(f"no wiremock-standalone jar under {package / 'build'} (npm did not fetch it)")
    port = free_port()
    command = ["java", "-jar", str(jars[-1]), "--port", str(port), "--bind-address", "127.0.0.1", "--disable-banner"]
    return start("wiremock", command, port, "/__admin/health", cwd=cache)


def wiremock_stub(server: Server, path: str, body: Any) -> None:
    """A static stub answering GET ``path`` with ``body`` as JSON (the journal stays on, as by default)."""
    stub = {
        "request": {"method": "GET", "url": path},
        "response": {"status": 200, "jsonBody": body, "headers": {"Content-Type": "application/json"}},
    }
    http_json(server.base, "POST", "/__admin/mappings", stub)
