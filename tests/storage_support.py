"""``FakeStorage``: the one test double of ``mockservers.s3.Storage`` every vendor's model tests use.

It records what a model asks of S3 (presigned PUTs, GETs and POST policies) and keeps objects in a
dict, so a model test can check exactly which URL or policy it asked for and what it stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class FakeInfo:
    size: int
    content_type: str | None


class FakeWriter:
    """``Storage.writer``: bytes appear in the fake's ``objects`` on ``commit`` only."""

    def __init__(self, storage: FakeStorage, bucket: str, key: str, content_type: str, disposition: str | None) -> None:
        self._storage = storage
        self._where = (bucket, key)
        self._meta = (content_type, disposition)
        self._chunks: list[bytes] = []
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self.size += len(chunk)

    def commit(self) -> None:
        self._storage.put_bytes(*self._where, b"".join(self._chunks), *self._meta)

    def abort(self) -> None:
        self._chunks.clear()


class FakeStorage:
    """Records presigning; ``objects`` maps (bucket, key) to (bytes, content type)."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, str | None]] = {}
        self.dispositions: dict[tuple[str, str], str | None] = {}
        self.buckets: dict[str, tuple[str, int | None]] = {}
        self.puts: list[dict[str, Any]] = []
        self.posts: list[dict[str, Any]] = []
        self.gets: list[dict[str, Any]] = []

    def ensure_bucket(self, bucket: str, region: str, *, max_object_size: int | None = None) -> None:
        self.buckets[bucket] = (region, max_object_size)

    def presign_put(
        self,
        *,
        bucket: str,
        key: str,
        expires_in: int,
        region: str,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
    ) -> str:
        self.puts.append(
            {
                "bucket": bucket,
                "key": key,
                "expires_in": expires_in,
                "region": region,
                "headers": dict(headers),
                "params": dict(params or {}),
            }
        )
        return f"http://s3.test/{bucket}/{key}?put"

    def presign_get(self, **kwargs: Any) -> str:
        self.gets.append(kwargs)
        return f"http://s3.test/{kwargs['bucket']}/{kwargs['key']}?get"

    def presign_post(
        self,
        *,
        bucket: str,
        key: str,
        expires_in: int,
        region: str,
        fields: Mapping[str, str],
        conditions: Sequence[Any],
    ) -> tuple[str, dict[str, str]]:
        self.posts.append(
            {"bucket": bucket, "key": key, "expires_in": expires_in, "region": region, "conditions": conditions}
        )
        return f"http://s3.test/{bucket}", {**fields, "key": key, "policy": "p"}

    def head_object(self, bucket: str, key: str) -> FakeInfo | None:
        found = self.objects.get((bucket, key))
        return None if found is None else FakeInfo(len(found[0]), found[1])

    def copy_object(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None:
        self.objects[(dst_bucket, dst_key)] = self.objects[(src_bucket, src_key)]

    def delete_object(self, bucket: str, key: str) -> None:
        self.objects.pop((bucket, key), None)

    def put_bytes(
        self,
        bucket: str,
        key: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        content_disposition: str | None = None,
    ) -> None:
        self.objects[(bucket, key)] = (data, content_type)
        self.dispositions[(bucket, key)] = content_disposition

    def writer(
        self,
        bucket: str,
        key: str,
        content_type: str = "application/octet-stream",
        content_disposition: str | None = None,
    ) -> FakeWriter:
        return FakeWriter(self, bucket, key, content_type, content_disposition)

    def get_bytes(self, bucket: str, key: str) -> bytes:
        return self.objects[(bucket, key)][0]

    def reset(self, buckets: Iterable[str] | None = None) -> None:
        chosen = None if buckets is None else set(buckets)
        for where in [w for w in self.objects if chosen is None or w[0] in chosen]:
            del self.objects[where]
