"""The external store: objects in any S3-compatible endpoint (a moto server, MinIO, real S3) through boto3.

Several atsmock processes can share one such store; each still verifies every request itself.
The store keeps bytes and metadata only: the ACL and server-side encryption a request signed,
and the mock-clock upload time, travel as ``x-amz-meta-atsmock-*`` metadata instead of being
applied (a real bucket may refuse ACLs, and KMS may not exist there). Every call does network I/O,
so the front runs them in worker threads (``blocking = True``).

Importing this module imports boto3; ``S3Service`` does it on first use.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from mockservers.core.clock import Clock
from mockservers.s3.store import CHUNK_SIZE, DEFAULT_CONTENT_TYPE, ObjectInfo, ObjectMeta

SPOOL_SIZE = 1024 * 1024
"""Bytes of an upload kept in memory before its spool file moves to disk."""

_ACL = "atsmock-acl"
_SSE = "atsmock-sse"
_TIME = "atsmock-last-modified"
_OWN = frozenset({_ACL, _SSE, _TIME})
_HEADER_PARAMS = {
    "cache-control": "CacheControl",
    "content-encoding": "ContentEncoding",
    "content-language": "ContentLanguage",
    "expires": "Expires",
}


def _client(endpoint: str, access_key: str, secret_key: str, region: str, config: Config) -> Any:
    """A boto3 S3 client for the external store: path-style, SigV4, the store's own credentials."""
    base = Config(s3={"addressing_style": "path"}, signature_version="s3v4")
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=base.merge(config),
    )


