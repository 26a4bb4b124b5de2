"""Fixtures for the S3 front: a frozen mock clock, a fresh S3Service with test buckets, an in-process client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from s3_support import BASE_URL, BUCKET, FIXED_NOW, REGION, SMALL_BUCKET, SMALL_LIMIT, US_BUCKET, client_for

from mockservers.config import S3Settings
from mockservers.core.clock import Clock
from mockservers.s3 import S3Service


@pytest.fixture
def clock() -> Clock:
    c = Clock()
    c.freeze()
    c.set(FIXED_NOW)
    return c


@pytest.fixture
def s3(clock: Clock) -> S3Service:
    service = S3Service(S3Settings(), clock, BASE_URL)
    service.ensure_bucket(BUCKET, REGION)
    service.ensure_bucket(SMALL_BUCKET, REGION, max_object_size=SMALL_LIMIT)
    service.ensure_bucket(US_BUCKET, "us-east-1")
    return service


@pytest.fixture
def http(s3: S3Service) -> Iterator[httpx.Client]:
    with client_for(s3.app) as client:
        yield client
