"""``BudgetedStore``: the object store with a count of the bytes and objects it holds, so that uploads by
clients (presigned PUTs and POSTs to the front) stop at ``s3.max_stored_bytes`` and ``s3.max_objects``.

Vendors bound their own records (``max_documents``, ``max_stored_bytes``...), but a temporary
upload (a PageUp temp upload, an Ashby upload handle) holds an object for its whole lifetime
before any record is made, and the mock's S3 secret is public: without this, a hostile client
could fill memory or disk with 100,000 prepared uploads of a few MiB each. Every write and
delete of the store goes through here, so the count stays exact; only the front refuses (a
vendor's own write is bounded by that vendor's limits). Cost: one ``head`` per commit and delete.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from mockservers.s3.errors import S3Error
from mockservers.s3.store import ObjectInfo, ObjectMeta, ObjectReader, ObjectStore, Upload


class BudgetedStore:
    def __init__(
        self, inner: ObjectStore, max_bytes: int, max_objects: int, held: Iterable[tuple[str, int]] = ()
    ) -> None:
        """``held``: (bucket, size) of each object the store holds already (a state directory's)."""
        self.inner = inner
        self.blocking = inner.blocking
        self.max_bytes = max_bytes
        self.max_objects = max_objects
        self._lock = threading.Lock()
        self._buckets: dict[str, list[int]] = {}
        """bucket -> [bytes, objects] held."""
        self.bytes = self.objects = 0
        for bucket, size in held:
            self._add(bucket, size, 1)

    def _add(self, bucket: str, size: int, count: int) -> None:
        with self._lock:
            totals = self._buckets.setdefault(bucket, [0, 0])
            totals[0] += size
            totals[1] += count
            self.bytes += size
            self.objects += count

    def refusal(self, bucket: str, key: str, size: int) -> S3Error | None:
        """The error for a client upload of ``size`` bytes to ``bucket/key`` that would pass the budget, or None."""
        old = self.inner.head(bucket, key)
        grows = size - (old.size if old is not None else 0)
        new = 0 if old is not None else 1
        if self.bytes + grows <= self.max_bytes and self.objects + new <= self.max_objects:
            return None
        return quota_exceeded(self.max_bytes, self.max_objects)

    # -- the ObjectStore protocol ----------------------------------------------------------------------

    def create_bucket(self, bucket: str, region: str) -> None:
        self.inner.create_bucket(bucket, region)

    def begin_upload(self, bucket: str, key: str) -> Upload:
        return _CountedUpload(self, bucket, key, self.inner.begin_upload(bucket, key))

    def open(self, bucket: str, key: str) -> ObjectReader | None:
        return self.inner.open(bucket, key)

    def head(self, bucket: str, key: str) -> ObjectInfo | None:
        return self.inner.head(bucket, key)

    def copy(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None:
        old = self.inner.head(dst_bucket, dst_key)
        self.inner.copy(src_bucket, src_key, dst_bucket, dst_key)
        self._replaced(dst_bucket, old, self.inner.head(dst_bucket, dst_key))

    def delete(self, bucket: str, key: str) -> None:
        old = self.inner.head(bucket, key)
        self.inner.delete(bucket, key)
        self._replaced(bucket, old, None)

    def clear(self, buckets: Iterable[str]) -> None:
        names = list(buckets)
        self.inner.clear(names)
        for name in names:
            size, count = self._buckets.get(name, [0, 0])
            self._add(name, -size, -count)

    def _replaced(self, bucket: str, old: ObjectInfo | None, new: ObjectInfo | None) -> None:
        size = (new.size if new is not None else 0) - (old.size if old is not None else 0)
        self._add(bucket, size, (new is not None) - (old is not None))


class _CountedUpload:
    def __init__(self, store: BudgetedStore, bucket: str, key: str, inner: Upload) -> None:
        self._store = store
        self._bucket = bucket
        self._key = key
        self._inner = inner
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._inner.write(chunk)
        self.size = self._inner.size

    def md5(self) -> bytes:
        return self._inner.md5()

    def commit(self, meta: ObjectMeta) -> ObjectInfo:
        old = self._store.inner.head(self._bucket, self._key)
        info = self._inner.commit(meta)
        self._store._replaced(self._bucket, old, info)
        return info

    def abort(self) -> None:
        self._inner.abort()


def quota_exceeded(max_bytes: int, max_objects: int) -> S3Error:
    """403 ``QuotaExceeded``, as Ceph's S3 (RGW) answers a full bucket quota (AWS S3 has no quota to exceed)."""
    return S3Error(
        403,
        "QuotaExceeded",
        f"atsmock's S3 holds at most {max_bytes} bytes in {max_objects} objects (s3.max_stored_bytes, "
        "s3.max_objects); delete objects or reset",
    )
