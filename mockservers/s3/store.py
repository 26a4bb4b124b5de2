"""What the front needs from an object store, and the records it keeps per object.

Two stores implement ``ObjectStore``: ``embedded.MotoStore`` (moto's own models, in process) and
``remote.RemoteStore`` (any S3-compatible endpoint through boto3). The front never touches moto or
boto3 directly, so either can hold the bytes while the front does the verifying.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import anyio.to_thread

T = TypeVar("T")

DEFAULT_CONTENT_TYPE = "binary/octet-stream"
"""What S3 answers as Content-Type for an object uploaded without one."""

CHUNK_SIZE = 256 * 1024
"""Size of the pieces a download is read and sent in."""


@dataclass(frozen=True, slots=True)
class ObjectMeta:
    """What an upload sets besides the bytes: the headers S3 keeps with the object."""

    content_type: str = DEFAULT_CONTENT_TYPE
    content_disposition: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    """``x-amz-meta-*`` values, keyed by the lower-case name without the prefix."""
    server_side_encryption: str | None = None
    acl: str = "private"
    headers: dict[str, str] = field(default_factory=dict)
    """Other stored headers S3 returns on GET: cache-control, content-encoding, content-language, expires."""


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One stored object as HEAD sees it. ``etag`` is quoted, as S3 sends it. Frozen: a store may hand
    the same one to every reader of an object (``embedded`` does)."""

    size: int
    content_type: str
    content_disposition: str | None
    etag: str
    metadata: dict[str, str]
    server_side_encryption: str | None
    acl: str
    last_modified: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, meta: ObjectMeta, size: int, etag: str, last_modified: float) -> ObjectInfo:
        return cls(
            size=size,
            content_type=meta.content_type,
            content_disposition=meta.content_disposition,
            etag=etag,
            metadata=dict(meta.metadata),
            server_side_encryption=meta.server_side_encryption,
            acl=meta.acl,
            last_modified=last_modified,
            headers=dict(meta.headers),
        )

    def meta(self) -> ObjectMeta:
        return ObjectMeta(
            content_type=self.content_type,
            content_disposition=self.content_disposition,
            metadata=dict(self.metadata),
            server_side_encryption=self.server_side_encryption,
            acl=self.acl,
            headers=dict(self.headers),
        )


class Upload(Protocol):
    """Bytes on their way into the store; invisible until ``commit``, gone after ``abort``."""

    size: int

    def write(self, chunk: bytes) -> None: ...

    def md5(self) -> bytes:
        """The MD5 digest of everything written so far (kept incrementally)."""
        ...

    def commit(self, meta: ObjectMeta) -> ObjectInfo: ...

    def abort(self) -> None: ...


class ObjectReader(Protocol):
    """An open object: its info, and its bytes in pieces. ``close`` when done."""

    info: ObjectInfo

    def chunks(self, start: int, stop: int) -> Iterator[bytes]:
        """Bytes ``start`` up to (not including) ``stop``, in pieces of at most ``CHUNK_SIZE``."""
        ...

    def close(self) -> None: ...


class ObjectStore(Protocol):
    """Buckets and objects. ``blocking`` stores do network I/O: the front calls them from a worker thread."""

    blocking: bool

    def create_bucket(self, bucket: str, region: str) -> None: ...

    def begin_upload(self, bucket: str, key: str) -> Upload: ...

    def open(self, bucket: str, key: str) -> ObjectReader | None: ...

    def head(self, bucket: str, key: str) -> ObjectInfo | None: ...

    def copy(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None: ...

    def delete(self, bucket: str, key: str) -> None: ...

    def clear(self, buckets: Iterable[str]) -> None:
        """Delete every object in ``buckets``; the buckets stay."""
        ...


async def call(store: ObjectStore, function: Callable[..., T], *args: Any) -> T:
    """Run a store call from the front: inline for the embedded store, in a worker thread for a networked one."""
    if store.blocking:
        return await anyio.to_thread.run_sync(function, *args)
    return function(*args)


def read_all(reader: ObjectReader) -> bytes:
    """A whole object's bytes (for the small files vendors read back), closing the reader."""
    try:
        return b"".join(reader.chunks(0, reader.info.size))
    finally:
        reader.close()
