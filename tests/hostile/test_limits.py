"""Request lines and headers are bounded (414, 431) and the journal keeps a bounded copy of each request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockservers.core.dispatch import MAX_HEADER_BYTES, MAX_URL_BYTES
from mockservers.core.journal import JOURNAL_HEADER_BYTES
from mockservers.vendors import served

PATHS = ["/__admin/requests", "/s3/bucket/key", *(f"/{v.name}/x" for v in served())]


@pytest.mark.parametrize("path", PATHS)
def test_headers_over_the_limit_are_a_431_before_anything_runs(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"X-Big": "b" * MAX_HEADER_BYTES})
    assert (response.status_code, response.json()) == (
        431,
        {
            "error": {
                "code": "request_header_fields_too_large",
                "message": f"the request line and headers are larger than {MAX_HEADER_BYTES} bytes",
            }
        },
    )


@pytest.mark.parametrize("path", PATHS)
def test_a_url_over_the_limit_is_a_414(client: httpx.Client, path: str) -> None:
    response = client.get(path, params={"q": "u" * MAX_URL_BYTES})
    assert (response.status_code, response.json()["error"]["code"]) == (414, "uri_too_long")


def test_the_journal_keeps_a_bounded_copy_of_large_headers(client: httpx.Client) -> None:
    big = {f"X-Pad-{i}": "p" * 4000 for i in range(12)}  # ~48 KiB: accepted, but not kept whole
    response = client.get("/s3/bucket/key", headers={**big, "Authorization": "Bearer s3cr3t"})
    assert response.status_code == 404  # no such bucket: S3 answers NoSuchBucket
    listed = client.get("/__admin/requests", params={"limit": 1})
    [entry] = listed.json()["requests"]
    kept = entry["request"]["headers"]
    assert len(listed.content) < JOURNAL_HEADER_BYTES + 4096
    assert kept["x-pad-0"] == "p" * 256 + "...[4000 bytes]"
    assert kept.get("authorization", "[redacted]") == "[redacted]"
    assert sum(len(k) + len(v) for k, v in kept.items()) <= JOURNAL_HEADER_BYTES + 100


@pytest.mark.live
def test_an_8_mib_header_over_the_wire_is_refused_and_not_kept(live: Any) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as http:
        for _ in range(3):
            response = http.get("/s3/bucket/key", headers={"X-Huge": "h" * (8 * 1024 * 1024)})
            assert response.status_code == 431
        assert len(live.platform.journal) == 0
        assert http.get("/__admin/health").status_code == 200
