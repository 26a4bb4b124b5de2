"""``Storage``: the one view of S3 that vendors use (presigning, reading back, storing what they received).

``S3Service`` implements it; vendor models type against this Protocol only, so a unit test hands
them a fake (``tests/storage_support.py``) and no vendor reaches into the store, the front or moto.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol


class ObjectFacts(Protocol):
    """What a vendor reads of a stored object."""

    @property
    def size(self) -> int: ...

    @property
    def content_type(self) -> str | None: ...


class ObjectWriter(Protocol):
    """Bytes a vendor streams into storage itself (a fetched URL): invisible until ``commit``."""

    @property
    def size(self) -> int:
        """Bytes written so far."""
        ...

    def write(self, chunk: bytes) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class Storage(Protocol):
    """The platform's S3 as a vendor sees it. Every URL it hands out is checked by the verifying front."""

    def ensure_bucket(self, bucket: str, region: str, *, max_object_size: int | None = None) -> None:
        """Register a bucket; uploads above ``max_object_size`` are refused as S3 refuses them."""
        ...

    def presign_put(
        self,
        *,
        bucket: str,
        key: str,
        expires_in: int,
        region: str,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
    ) -> str: ...

    def presign_get(
        self,
        *,
        bucket: str,
        key: str,
        expires_in: int,
        region: str,
        response_content_disposition: str | None = None,
        response_content_type: str | None = None,
    ) -> str: ...

    def presign_post(
        self,
        *,
        bucket: str,
        key: str,
        expires_in: int,
        region: str,
        fields: Mapping[str, str],
        conditions: Sequence[Any],
    ) -> tuple[str, dict[str, str]]: ...

    def head_object(self, bucket: str, key: str) -> ObjectFacts | None: ...

    def copy_object(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None: ...

    def delete_object(self, bucket: str, key: str) -> None: ...

    def put_bytes(
        self,
        bucket: str,
        key: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        content_disposition: str | None = None,
    ) -> None: ...

    def writer(
        self,
        bucket: str,
        key: str,
        content_type: str = "application/octet-stream",
        content_disposition: str | None = None,
    ) -> ObjectWriter: ...

    def get_bytes(self, bucket: str, key: str) -> bytes: ...

    def reset(self, buckets: Iterable[str] | None = None) -> None: ...
