"""atsmock's RSS after 10,000 and after 1,000,000 authenticated PageUp document reads (target: within 10%).

One ``atsmock serve`` process on loopback, journal on and faults on (see bench/servers.py); a token
and a document from HTTP setup steps; then wrk (``-t1 -c4``, bench/wrk.py) reads the document in
runs of at most ``--chunk-seconds``, each with a fresh token (tokens live 300 s on the mock clock),
until the counts are reached. The RSS (VmRSS) is read after the first ``--first`` requests (sent by
bench/loadgen.py, which stops on a count) and after ``--requests`` in all; every answer must be 200.
wrk stops on time, not on a count: the total is at least ``--requests``, and printed.

Usage: python bench/memory_soak.py [--requests 1000000] [--first 10000] [--connections 4] [--chunk-seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import wrk  # bench/wrk.py
from loadgen import Connection, HttpError, run_count  # bench/loadgen.py
from servers import PAGEUP_DOCUMENTS, PageUpSession, start_atsmock  # bench/servers.py

TARGET = 0.10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--first", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--chunk-seconds", type=float, default=60.0)
    args = parser.parse_args()
    if not wrk.available():
        print("SKIP: wrk is not installed (Debian: apt-get install wrk); nothing measured")
        return 0
    server = start_atsmock()
    try:
        session = PageUpSession(server.base)
        url = f"{server.base}{PAGEUP_DOCUMENTS}/{session.upload()['id']}"
        print(f"atsmock RSS after start-up and setup: {server.rss_mib():.1f} MiB", flush=True)
        target = url.removeprefix(server.base)

        async def read(conn: Connection) -> None:
            answer = await conn.request("GET", target, session.auth)
            if answer.status != 200:
                raise HttpError(f"the document read answered {answer.status}: {answer.body[:300]!r}")

        session.refresh()
        started = time.perf_counter()
        done = asyncio.run(run_count("127.0.0.1", server.port, read, connections=args.connections, count=args.first))
        seconds = time.perf_counter() - started
        rate, failures = done / seconds, 0
        readings = [(done, server.rss_mib())]
        print(f"  {done:>10,} requests, RSS {readings[0][1]:.1f} MiB", flush=True)
        while done < args.requests:
            # A little past what is left at the last rate seen: wrk stops on time, not on a count.
            chunk = min(args.chunk_seconds, max(1.0, (args.requests - done) / rate * 1.05))
            result = wrk.run(
                url,
                connections=args.connections,
                seconds=chunk,
                headers={"Authorization": f"Bearer {session.refresh()}"},
            )
            done += result.requests
            seconds += result.seconds
            failures += result.non_2xx + result.socket_errors
            rate = max(result.per_second, 1.0)
            print(f"  {done:>10,} requests, {rate:,.0f} req/s, RSS {server.rss_mib():.1f} MiB", flush=True)
        readings.append((done, server.rss_mib()))
    finally:
        server.stop()
    (first_count, first_rss), (last_count, last_rss) = readings
    growth = last_rss / first_rss - 1
    print()
    print(f"RSS after {first_count:,} requests: {first_rss:.1f} MiB")
    print(f"RSS after {last_count:,} requests: {last_rss:.1f} MiB ({growth:+.1%}; target within {TARGET:.0%})")
    print(f"{done:,} requests in {seconds:.0f} s ({done / seconds:,.0f} req/s), {failures} not answered 200")
    verdict = "met" if abs(growth) <= TARGET and not failures else "NOT met"
    print(f"target: RSS after {last_count:,} within {TARGET:.0%} of after {first_count:,}: {verdict}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
