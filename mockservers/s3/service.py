"""``S3Service``: the S3 every vendor shares: presigning, the verifying front, and the object store behind it.

Vendors register their buckets (``ensure_bucket``), hand out presigned URLs and POST policies,
and read back what clients uploaded. The front (``app``) verifies each presigned request the way
S3 does; the bytes live in moto's models in process, in files under the state dir with
``--state-dir`` (``disk.DiskStore``), or in an external S3-compatible endpoint when
``S3Settings.endpoint`` is set.

Nothing heavy is imported until first use: botocore (signing) and moto (the embedded store) load
on the first presign or request, or in ``warm_up``, which the server runs in a background thread.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import anyio.to_thread
from starlette.types import ASGIApp

from mockservers.config import S3Settings
from mockservers.core.clock import Clock
from mockservers.core.scenarios import Scenario
from mockservers.core.state import MemoryState, StateStore
from mockservers.s3.errors import SCENARIOS
from mockservers.s3.front import S3Front
from mockservers.s3.metadata import DEFAULT_SSE, MAX_OBJECT_SIZE
from mockservers.s3.store import ObjectInfo, ObjectMeta, ObjectStore, Upload, read_all

if TYPE_CHECKING:
    from mockservers.s3.budget import BudgetedStore
    from mockservers.s3.signing import Signer


@functools.lru_cache(maxsize=1024)
def _encoded_key(key: str) -> str:
    """A key percent-encoded as botocore encodes it in a URL; remembered, as a document's key is presigned on
    every read of it."""
    return quote(key, safe="/~")


_OBJECT_OPERATIONS = {
    "PUT": "put_object",
    "GET": "get_object",
    "HEAD": "head_object",
    "DELETE": "delete_object",
}


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """A registered bucket: the region its requests must be signed for, and its upload size limit."""

    region: str
    max_object_size: int | None = None

    def limit(self) -> int:
        """The largest object an upload may carry (the bucket's limit, never above S3's 5 GiB)."""
        if self.max_object_size is None:
            return MAX_OBJECT_SIZE
        return min(self.max_object_size, MAX_OBJECT_SIZE)


class S3Service:
    """One app's S3. Buckets are private: only requests presigned with a known key get through."""

    def __init__(self, settings: S3Settings, clock: Clock, public_url: str, state: StateStore | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.state = state or MemoryState()
        self.public_url = public_url.rstrip("/")
        self.base_url = f"{self.public_url}/s3"
        self.secrets: dict[str, str] = {settings.access_key: settings.secret_key}
        self.scenarios: tuple[Scenario, ...] = SCENARIOS
        self._buckets: dict[str, BucketSpec] = {}
        self._store: ObjectStore | None = None
        self._signer: Signer | None = None
        self._probe: Callable[[], bool] | None = None
        self._lock = threading.Lock()
        self.budget: BudgetedStore | None = None
        """The embedded store's byte and object count, once built (None for an external endpoint)."""
        self.app: ASGIApp = S3Front(self)

    # -- routing, buckets, lazy parts ------------------------------------------------------------------

    def operation_for(self, method: str, path: str) -> str | None:
        """The operation a request is, from its path below the mount (``/bucket/key``); None if no object path."""
        bucket, _, key = path[1:].partition("/")
        if not bucket:
            return None
        if key:
            return _OBJECT_OPERATIONS.get(method)
        return "post_object" if method == "POST" else None

    def ensure_bucket(self, bucket: str, region: str, *, max_object_size: int | None = None) -> None:
        """Register (or re-register) a bucket; uploads above ``max_object_size`` get 400 EntityTooLarge."""
        self._buckets[bucket] = BucketSpec(region, max_object_size)
        with self._lock:
            store = self._store
        if store is not None:
            store.create_bucket(bucket, region)

    def bucket_spec(self, bucket: str) -> BucketSpec | None:
        return self._buckets.get(bucket)

    def signer(self) -> Signer:
        signer = self._signer
        if signer is None:
            from mockservers.s3.signing import Signer

            signer = self._signer = Signer(self.settings.access_key, self.settings.secret_key)
        return signer

    def store(self) -> ObjectStore:
        """The object store, built on first use with every registered bucket in it."""
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                built = self._build_store()
                for name, spec in list(self._buckets.items()):
                    built.create_bucket(name, spec.region)
                self._store = built
            return self._store

    async def open_store(self) -> ObjectStore:
        """``store()`` for the front: building it (importing moto, or reaching the endpoint) happens off the loop."""
        if self._store is not None:
            return self._store
        return await anyio.to_thread.run_sync(self.store)

    def _build_store(self) -> ObjectStore:
        s = self.settings
        if s.endpoint:
            from mockservers.s3.remote import RemoteStore

            return RemoteStore(s.endpoint, s.endpoint_access_key, s.endpoint_secret_key, s.endpoint_region, self.clock)
        from mockservers.s3.budget import BudgetedStore

        inner: ObjectStore
        held: list[tuple[str, int]] = []
        if self.state.directory is not None:
            from mockservers.s3.disk import DiskStore

            inner = disk = DiskStore(self.state.directory, self.state, self.clock)
            held = disk.held()
        else:
            from mockservers.s3.embedded import MotoStore

            inner = MotoStore(self.clock)
        self.budget = BudgetedStore(inner, s.max_stored_bytes, s.max_objects, held)
        return self.budget

    def warm_up(self) -> None:
        """Import botocore and moto (or reach the external store) now rather than on the first request."""
        self.signer()
        self.store()

    async def ready(self) -> bool:
        """Whether S3 can answer: the front always can, and the embedded store is built on demand;
        an external store (``--s3-endpoint``) must answer a request of its own, with short timeouts."""
        if not self.settings.endpoint:
            return True
        return await anyio.to_thread.run_sync(self._probe_endpoint)

    def _probe_endpoint(self) -> bool:
        """In a worker thread: building the probe imports boto3, and asking the store is network I/O."""
        probe = self._probe
        if probe is None:
            from mockservers.s3.remote import EndpointProbe

            s = self.settings
            probe = self._probe = EndpointProbe(
                s.endpoint, s.endpoint_access_key, s.endpoint_secret_key, s.endpoint_region
            )
        return probe()

    # -- presigning --------------------------------------------------------------------------------------

    def object_url(self, bucket: str, key: str) -> str:
        """``{public_url}/s3/{bucket}/{key}``, the key encoded as botocore encodes it."""
        return f"{self.base_url}/{bucket}/{_encoded_key(key)}"

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
        """A SigV4 presigned PUT signing every header in ``headers`` (plus host) and ``params``, at mock-clock now."""
        return self.signer().presign_url(
            "PUT",
            self.object_url(bucket, key),
            now=self.clock.now(),
            region=region,
            expires_in=expires_in,
            headers=headers,
            params=params or {},
        )

    def presign_get(
        self,
        *,
        bucket: str,
        key: str,
        expires_in: int,
        region: str,
        response_content_disposition: str | None = None,
        response_content_type: str | None = None,
    ) -> str:
        params = {}
        if response_content_disposition is not None:
            params["response-content-disposition"] = response_content_disposition
        if response_content_type is not None:
            params["response-content-type"] = response_content_type
        return self.signer().presign_url(
            "GET",
            self.object_url(bucket, key),
            now=self.clock.now(),
            region=region,
            expires_in=expires_in,
            headers={},
            params=params,
        )

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
        """(url, fields) like boto3's ``generate_presigned_post``; expiring at mock-clock now + ``expires_in``."""
        form = self.signer().presign_post(
            now=self.clock.now(),
            region=region,
            bucket=bucket,
            key=key,
            expires_in=expires_in,
            fields=fields,
            conditions=conditions,
        )
        return f"{self.base_url}/{bucket}", form

    # -- objects, for vendors -------------------------------------------------------------------------

    def head_object(self, bucket: str, key: str) -> ObjectInfo | None:
        return self.store().head(bucket, key)

    def copy_object(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None:
        self.store().copy(src_bucket, src_key, dst_bucket, dst_key)

    def delete_object(self, bucket: str, key: str) -> None:
        self.store().delete(bucket, key)

    def put_bytes(
        self,
        bucket: str,
        key: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        content_disposition: str | None = None,
    ) -> None:
        """Store bytes a vendor received itself (a multipart upload to its own API)."""
        writer = self.writer(bucket, key, content_type, content_disposition)
        try:
            writer.write(data)
            writer.commit()
        except BaseException:
            writer.abort()
            raise

    def writer(
        self,
        bucket: str,
        key: str,
        content_type: str = "application/octet-stream",
        content_disposition: str | None = None,
    ) -> StreamedObject:
        """Stream bytes into ``bucket/key`` piece by piece (a fetched URL); nothing is visible until ``commit``."""
        meta = ObjectMeta(content_type, content_disposition, server_side_encryption=DEFAULT_SSE)
        return StreamedObject(self.store().begin_upload(bucket, key), meta)

    def get_bytes(self, bucket: str, key: str) -> bytes:
        """A whole object; ``KeyError`` if there is none."""
        reader = self.store().open(bucket, key)
        if reader is None:
            raise KeyError(f"{bucket}/{key}")
        return read_all(reader)

    def reset(self, buckets: Iterable[str] | None = None) -> None:
        """Delete every object (in ``buckets``, or in all registered buckets); the buckets stay."""
        if self._store is None and (self.state.directory is None or self.settings.endpoint):
            return  # nothing stored yet (a state dir may hold objects from an earlier run: build its store)
        self.store().clear(list(self._buckets) if buckets is None else list(buckets))


class StreamedObject:
    """``Storage.writer``'s answer: an upload with its metadata fixed up front (an ``ObjectWriter``)."""

    def __init__(self, upload: Upload, meta: ObjectMeta) -> None:
        self._upload = upload
        self._meta = meta

    @property
    def size(self) -> int:
        return self._upload.size

    def write(self, chunk: bytes) -> None:
        self._upload.write(chunk)

    def commit(self) -> None:
        self._upload.commit(self._meta)

    def abort(self) -> None:
        self._upload.abort()
