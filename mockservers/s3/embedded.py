"""The embedded store: moto's own S3 models (``S3Backend``, ``FakeBucket``, ``FakeKey``), one set per S3Service.

moto's models hold the bytes (each key in a spooled temporary file) and the metadata; moto's HTTP
layer and its process-global backends are not used. Three moto habits are undone on purpose:
buckets register their names process-wide (so two apps could not both have ``pageup-temp``),
every model instance is kept in a class-level list (a leak for a long-running server), and a
``FakeKey`` dropped without ``dispose()`` warns. Uploads write straight into the key's spool file
with an incremental MD5, so no upload is ever joined in memory.

Importing this module imports moto (~0.35 s); ``S3Service`` does it on first use.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.s3.models import FakeBucket, FakeKey, S3Backend, get_canned_acl, s3_backends

from mockservers.core.clock import Clock
from mockservers.s3.store import CHUNK_SIZE, DEFAULT_CONTENT_TYPE, ObjectInfo, ObjectMeta

SPOOL_SIZE = 1024 * 1024
"""Bytes of an object kept in memory before its spool file moves to disk."""

CANNED_ACLS = frozenset(
    {
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "aws-exec-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
        "log-delivery-write",
    }
)

_STORED_HEADERS = ("cache-control", "content-encoding", "content-language", "expires")
_META_PREFIX = "x-amz-meta-"


class StoredKey(FakeKey):
    """moto's ``FakeKey`` plus the canned ACL name the upload asked for; closes its spool file when dropped.

    Keys are never disposed while in use: a download holds its key, so replacing or deleting the
    object mid-download is safe, and the file closes when the last holder lets go (a finaliser
    registered in ``MotoStore._new_key``; ``__del__`` only marks the key disposed, without moto's warning).
    """

    canned_acl = "private"
    info: ObjectInfo | None = None
    """What ``_info`` made of the key once it was committed (a committed key never changes: a new upload
    or a copy is a new key), so a HEAD, a download or a copy does not read moto's metadata again."""

    def __del__(self) -> None:
        self.dispose()


def _untrack(*models: Any) -> None:
    """Drop models from moto's class-level instance lists (they would otherwise live forever)."""
    for model in models:
        tracked: list[Any] = type(model).instances_tracked
        for i in range(len(tracked) - 1, -1, -1):
            if tracked[i] is model:
                del tracked[i]
                break


def _untrack_acl(acl: Any) -> None:
    for grant in acl.grants:
        _untrack(*grant.grantees)
        _untrack(grant)
    _untrack(acl)


@functools.cache
def _canned_acl(name: str) -> Any:
    """moto's ``FakeAcl`` of a canned ACL, made once per name and shared by every key that asks for it
    (nothing changes a key's ACL in place; atsmock answers from ``StoredKey.canned_acl``)."""
    acl = get_canned_acl(name)
    _untrack_acl(acl)
    return acl


class MotoStore:
    """Buckets and objects in moto models private to this store. Safe to call from several threads."""

    blocking = False

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.backend = S3Backend("us-east-1", DEFAULT_ACCOUNT_ID)
        self._lock = threading.Lock()

    def create_bucket(self, bucket: str, region: str) -> None:
        with self._lock:
            if bucket in self.backend.buckets:
                return
            registry = s3_backends.bucket_accounts
            previous = registry.get(bucket)
            fake = FakeBucket(name=bucket, account_id=DEFAULT_ACCOUNT_ID, region_name=region)  # type: ignore[abstract]
            # FakeBucket claims the name process-wide; this store is private, so give the name back.
            if previous is None:
                registry.pop(bucket, None)
            else:
                registry[bucket] = previous
            if fake.acl is not None:
                _untrack_acl(fake.acl)
            _untrack(fake)
            self.backend.buckets[bucket] = fake

    def _bucket(self, bucket: str) -> FakeBucket:
        return self.backend.buckets[bucket]

    def _new_key(self, bucket: str, key: str) -> StoredKey:
        fake = self._bucket(bucket)
        stored = StoredKey(
            name=key,
            value=b"",
            account_id=DEFAULT_ACCOUNT_ID,
            region_name=fake.region_name,
            bucket_name=bucket,
            max_buffer_size=SPOOL_SIZE,
        )
        if stored.acl is not None:
            _untrack_acl(stored.acl)
        _untrack(stored)
        # Close the spool file when the key goes, even if the key dies in a garbage-collected cycle
        # (where the file's own finaliser could otherwise run first and warn "Unclosed file").
        weakref.finalize(stored, stored._value_buffer.close)
        return stored

    def _get(self, bucket: str, key: str) -> StoredKey | None:
        fake = self.backend.buckets.get(bucket)
        if fake is None:
            return None
        found = fake.keys.get(key)
        return found if isinstance(found, StoredKey) else None

    def _put(self, bucket: str, stored: StoredKey) -> None:
        # dict.__setitem__: moto's key store would append a version and dispose of the old key in use.
        with self._lock:
            dict.__setitem__(self._bucket(bucket).keys, stored.name, [stored])

    def _finish(self, stored: StoredKey, meta: ObjectMeta, size: int, md5_hex: str) -> ObjectInfo:
        stored.contentsize = size
        stored._etag = md5_hex
        values = {"content-type": meta.content_type}
        if meta.content_disposition is not None:
            values["content-disposition"] = meta.content_disposition
        values.update(meta.headers)
        values.update({_META_PREFIX + name: value for name, value in meta.metadata.items()})
        stored.set_metadata(values)
        stored.encryption = meta.server_side_encryption
        if meta.acl in CANNED_ACLS:
            stored.set_acl(_canned_acl(meta.acl))
        stored.canned_acl = meta.acl
        stored.last_modified = datetime.datetime.fromtimestamp(int(self._clock.now()), datetime.UTC)
        stored.info = _info(stored)
        return stored.info

    def begin_upload(self, bucket: str, key: str) -> MotoUpload:
        return MotoUpload(self, bucket, self._new_key(bucket, key))

    def open(self, bucket: str, key: str) -> MotoReader | None:
        stored = self._get(bucket, key)
        return None if stored is None else MotoReader(stored)

    def head(self, bucket: str, key: str) -> ObjectInfo | None:
        stored = self._get(bucket, key)
        return None if stored is None else _info(stored)

    def copy(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None:
        reader = self.open(src_bucket, src_key)
        if reader is None:
            raise KeyError(f"{src_bucket}/{src_key}")
        upload = self.begin_upload(dst_bucket, dst_key)
        try:
            for chunk in reader.chunks(0, reader.info.size):
                upload.write(chunk)
        finally:
            reader.close()
        upload.commit(reader.info.meta())

    def delete(self, bucket: str, key: str) -> None:
        with self._lock:
            fake = self.backend.buckets.get(bucket)
            if fake is not None:
                dict.pop(fake.keys, key, None)

    def clear(self, buckets: Iterable[str]) -> None:
        with self._lock:
            for name in buckets:
                fake = self.backend.buckets.get(name)
                if fake is not None:
                    dict.clear(fake.keys)


class MotoUpload:
    """An upload streaming into a fresh key's spool file; the key joins its bucket on ``commit``."""

    def __init__(self, store: MotoStore, bucket: str, stored: StoredKey) -> None:
        self.size = 0
        self._store = store
        self._bucket = bucket
        self._key: StoredKey | None = stored
        self._buffer = stored._value_buffer
        self._md5 = hashlib.md5(usedforsecurity=False)

    def write(self, chunk: bytes) -> None:
        self._buffer.write(chunk)
        self._md5.update(chunk)
        self.size += len(chunk)

    def md5(self) -> bytes:
        return self._md5.digest()

    def commit(self, meta: ObjectMeta) -> ObjectInfo:
        stored, self._key = self._key, None
        if stored is None:
            raise RuntimeError("upload already finished")
        info = self._store._finish(stored, meta, self.size, self._md5.hexdigest())
        self._store._put(self._bucket, stored)
        return info

    def abort(self) -> None:
        stored, self._key = self._key, None
        if stored is not None:
            stored.dispose()


class MotoReader:
    """An open key; holding it keeps the bytes readable even if the object is replaced meanwhile."""

    def __init__(self, stored: StoredKey) -> None:
        self.info = _info(stored)
        self._key = stored

    def chunks(self, start: int, stop: int) -> Iterator[bytes]:
        stored = self._key
        buffer = stored._value_buffer
        position = start
        while position < stop:
            with stored.lock:
                buffer.seek(position)
                data = buffer.read(min(CHUNK_SIZE, stop - position))
            if not data:
                return
            position += len(data)
            yield data

    def close(self) -> None:
        """Nothing to release: the key's file closes when the last reference goes."""


def _info(stored: StoredKey) -> ObjectInfo:
    """The key's ``ObjectInfo``: built from moto's metadata once, when the key is committed (``_finish``)."""
    if stored.info is not None:
        return stored.info
    metadata = stored.metadata
    return ObjectInfo(
        size=stored.size,
        content_type=metadata.get("content-type") or DEFAULT_CONTENT_TYPE,
        content_disposition=metadata.get("content-disposition"),
        etag=stored.etag,
        metadata={k[len(_META_PREFIX) :]: v for k, v in metadata.items() if k.startswith(_META_PREFIX)},
        server_side_encryption=stored.encryption,
        acl=stored.canned_acl,
        last_modified=stored.last_modified.timestamp(),
        headers={k: metadata[k] for k in _STORED_HEADERS if k in metadata},
    )
