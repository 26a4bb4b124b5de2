"""Concurrent presigned PUTs of large objects to one key: never a 500, and exactly one whole object wins."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

BUCKET = "race-bucket"


@pytest.mark.live
def test_concurrent_puts_to_one_key_leave_one_complete_object(live: Any) -> None:
    s3 = live.platform.s3
    s3.ensure_bucket(BUCKET, "us-east-1")
    bodies = [bytes([i]) * (3 * 1024 * 1024 + i) for i in range(12)]  # distinct sizes and bytes

    def put(body: bytes) -> int:
        url = s3.presign_put(bucket=BUCKET, key="same/key.bin", expires_in=300, region="us-east-1", headers={})
        with httpx.Client(timeout=60) as http:
            return http.put(url, content=body).status_code

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        statuses = list(pool.map(put, bodies))
    assert statuses == [200] * len(bodies)
    url = s3.presign_get(bucket=BUCKET, key="same/key.bin", expires_in=300, region="us-east-1")
    stored = httpx.get(url, timeout=60).content
    assert hashlib.sha256(stored).hexdigest() in {hashlib.sha256(b).hexdigest() for b in bodies}
    info = s3.head_object(BUCKET, "same/key.bin")
    assert info is not None and info.size == len(stored)
