"""Peak server memory while a large presigned PUT, then its download, stream through atsmock and through bare moto.

Each server runs in its own process on loopback (see bench/s3.py). Before each transfer the
server's peak RSS is reset (``/proc/PID/clear_refs``) and its RSS read; afterwards its peak
(VmHWM) is read: growth = peak - RSS before. The client streams the body from a reused 1 MiB
buffer with http.client and reads the download in 1 MiB pieces, so the client itself holds
almost nothing. Target: atsmock's upload growth <= 0.25x the object size (moto's own server
joins the body in memory, about 2.7x).

Usage: python bench/upload_memory.py [--mib 200] [--no-moto]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from s3 import BUCKET, Server, atsmock_server, moto_server  # bench/s3.py, next to this file

PIECE = 1024 * 1024


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def reset_peak(pid: int) -> int:
    """Reset the peak RSS to the current RSS (Linux: write 5 to clear_refs); the RSS now, in KiB."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass  # not permitted: the peak then includes anything before, which only overstates growth
    return rss_kib(pid, "VmRSS")


def upload(url: str, size: int, piece: bytes) -> str:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    connection.putrequest("PUT", f"{parts.path}?{parts.query}", skip_accept_encoding=True)
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    sent = 0
    while sent < size:
        chunk = piece[: min(len(piece), size - sent)]
        connection.send(chunk)
        sent += len(chunk)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"upload answered {response.status}: {body[:300]!r}")
    return response.getheader("ETag", "").strip('"')


def download(url: str) -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    connection.request("GET", f"{parts.path}?{parts.query}")
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"download answered {response.status}")
    digest, total = hashlib.md5(usedforsecurity=False), 0
    while chunk := response.read(PIECE):
        digest.update(chunk)
        total += len(chunk)
    connection.close()
    return total, digest.hexdigest()


def measure(server: Server, size: int) -> tuple[int, int]:
    """(upload growth, download growth) of the server's peak RSS, in bytes."""
    client = server.client()
    pid = server.process.pid
    piece = bytes(range(256)) * (PIECE // 256)

    def put_url(key: str) -> str:
        return str(client.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=3600))

    def get_url(key: str) -> str:
        return str(client.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=3600))

    upload(put_url("warm-up"), 4 * PIECE, piece)  # imports, buffers and pools warmed before measuring
    download(get_url("warm-up"))
    before = reset_peak(pid)
    etag = upload(put_url("large"), size, piece)
    upload_growth = (rss_kib(pid, "VmHWM") - before) * 1024
    before = reset_peak(pid)
    total, md5 = download(get_url("large"))
    download_growth = (rss_kib(pid, "VmHWM") - before) * 1024
    if total != size or md5 != etag:
        raise RuntimeError(f"{server.name}: downloaded {total} bytes, md5 {md5}, expected {size}, {etag}")
    return upload_growth, download_growth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=200, help="object size in MiB")
    parser.add_argument("--no-moto", action="store_true", help="skip the bare moto server comparison")
    args = parser.parse_args()
    size = args.mib * 1024 * 1024
    rows = []
    with atsmock_server() as atsmock:
        rows.append(("atsmock", *measure(atsmock, size)))
    if not args.no_moto:
        with moto_server() as moto:
            rows.append(("moto", *measure(moto, size)))
    print(f"object size: {size / 2**20:.0f} MiB")
    for name, up, down in rows:
        print(
            f"{name:<8} peak RSS growth: upload {up / 2**20:7.1f} MiB ({up / size:.3f}x)"
            f"   download {down / 2**20:7.1f} MiB ({down / size:.3f}x)"
        )
    ratio = rows[0][1] / size
    print(f"atsmock upload ratio {ratio:.3f}x: {'meets' if ratio <= 0.25 else 'MISSES'} the <= 0.25x target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
