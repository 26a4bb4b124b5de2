"""Requests per second and p99 of atsmock's authenticated paths, beside Prism, WireMock and a bare Starlette app.

One run measures, at each of ``--connections`` (default 1 and 4), for ``--seconds`` each:

- bare Starlette ``GET /hello`` (the floor: uvicorn[standard] + Starlette, nothing else);
- atsmock ``GET /__admin/health`` and a PageUp read with a bad token (the request path without work);
- atsmock authenticated PageUp ``GET /pageup/v3/218/recruitment/document/{id}``: bearer check, a
  presigned download URL, the journal, the fault plan (``servers.start_atsmock``: faults on);
- atsmock authenticated Ashby ``POST /ashby/candidate.info`` (Basic API key, JSON body);
- atsmock's full PageUp upload workflow: token reused, ``prepareTempDirectUpload``, the presigned PUT
  of 1 KiB to atsmock's S3, ``moveFromTemp``. wrk cannot chain a request on the previous answer per
  connection, so ``bench/loadgen.py`` drives it (closed loop, keep-alive, hand-written HTTP/1.1): its
  req/s counts the three requests, its p99 is that of the whole workflow;
- Prism (npm ``@stoplight/prism-cli``) mocking the Clinch seed's document, ``GET /candidates/{id}``
  with Basic credentials (the seed has no response bodies: 200, empty);
- WireMock (npm ``wiremock``, run as ``java -jar``) answering a static stub with the very JSON atsmock
  answered for the document read, after ``--wiremock-warmup`` seconds (15) of load to warm its JIT.

wrk runs one thread (``-t1``) with a generated Lua script (``bench/wrk.py``) for the method, headers
and body; every answer must be 2xx (a run with errors is flagged and the exit status is 1). Each
server runs alone. Tokens, documents and the candidate come from HTTP setup steps; a fresh PageUp
token is fetched before each measurement (tokens live 300 s on the mock clock). The server's RSS
(VmRSS) is read before the first and after the last measurement. The targets (issue #16) are printed
with the figures; this is a benchmark, not a test.

Every row also shows the "other" load: cores busy meanwhile that were not charged to the server or
to the bench (/proc/stat minus both processes' CPU time): other processes on a shared machine, and
kernel work charged to no process (ksoftirqd; a JVM's many connections show some). A disturbed row
shows instead of passing for a slow server. ``--wait-for-idle N`` waits up to N seconds for a quiet
second before each row.

Usage: python bench/throughput.py [--seconds 5] [--connections 1,4] [--no-prism] [--no-wiremock]
       [--wiremock-warmup 15] [--wait-for-idle 0] [--cache ~/.cache/atsmock-bench] [--clinch-seed PATH]
       [--json results.json]
Skips with a message when wrk is not installed (Debian: apt-get install wrk), and skips Prism or
WireMock with the reason when npm, node or java cannot provide them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import wrk  # bench/wrk.py
from loadgen import Connection, HttpError, Workflow, run_workflows, target_of  # bench/loadgen.py
from servers import (  # bench/servers.py
    ASHBY_KEY,
    CLINCH_SEED,
    DEFAULT_CACHE,
    PAGEUP_DOCUMENTS,
    PageUpSession,
    Server,
    Unavailable,
    ashby_candidate,
    basic,
    start_atsmock,
    start_bare,
    start_prism,
    start_wiremock,
    wait_for_idle,
    wiremock_stub,
)

READ = "atsmock pageup GET document (token, presign, journal, faults)"
ROOMY = {"ATSMOCK_PAGEUP_MAX_DOCUMENTS": "100000000"}
"""PageUp's document bound raised: the workflow rows file a document per workflow, and at ~700 workflows/s the
default 10,000 refused moveFromTemp half-way through the second row (a 400, and a FAILED row)."""
TARGET_PRISM = 3.0
TARGET_WIREMOCK = 0.6


@dataclass
class Row:
    system: str
    name: str
    connections: int
    per_second: float
    p99_ms: float
    other_cores: float
    note: str = ""
    failed: bool = False


class Bench:
    """The rows measured so far, and how each is measured."""

    def __init__(self, seconds: float, idle_wait: float) -> None:
        self.seconds = seconds
        self.idle_wait = idle_wait
        self.rows: list[Row] = []

    def _settle(self) -> None:
        if self.idle_wait:
            wait_for_idle(self.idle_wait)

    def add(self, row: Row, detail: str) -> None:
        self.rows.append(row)
        print(
            f"  {row.name} @{row.connections}: {row.per_second:,.0f} req/s, {detail}"
            f" (other load {row.other_cores:.2f} cores) {row.note}",
            flush=True,
        )

    def wrk(
        self, server: Server, name: str, url: str, connections: int, *, refused: bool = False, **request: Any
    ) -> None:
        """One wrk row; every answer must be 2xx (or, when ``refused``, none may be)."""
        self._settle()
        load = server.other_load()
        result = wrk.run(url, connections=connections, seconds=self.seconds, **request)
        wrong = result.requests - result.non_2xx if refused else result.non_2xx
        failed = bool(wrong or result.socket_errors)
        note = f"FAILED: {wrong} unexpected answers, {result.socket_errors} socket errors" if failed else ""
        row = Row(server.name, name, connections, result.per_second, result.p99_ms, load.cores(), note, failed)
        self.add(row, f"p99 {row.p99_ms:.2f} ms")

    def workflow(self, server: Server, session: PageUpSession, connections: int) -> None:
        name = "atsmock pageup upload workflow (prepare, PUT 1 KiB, move)"
        self._settle()
        load = server.other_load()
        try:
            result = asyncio.run(
                run_workflows(
                    "127.0.0.1",
                    server.port,
                    upload_workflow(session),
                    connections=connections,
                    seconds=self.seconds,
                    steps=3,
                )
            )
        except (HttpError, OSError) as error:
            self.add(Row(server.name, name, connections, 0.0, float("nan"), load.cores(), f"FAILED: {error}", True), "")
            return
        p99_ms = result.percentile(99) * 1000
        note = f"{result.per_second:,.0f} workflows/s; p99 of a whole workflow"
        row = Row(server.name, name, connections, result.requests_per_second, p99_ms, load.cores(), note)
        self.add(row, f"p99 {p99_ms:.2f} ms per workflow")


def upload_workflow(session: PageUpSession) -> Workflow:
    """prepareTempDirectUpload, the presigned PUT of 1 KiB, moveFromTemp; every answer must be 200."""
    payload = b"x" * 1024
    auth = session.auth
    prepare = f"{PAGEUP_DOCUMENTS}/prepareTempDirectUpload?filename=bench.txt"
    move_headers = {**auth, "Content-Type": "application/json"}

    def check(step: str, status: int, body: bytes) -> None:
        if status != 200:
            raise HttpError(f"{step} answered {status}: {body[:300]!r}")

    async def workflow(conn: Connection) -> None:
        answer = await conn.request("GET", prepare, auth)
        check("prepare", answer.status, answer.body)
        prepared = answer.json()
        put_headers = {**prepared["headers"], "Content-Type": prepared["contentType"]}
        answer = await conn.request("PUT", target_of(prepared["url"]), put_headers, payload)
        check("PUT", answer.status, answer.body)
        move = {
            "title": "Bench document",
            "fileName": "bench.txt",
            "physicalFile": prepared["physicalFile"],
            "documentCategoryId": 7,
        }
        answer = await conn.request("POST", f"{PAGEUP_DOCUMENTS}/moveFromTemp", move_headers, json.dumps(move).encode())
        check("moveFromTemp", answer.status, answer.body)

    return workflow


def run_atsmock(bench: Bench, connections: list[int]) -> tuple[dict[str, float], Any]:
    """Every atsmock row; the RSS before and after, and the document read's answer (WireMock's stub)."""
    print("atsmock:", flush=True)
    server = start_atsmock(ROOMY)
    try:
        session = PageUpSession(server.base)
        document = session.upload()
        read_url = f"{server.base}{PAGEUP_DOCUMENTS}/{document['id']}"
        answer = json.loads(session.read(document["id"]))
        candidate = ashby_candidate(server.base)
        rss = {"before": server.rss_mib()}
        for c in connections:
            bench.wrk(server, "atsmock GET /__admin/health", f"{server.base}/__admin/health", c)
            bad = {"Authorization": "Bearer not-a-token"}
            bench.wrk(server, "atsmock pageup GET document, bad token", read_url, c, headers=bad, refused=True)
            bench.wrk(server, READ, read_url, c, headers={"Authorization": f"Bearer {session.refresh()}"})
            bench.wrk(
                server,
                "atsmock ashby POST candidate.info (API key, JSON body)",
                f"{server.base}/ashby/candidate.info",
                c,
                method="POST",
                headers={"Authorization": basic(ASHBY_KEY), "Content-Type": "application/json"},
                body=json.dumps({"id": candidate}).encode(),
            )
            session.refresh()
            bench.workflow(server, session, c)
        rss["after"] = server.rss_mib()
        return rss, answer
    finally:
        server.stop()


Target = tuple[str, str, dict[str, Any]]
"""What to measure on a started server: the row's name, the URL, and wrk's method/headers/body."""


def run_other(
    bench: Bench,
    system: str,
    starter: Callable[[], Server],
    target: Callable[[Server], Target],
    connections: list[int],
    warmup: float = 0.0,
) -> dict[str, float] | None:
    """Prism's or WireMock's rows (skipped with the reason when it cannot be installed or started)."""
    print(f"{system}:", flush=True)
    try:
        server = starter()
    except Unavailable as why:
        print(f"  SKIP {system}: {why}", flush=True)
        return None
    try:
        name, url, request = target(server)
        if warmup:
            print(f"  warming up for {warmup:.0f} s ...", flush=True)
            wrk.run(url, connections=max(connections), seconds=warmup, **request)
        rss = {"before": server.rss_mib()}
        for c in connections:
            bench.wrk(server, name, url, c, **request)
        rss["after"] = server.rss_mib()
        return rss
    finally:
        server.stop()


def ratio(row: Row, rows: list[Row], system: str) -> float | None:
    for other in rows:
        if other.system == system and other.connections == row.connections and other.per_second and not other.failed:
            return row.per_second / other.per_second
    return None


def report(rows: list[Row], rss: dict[str, dict[str, float] | None]) -> None:
    print()
    header = (
        f"{'target':<62} {'conns':>5} {'req/s':>9} {'p99 ms':>8} {'x prism':>8} {'x wiremock':>10} {'other':>6}  note"
    )
    print(header)
    print("-" * len(header))
    order = {"bare": 0, "atsmock": 1, "prism": 2, "wiremock": 3}
    for row in sorted(rows, key=lambda r: (r.connections, order.get(r.system, 9))):
        cells = []
        for system in ("prism", "wiremock"):
            value = ratio(row, rows, system) if row.system in ("atsmock", "bare") else None
            cells.append(f"{value:.2f}x" if value is not None else "")
        print(
            f"{row.name:<62} {row.connections:>5} {row.per_second:>9,.0f} {row.p99_ms:>8.2f} "
            f"{cells[0]:>8} {cells[1]:>10} {row.other_cores:>6.2f}  {row.note}"
        )
    print("(other: busy cores charged to neither the server nor the bench during the row; see the docstring)")
    print()
    for system, figures in rss.items():
        if figures:
            print(f"{system} RSS: {figures['before']:.1f} MiB before, {figures['after']:.1f} MiB after")
    read = max((r for r in rows if r.name == READ), key=lambda r: r.connections, default=None)
    if read is not None:
        print()
        for system, target in (("prism", TARGET_PRISM), ("wiremock", TARGET_WIREMOCK)):
            value = ratio(read, rows, system)
            if value is None:
                print(f"target: pageup read @{read.connections} >= {target}x {system}: not measured ({system} skipped)")
            else:
                verdict = "met" if value >= target else "NOT met"
                print(f"target: pageup read @{read.connections} >= {target}x {system}: {value:.2f}x, {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", default="1,4", help="comma-separated connection counts (default 1,4)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="npm prefix for Prism and WireMock")
    parser.add_argument("--clinch-seed", type=Path, default=CLINCH_SEED, help="the Clinch OpenAPI document")
    parser.add_argument("--wiremock-warmup", type=float, default=15.0)
    parser.add_argument(
        "--wait-for-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each row, wait up to this long for the machine to be idle (on a shared machine)",
    )
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument("--no-wiremock", action="store_true")
    parser.add_argument("--json", type=Path, help="also write every row and RSS figure here")
    args = parser.parse_args()
    if not wrk.available():
        print("SKIP: wrk is not installed (Debian: apt-get install wrk); no figures measured")
        return 0
    connections = [int(c) for c in args.connections.split(",")]
    bench = Bench(args.seconds, args.wait_for_idle)
    rss: dict[str, dict[str, float] | None] = {}

    print("bare starlette:", flush=True)
    bare = start_bare()
    try:
        for c in connections:
            bench.wrk(bare, "bare starlette GET /hello", f"{bare.base}/hello", c)
    finally:
        bare.stop()

    rss["atsmock"], read_answer = run_atsmock(bench, connections)

    if args.no_prism:
        print("prism: SKIP (--no-prism)")
    else:

        def clinch(server: Server) -> Target:
            headers = {"Authorization": basic("bench-key", "bench-secret")}
            return "prism: Clinch seed GET /candidates/{id}", f"{server.base}/candidates/1", {"headers": headers}

        rss["prism"] = run_other(bench, "prism", lambda: start_prism(args.cache, args.clinch_seed), clinch, connections)
    if args.no_wiremock:
        print("wiremock: SKIP (--no-wiremock)")
    else:

        def stub(server: Server) -> Target:
            path = f"{PAGEUP_DOCUMENTS}/8621"
            wiremock_stub(server, path, read_answer)
            return "wiremock: static stub (the document read's JSON)", f"{server.base}{path}", {}

        rss["wiremock"] = run_other(
            bench, "wiremock", lambda: start_wiremock(args.cache), stub, connections, args.wiremock_warmup
        )

    report(bench.rows, rss)
    if args.json:
        args.json.write_text(json.dumps({"rows": [asdict(r) for r in bench.rows], "rss_mib": rss}, indent=2))
    return 1 if any(r.failed for r in bench.rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