class EndpointProbe:
    """Whether the external endpoint answers at all, for the health check: any S3 answer counts
    (a 403 to ListBuckets too); no connection, or none within the timeouts, does not."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, region: str) -> None:
        config = Config(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 1})
        self.client = _client(endpoint, access_key, secret_key, region, config)

    def __call__(self) -> bool:
        try:
            self.client.list_buckets()
        except ClientError:
            return True
        except BotoCoreError:
            return False
        return True


class RemoteStore:
    """Objects in an external endpoint; path-style addressing, the endpoint's own credentials."""

    blocking = True

    def __init__(self, endpoint: str, access_key: str, secret_key: str, region: str, clock: Clock) -> None:
        self._clock = clock
        self._region = region
        self.client = _client(endpoint, access_key, secret_key, region, Config(retries={"max_attempts": 3}))

    def create_bucket(self, bucket: str, region: str) -> None:
        """Create the bucket in the store's own region unless it exists (another process may have made it)."""
        try:
            self.client.head_bucket(Bucket=bucket)
            return
        except ClientError as e:
            if _status(e) != 404:
                raise
        kwargs: dict[str, Any] = {"Bucket": bucket}
        if self._region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self._region}
        try:
            self.client.create_bucket(**kwargs)
        except ClientError as e:
            if _code(e) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    def begin_upload(self, bucket: str, key: str) -> RemoteUpload:
        return RemoteUpload(self, bucket, key)

    def _put(self, bucket: str, key: str, body: Any, size: int, meta: ObjectMeta) -> ObjectInfo:
        last_modified = float(int(self._clock.now()))
        kwargs: dict[str, Any] = {
            "Bucket": bucket,
            "Key": key,
            "Body": body,
            "ContentLength": size,
            "ContentType": meta.content_type,
            "Metadata": {**meta.metadata, _ACL: meta.acl, _TIME: str(int(last_modified))},
        }
        if meta.server_side_encryption:
            kwargs["Metadata"][_SSE] = meta.server_side_encryption
        if meta.content_disposition is not None:
            kwargs["ContentDisposition"] = meta.content_disposition
        for header, param in _HEADER_PARAMS.items():
            if header in meta.headers:
                kwargs[param] = meta.headers[header]
        answer = self.client.put_object(**kwargs)
        return ObjectInfo.of(meta, size, str(answer["ETag"]), last_modified)

    def open(self, bucket: str, key: str) -> RemoteReader | None:
        info = self.head(bucket, key)
        return None if info is None else RemoteReader(self.client, bucket, key, info)

    def head(self, bucket: str, key: str) -> ObjectInfo | None:
        try:
            answer = self.client.head_object(Bucket=bucket, Key=key)
        except ClientError as e:
            if _status(e) == 404:
                return None
            raise
        stored: dict[str, str] = answer.get("Metadata", {})
        headers = {
            header: str(answer[param])
            for header, param in _HEADER_PARAMS.items()
            if param != "Expires" and param in answer
        }
        if "ExpiresString" in answer:
            headers["expires"] = str(answer["ExpiresString"])
        return ObjectInfo(
            size=int(answer["ContentLength"]),
            content_type=str(answer.get("ContentType") or DEFAULT_CONTENT_TYPE),
            content_disposition=answer.get("ContentDisposition"),
            etag=str(answer["ETag"]),
            metadata={k: v for k, v in stored.items() if k not in _OWN},
            server_side_encryption=stored.get(_SSE),
            acl=stored.get(_ACL, "private"),
            last_modified=float(stored.get(_TIME) or answer["LastModified"].timestamp()),
            headers=headers,
        )

    def copy(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None:
        info = self.head(src_bucket, src_key)
        if info is None:
            raise KeyError(f"{src_bucket}/{src_key}")
        meta = info.meta()
        metadata = {**meta.metadata, _ACL: meta.acl, _TIME: str(int(self._clock.now()))}
        if meta.server_side_encryption:
            metadata[_SSE] = meta.server_side_encryption
        kwargs: dict[str, Any] = {
            "CopySource": {"Bucket": src_bucket, "Key": src_key},
            "Bucket": dst_bucket,
            "Key": dst_key,
            "MetadataDirective": "REPLACE",
            "ContentType": meta.content_type,
            "Metadata": metadata,
        }
        if meta.content_disposition is not None:
            kwargs["ContentDisposition"] = meta.content_disposition
        self.client.copy_object(**kwargs)

    def delete(self, bucket: str, key: str) -> None:
        self.client.delete_object(Bucket=bucket, Key=key)

    def clear(self, buckets: Iterable[str]) -> None:
        paginator = self.client.get_paginator("list_objects_v2")
        for bucket in buckets:
            try:
                for page in paginator.paginate(Bucket=bucket):
                    keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                    if keys:
                        self.client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            except ClientError as e:
                if _code(e) != "NoSuchBucket":
                    raise


class RemoteUpload:
    """An upload spooled locally (memory, then disk) with an incremental MD5, sent on ``commit``."""

    def __init__(self, store: RemoteStore, bucket: str, key: str) -> None:
        self.size = 0
        self._store = store
        self._bucket = bucket
        self._key = key
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_SIZE)
        self._md5 = hashlib.md5(usedforsecurity=False)

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._md5.update(chunk)
        self.size += len(chunk)

    def md5(self) -> bytes:
        return self._md5.digest()

    def commit(self, meta: ObjectMeta) -> ObjectInfo:
        try:
            self._file.seek(0)
            return self._store._put(self._bucket, self._key, self._file, self.size, meta)
        finally:
            self._file.close()

    def abort(self) -> None:
        self._file.close()


class RemoteReader:
    """An object in the external store, read with ranged GETs."""

    def __init__(self, client: Any, bucket: str, key: str, info: ObjectInfo) -> None:
        self.info = info
        self._client = client
        self._bucket = bucket
        self._key = key
        self._body: Any = None

    def chunks(self, start: int, stop: int) -> Iterator[bytes]:
        if stop <= start:
            return
        answer = self._client.get_object(Bucket=self._bucket, Key=self._key, Range=f"bytes={start}-{stop - 1}")
        self._body = answer["Body"]
        yield from self._body.iter_chunks(CHUNK_SIZE)

    def close(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
