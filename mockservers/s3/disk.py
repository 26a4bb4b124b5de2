"""The durable store of ``--state-dir``: each object's bytes in a file, its metadata in the state store.

An object is an immutable file ``<state dir>/objects/<ab>/<abcdef...>`` (a fresh random name per
upload) plus a row of the ``s3.objects`` table naming it. An upload streams into its file; at
``commit`` the file and its directory are fsynced, then the row is written (durably, before the
front answers), and only after that commits is the file of the object it replaced unlinked. So
after a crash every row names a whole file; a file no row names (an upload cut short) is removed
at the next start. Files are never rewritten, so a copy is one more row naming the same file (no
bytes move: a vendor's move out of temporary storage costs one row); a file goes when the last
row naming it is gone. Reads ``pread`` the file
in ``CHUNK_SIZE`` pieces, so memory stays bounded whatever the size, and an open download keeps
its bytes even if the object is replaced or deleted meanwhile (POSIX keeps an unlinked open file).

Every call does file I/O and may fsync, so the front runs them in worker threads (``blocking``).
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mockservers.core.clock import Clock
from mockservers.core.codecs import codec
from mockservers.core.sqlite_state import OBJECTS
from mockservers.core.state import StateError, StateStore, Table
from mockservers.s3.store import CHUNK_SIZE, ObjectInfo, ObjectMeta


@dataclass(slots=True)
class StoredObject:
    """One object: the name of its file, and what HEAD answers."""

    blob: str
    info: ObjectInfo


def sync_directory(path: Path) -> None:
    """fsync a directory, so the names created or removed in it are durable too."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DiskStore:
    """Objects under ``<directory>/objects``; safe to call from several threads."""

    blocking = True

    def __init__(self, directory: Path, state: StateStore, clock: Clock) -> None:
        self._root = directory / OBJECTS
        self._state = state
        self._clock = clock
        self._objects: Table[tuple[str, str], StoredObject] = state.table("s3.objects", codec(StoredObject))
        self._shards: set[str] = set()
        self._lock = threading.Lock()
        self._names: dict[str, int] = {}
        """file -> how many rows name it. Counted up when a row is written (a rollback then only keeps a
        file until the next start), down once a removal commits; the file goes at zero."""
        for stored in self._objects.values():
            self._names[stored.blob] = self._names.get(stored.blob, 0) + 1
        if not self._root.is_dir():
            try:
                self._root.mkdir()
            except OSError as e:
                raise StateError(
                    f"cannot use state dir {directory}: {self._root} is not a folder ({e.strerror})"
                ) from None
            sync_directory(directory)
        self._check_files(directory)
        self._remove_orphans()

    def _check_files(self, directory: Path) -> None:
        """Refuse a directory whose object files are not what the rows say (one line, at start): an answered upload's
        file is whole before its row is written, so only damage from outside (a copy cut short, a disk) gets here."""
        damaged = []
        for (bucket, key), stored in self._objects.items():
            try:
                size: int | None = self.path(stored.blob).stat().st_size
            except OSError:
                size = None
            if size != stored.info.size:
                has = "is missing" if size is None else f"has {size} bytes"
                name = self.path(stored.blob).relative_to(directory)
                damaged.append(f"{name} ({bucket}/{key}) {has}, its record says {stored.info.size}")
        if damaged:
            more = f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else ""
            raise StateError(
                f"state dir {directory} is damaged: object file {damaged[0]}{more}; "
                "restore the directory, or choose another --state-dir"
            )

    def _remove_orphans(self) -> None:
        """Delete the files no object names: uploads a crash cut short, unlinks a crash prevented."""
        named = self._names
        for shard in self._root.iterdir():
            if not shard.is_dir():
                shard.unlink()
                continue
            self._shards.add(shard.name)
            for blob in shard.iterdir():
                if blob.name not in named:
                    blob.unlink()

    def path(self, blob: str) -> Path:
        return self._root / blob[:2] / blob

    def _new_blob(self) -> tuple[str, Path]:
        blob = uuid.uuid4().hex
        shard = blob[:2]
        if shard not in self._shards:
            with self._lock:
                if shard not in self._shards:
                    (self._root / shard).mkdir(exist_ok=True)
                    sync_directory(self._root)
                    self._shards.add(shard)
        return blob, self.path(blob)

    def _release(self, blob: str) -> None:
        """A row naming ``blob`` is gone for good: unlink the file if no other row names it."""
        with self._lock:
            left = self._names.get(blob, 1) - 1
            if left > 0:
                self._names[blob] = left
                return
            self._names.pop(blob, None)
        try:
            self.path(blob).unlink()
        except FileNotFoundError:
            pass

    def _put(self, bucket: str, key: str, stored: StoredObject) -> None:
        """The object's row, written durably; the replaced object's file goes once that commits."""
        state = self._state
        with state.atomic():
            with self._lock:
                self._names[stored.blob] = self._names.get(stored.blob, 0) + 1
            old = self._objects.get((bucket, key))
            self._objects.put((bucket, key), stored)
            if old is not None:
                state.after_commit(lambda: self._release(old.blob))

    def _remove(self, where: tuple[str, str]) -> None:
        old = self._objects.delete(where)
        if old is not None:
            blob = old.blob
            self._state.after_commit(lambda: self._release(blob))

    # -- the ObjectStore Protocol -----------------------------------------------------------------

    def held(self) -> list[tuple[str, int]]:
        """(bucket, size) of every object held (for ``budget.BudgetedStore``'s count after a restart)."""
        return [(bucket, stored.info.size) for (bucket, _), stored in self._objects.items()]

    def create_bucket(self, bucket: str, region: str) -> None:
        """Nothing to create: an object's row names its bucket."""

    def begin_upload(self, bucket: str, key: str) -> DiskUpload:
        blob, path = self._new_blob()
        return DiskUpload(self, bucket, key, blob, path)

    def commit(self, bucket: str, key: str, blob: str, meta: ObjectMeta, size: int, md5_hex: str) -> ObjectInfo:
        info = ObjectInfo.of(meta, size, f'"{md5_hex}"', float(int(self._clock.now())))
        self._put(bucket, key, StoredObject(blob, info))
        return info

    def open(self, bucket: str, key: str) -> DiskReader | None:
        while True:
            stored = self._objects.get((bucket, key))
            if stored is None:
                return None
            try:
                fd = os.open(self.path(stored.blob), os.O_RDONLY)
            except FileNotFoundError:
                if self._objects.get((bucket, key)) is stored:
                    return None  # a row without its file: answered as missing rather than as a crash
                continue  # replaced or deleted between the look-up and the open: look again
            if os.fstat(fd).st_size != stored.info.size:  # cut short from outside since the start: missing, not a crash
                os.close(fd)
                return None
            return DiskReader(stored.info, fd)

    def head(self, bucket: str, key: str) -> ObjectInfo | None:
        stored = self._objects.get((bucket, key))
        return None if stored is None else stored.info

    def copy(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None:
        """Another row naming the source's file, with S3's new Last-Modified (the bytes are immutable)."""
        with self._state.atomic():  # the source cannot go between the look-up and the new row
            stored = self._objects.get((src_bucket, src_key))
            if stored is None:
                raise KeyError(f"{src_bucket}/{src_key}")
            info = stored.info
            copied = ObjectInfo.of(info.meta(), info.size, info.etag, float(int(self._clock.now())))
            self._put(dst_bucket, dst_key, StoredObject(stored.blob, copied))

    def delete(self, bucket: str, key: str) -> None:
        with self._state.atomic():
            self._remove((bucket, key))

    def clear(self, buckets: Iterable[str]) -> None:
        wanted = set(buckets)
        with self._state.atomic():
            for where in [w for w in self._objects if w[0] in wanted]:
                self._remove(where)


class DiskUpload:
    """Bytes streaming into a new file, with an incremental MD5; the object exists once ``commit`` returns."""

    def __init__(self, store: DiskStore, bucket: str, key: str, blob: str, path: Path) -> None:
        self.size = 0
        self._store = store
        self._bucket = bucket
        self._key = key
        self._blob = blob
        self._path = path
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._done = False

    def write(self, chunk: bytes) -> None:
        fd = self._fd
        if fd is None:
            raise RuntimeError("upload already finished")
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]
        self._md5.update(chunk)
        self.size += len(chunk)

    def md5(self) -> bytes:
        return self._md5.digest()

    def commit(self, meta: ObjectMeta) -> ObjectInfo:
        fd, self._fd = self._fd, None
        if fd is None:
            raise RuntimeError("upload already finished")
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            sync_directory(self._path.parent)
            info = self._store.commit(self._bucket, self._key, self._blob, meta, self.size, self._md5.hexdigest())
        except BaseException:
            self._path.unlink(missing_ok=True)
            raise
        self._done = True
        return info

    def abort(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
        if not self._done:
            self._path.unlink(missing_ok=True)


class DiskReader:
    """An open object file, read at offsets (so several pieces can be read from worker threads)."""

    def __init__(self, info: ObjectInfo, fd: int) -> None:
        self.info = info
        self._fd = fd
        self._closer = weakref.finalize(self, os.close, fd)
        """Closes the file when the reader is dropped without ``close``."""

    def chunks(self, start: int, stop: int) -> Iterator[bytes]:
        position = start
        while position < stop:
            data = os.pread(self._fd, min(CHUNK_SIZE, stop - position), position)
            if not data:
                return
            position += len(data)
            yield data

    def close(self) -> None:
        self._closer()
