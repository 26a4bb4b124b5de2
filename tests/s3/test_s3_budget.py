"""The embedded store's budget (``s3.max_stored_bytes``, ``s3.max_objects``): a client's PUT or POST that would
pass it is 403 ``QuotaExceeded``, and every write, replace, delete and reset keeps the count exact."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from s3_support import BASE_URL, BUCKET, REGION, client_for, s3_error

from mockservers.config import S3Settings
from mockservers.core.clock import Clock
from mockservers.s3 import S3Service

MESSAGE = (
    "atsmock's S3 holds at most 1000 bytes in 3 objects (s3.max_stored_bytes, s3.max_objects); delete objects or reset"
)
QUOTA = (403, "QuotaExceeded", MESSAGE)


@pytest.fixture
def small(clock: Clock) -> S3Service:
    service = S3Service(S3Settings(max_stored_bytes=1000, max_objects=3), clock, BASE_URL)
    service.ensure_bucket(BUCKET, REGION)
    return service


@pytest.fixture
def client(small: S3Service) -> httpx.Client:
    return client_for(small.app)


def put(s3: S3Service, http: httpx.Client, key: str, size: int) -> httpx.Response:
    url = s3.presign_put(bucket=BUCKET, key=key, expires_in=600, region=REGION, headers={})
    return http.put(url, content=b"x" * size)


def post(s3: S3Service, http: httpx.Client, key: str, size: int) -> httpx.Response:
    url, fields = s3.presign_post(bucket=BUCKET, key=key, expires_in=600, region=REGION, fields={}, conditions=[])
    return http.post(url, data=fields, files={"file": ("f.bin", b"x" * size)})


def test_a_put_past_the_bytes_is_quota_exceeded_and_stores_nothing(small: S3Service, client: httpx.Client) -> None:
    assert put(small, client, "a", 600).status_code == 200
    assert s3_error(put(small, client, "b", 401)) == QUOTA
    assert small.head_object(BUCKET, "b") is None
    assert put(small, client, "b", 400).status_code == 200  # exactly the budget
    assert small.budget is not None and (small.budget.bytes, small.budget.objects) == (1000, 2)


def test_a_post_past_the_bytes_is_quota_exceeded(small: S3Service, client: httpx.Client) -> None:
    assert post(small, client, "a", 900).status_code == 204
    assert s3_error(post(small, client, "b", 101)) == QUOTA
    assert small.head_object(BUCKET, "b") is None


def test_objects_are_counted_too(small: S3Service, client: httpx.Client) -> None:
    for key in "abc":
        assert put(small, client, key, 0).status_code == 200
    assert s3_error(put(small, client, "d", 0)) == QUOTA
    assert put(small, client, "a", 10).status_code == 200  # replacing adds no object


def test_replacing_counts_the_difference(small: S3Service, client: httpx.Client) -> None:
    assert put(small, client, "a", 900).status_code == 200
    assert put(small, client, "a", 1000).status_code == 200  # 1000 replaces 900, not 1900
    assert small.budget is not None and (small.budget.bytes, small.budget.objects) == (1000, 1)


def test_deletes_copies_vendor_writes_and_resets_keep_the_count(small: S3Service, client: httpx.Client) -> None:
    small.put_bytes(BUCKET, "vendor", b"v" * 300)  # a vendor's own write counts, and is never refused
    small.copy_object(BUCKET, "vendor", BUCKET, "copy")
    budget = small.budget
    assert budget is not None and (budget.bytes, budget.objects) == (600, 2)
    assert s3_error(put(small, client, "a", 401)) == QUOTA
    small.delete_object(BUCKET, "copy")
    assert (budget.bytes, budget.objects) == (300, 1)
    assert put(small, client, "a", 700).status_code == 200
    url = small.signer().presign_url(
        "DELETE",
        small.object_url(BUCKET, "a"),
        now=small.clock.now(),
        region=REGION,
        expires_in=60,
        headers={},
        params={},
    )
    assert client.delete(url).status_code == 204
    assert (budget.bytes, budget.objects) == (300, 1)
    small.reset()
    assert (budget.bytes, budget.objects) == (0, 0)
    assert put(small, client, "a", 1000).status_code == 200


def test_a_state_directory_s_objects_count_after_a_restart(clock: Clock, tmp_path: Path) -> None:
    from mockservers.core.sqlite_state import SqliteState

    settings = S3Settings(max_stored_bytes=1000, max_objects=3)
    first = S3Service(settings, clock, BASE_URL, SqliteState(tmp_path / "state"))
    first.ensure_bucket(BUCKET, REGION)
    first.put_bytes(BUCKET, "kept", b"k" * 800)
    first.state.close()
    again = S3Service(settings, clock, BASE_URL, SqliteState(tmp_path / "state"))
    again.ensure_bucket(BUCKET, REGION)
    with client_for(again.app) as http:
        assert s3_error(put(again, http, "b", 201)) == QUOTA
        assert put(again, http, "b", 200).status_code == 200
