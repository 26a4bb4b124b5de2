"""Presigned PUTs of 1 KiB objects per second through atsmock's S3 front, beside a bare moto server, in one run.

Both servers run in their own process on loopback: atsmock as the full app (dispatcher, journal,
faults, the verifying front, moto models as the store) under uvicorn, moto as ``python -m
moto.server``. boto3 presigns every URL up front (not timed); one keep-alive connection then
sends the PUTs one after another, alternating rounds between the servers. The ratio is
atsmock / moto; the target is >= 1.0 (verifying must not make atsmock slower than moto's server).

Usage: python bench/s3.py [--requests 3000] [--rounds 3]
Also imported by bench/upload_memory.py for the server helpers.
"""

from __future__ import annotations

import argparse
import http.client
import re
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
"""The repository: atsmock runs from here (``python -c`` puts the working directory on sys.path)."""

BUCKET = "atsmock-bench"
REGION = "us-east-1"

ATSMOCK_APP = textwrap.dedent(
    """
    import sys, uvicorn
    from mockservers.app import create_app
    from mockservers.config import Settings
    port, bucket = int(sys.argv[1]), sys.argv[2]
    app = create_app(Settings().with_server(host="127.0.0.1", port=port))
    app.platform.s3.ensure_bucket(bucket, "us-east-1")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on")
    """
)


@dataclass
class Server:
    name: str
    url: str
    """Base of the S3 endpoint (atsmock: ``.../s3``)."""
    process: subprocess.Popen[bytes]
    access_key: str
    secret_key: str

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key, region_name=REGION
        )
        config = Config(signature_version="s3v4", s3={"addressing_style": "path"})
        return session.client("s3", endpoint_url=self.url, config=config)


def default_s3_settings() -> Any:
    """atsmock's default presigning key pair, read from the checkout this script belongs to."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from mockservers.config import S3Settings

    return S3Settings()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def atsmock_server() -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", ATSMOCK_APP, str(port), BUCKET], cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/__admin/health", process)
        settings = default_s3_settings()
        yield Server("atsmock", f"{base}/s3", process, settings.access_key, settings.secret_key)
    finally:
        stop(process)


@contextmanager
def moto_server() -> Iterator[Server]:
    log: IO[bytes] = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 30
        match = None
        while match is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto_server did not start")
            time.sleep(0.02)
            log.seek(0)
            match = re.search(rb"Running on (http://127\.0\.0\.1:\d+)", log.read())
        url = match.group(1).decode()
        wait_until_up(f"{url}/moto-api/", process)
        server = Server("moto", url, process, "test", "test")
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def presigned_puts(server: Server, count: int, prefix: str) -> list[str]:
    client = server.client()
    return [
        client.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": f"{prefix}/{i}"}, ExpiresIn=3600)
        for i in range(count)
    ]


def put_all(urls: list[str], body: bytes) -> float:
    """Send every PUT over one keep-alive connection; the seconds it took."""
    first = urlsplit(urls[0])
    connection = http.client.HTTPConnection(first.hostname, first.port, timeout=30)
    started = time.perf_counter()
    for url in urls:
        parts = urlsplit(url)
        connection.request("PUT", f"{parts.path}?{parts.query}", body=body, headers={"Content-Length": str(len(body))})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"PUT answered {response.status}")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="PUTs per server, split across rounds")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    body = b"x" * 1024
    per_round = max(1, args.requests // args.rounds)
    with atsmock_server() as atsmock, moto_server() as moto:
        servers = (atsmock, moto)
        totals = {s.name: [0.0, 0] for s in servers}
        for server in servers:
            put_all(presigned_puts(server, 100, "warm-up"), body)
        for round_number in range(args.rounds):
            for server in servers if round_number % 2 == 0 else reversed(servers):
                urls = presigned_puts(server, per_round, f"round-{round_number}")
                totals[server.name][0] += put_all(urls, body)
                totals[server.name][1] += len(urls)
    rates = {name: count / seconds for name, (seconds, count) in totals.items()}
    for name, rate in rates.items():
        print(f"{name:<8} {int(totals[name][1]):>6} presigned PUTs of 1 KiB  {rate:>8.0f} PUT/s")
    print(f"ratio atsmock/moto: {rates['atsmock'] / rates['moto']:.2f} (target >= 1.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
