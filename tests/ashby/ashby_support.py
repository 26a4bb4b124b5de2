"""Shared helpers for the Ashby tests: a fake object store and an exact error assertion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from mockservers.core.errors import VendorError


@dataclass
class FakeInfo:
    size: int
    content_type: str | None


class FakeObjects:
    """Records what the store asks of S3; ``objects`` maps (bucket, key) to (bytes, content type)."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, str | None]] = {}
        self.posts: list[dict[str, Any]] = []
        self.gets: list[dict[str, Any]] = []
        self.dispositions: dict[tuple[str, str], str | None] = {}

    def presign_post(
        self,
        *,
        bucket: str,
        key: str,
        expires_in: int,
        region: str,
        fields: Mapping[str, str],
        conditions: list[Any],
    ) -> tuple[str, dict[str, str]]:
        self.posts.append(
            {"bucket": bucket, "key": key, "expires_in": expires_in, "region": region, "conditions": conditions}
        )
        return f"http://s3.test/{bucket}", {**fields, "key": key, "policy": "p"}

    def presign_get(self, **kwargs: Any) -> str:
        self.gets.append(kwargs)
        return f"http://s3.test/{kwargs['bucket']}/{kwargs['key']}?signed"

    def head_object(self, bucket: str, key: str) -> FakeInfo | None:
        found = self.objects.get((bucket, key))
        return None if found is None else FakeInfo(len(found[0]), found[1])

    def copy_object(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None:
        self.objects[(dst_bucket, dst_key)] = self.objects[(src_bucket, src_key)]

    def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str, content_disposition: str | None) -> None:
        self.objects[(bucket, key)] = (data, content_type)
        self.dispositions[(bucket, key)] = content_disposition


def assert_error(exc: pytest.ExceptionInfo[VendorError], status: int, code: str, message: str) -> None:
    assert (exc.value.status, exc.value.code, exc.value.message) == (status, code, message)
