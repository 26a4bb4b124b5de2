"""The verifying S3 front: a pure ASGI app answering path-style object requests like S3.

One request, one direction: parse (``S3Request``) → method and bucket → ``presigned.authenticate``
(or, for POST, the policy in ``post``) → the operation against the store → S3's answer, or S3's
XML error from any ``S3Error`` raised on the way. Bodies stream both ways: uploads go chunk by
chunk into the store's spool file, downloads leave it in ``CHUNK_SIZE`` pieces.

Mounted by the core dispatcher at ``/s3`` (``root_path`` ends in ``/s3``, ``path`` is the full path).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING

from starlette.types import Receive, Scope, Send

from mockservers.core.journal import SCOPE_KEY
from mockservers.core.numbers import clamped_int
from mockservers.s3 import errors
from mockservers.s3.asgi import Body, ClientDisconnected, base_headers, send_reply
from mockservers.s3.errors import S3Error
from mockservers.s3.metadata import object_headers, object_meta, stored_headers
from mockservers.s3.post import post_object
from mockservers.s3.presigned import authenticate
from mockservers.s3.request import S3Request
from mockservers.s3.store import ObjectReader, ObjectStore, call

if TYPE_CHECKING:
    from mockservers.s3.service import BucketSpec, S3Service

OBJECT_METHODS = "GET, PUT, HEAD, DELETE"


class S3Front:
    """The ASGI app. State lives in the ``S3Service``; the front only reads it."""

    def __init__(self, service: S3Service) -> None:
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        entry = scope.get(SCOPE_KEY)
        request = S3Request.from_scope(scope, entry.id if entry is not None else errors.new_request_id())
        body = Body(receive)
        try:
            try:
                await self._route(request, body, send)
            except S3Error as error:
                if error.code != "EntityTooLarge" or request.method != "PUT":
                    # Read what the client is still sending, so it sees the error rather than a broken pipe.
                    await body.drain()
                await errors.send_error(scope, send, error, request.request_id)
        except ClientDisconnected:
            return

    async def _route(self, request: S3Request, body: Body, send: Send) -> None:
        service = self.service
        method = request.method
        if not request.bucket:
            raise errors.access_denied()
        if not request.key:
            if method == "POST":
                await post_object(service, request, body, send)
                return
            spec = self._bucket(request.bucket)
            self._authenticate(request, spec)
            raise errors.method_not_allowed(method, "BUCKET", "POST")
        if method not in ("GET", "PUT", "HEAD", "DELETE"):
            raise errors.method_not_allowed(method, "OBJECT", OBJECT_METHODS)
        spec = self._bucket(request.bucket)
        self._authenticate(request, spec)
        store = await service.open_store()
        if method == "PUT":
            await self.put_object(store, request, spec, body, send)
        elif method == "DELETE":
            await call(store, store.delete, request.bucket, request.key)
            await send_reply(send, 204, base_headers(request.request_id))
        else:
            await self.get_object(store, request, send)

    def _bucket(self, name: str) -> BucketSpec:
        spec = self.service.bucket_spec(name)
        if spec is None:
            raise errors.no_such_bucket(name)
        return spec

    def _authenticate(self, request: S3Request, spec: BucketSpec) -> None:
        service = self.service
        authenticate(request, service.signer(), service.secrets, service.clock.now(), spec.region)

    async def put_object(
        self, store: ObjectStore, request: S3Request, spec: BucketSpec, body: Body, send: Send
    ) -> None:
        if request.header("x-amz-copy-source") is not None:
            raise errors.not_implemented("x-amz-copy-source")
        length = _content_length(request)
        limit = spec.limit()
        if length > limit:
            raise errors.entity_too_large(length, limit)
        budget = self.service.budget
        if budget is not None:
            refusal = await call(store, budget.refusal, request.bucket, request.key, length)
            if refusal is not None:
                raise refusal
        meta = object_meta(request.header, request.headers)
        digest = _content_md5(request.header("content-md5"))
        declared_sha256 = _content_sha256(request.header("x-amz-content-sha256"))
        sha256 = hashlib.sha256() if declared_sha256 is not None else None
        upload = store.begin_upload(request.bucket, request.key)
        try:
            async for chunk in body.chunks():
                upload.write(chunk)
                if sha256 is not None:
                    sha256.update(chunk)
            if upload.size != length:
                raise S3Error(
                    400,
                    "IncompleteBody",
                    "You did not provide the number of bytes specified by the Content-Length HTTP header",
                )
            if digest is not None and digest != upload.md5():
                raise S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
            computed = sha256.hexdigest() if sha256 is not None else None
            if computed != declared_sha256:
                raise S3Error(
                    400,
                    "XAmzContentSHA256Mismatch",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.",
                    {"ClientComputedContentSHA256": str(declared_sha256), "S3ComputedContentSHA256": str(computed)},
                )
            info = await call(store, upload.commit, meta)
        except BaseException:
            upload.abort()
            raise
        await send_reply(send, 200, stored_headers(request.request_id, info))

    async def get_object(self, store: ObjectStore, request: S3Request, send: Send) -> None:
        reader = await call(store, store.open, request.bucket, request.key)
        if reader is None:
            raise errors.no_such_key(request.key)
        try:
            await self._send_object(store, request, reader, send)
        finally:
            reader.close()

    async def _send_object(self, store: ObjectStore, request: S3Request, reader: ObjectReader, send: Send) -> None:
        info = reader.info
        start, stop, status = 0, info.size, 200
        wanted = parse_range(request.header("range"), info.size)
        headers = object_headers(request, info)
        if wanted is not None:
            start, stop, status = wanted[0], wanted[1], 206
            headers.append((b"content-range", f"bytes {start}-{stop - 1}/{info.size}".encode()))
        headers.append((b"content-length", str(stop - start).encode()))
        head = request.method == "HEAD"
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if head or stop == start:
            await send({"type": "http.response.body", "body": b""})
            return
        pieces = reader.chunks(start, stop)
        while True:
            chunk = await call(store, next, pieces, b"")
            if not chunk:
                break
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def parse_range(value: str | None, size: int) -> tuple[int, int] | None:
    """A single ``bytes=`` range as (start, stop); None to send everything; S3's 416 InvalidRange if unsatisfiable.

    Like S3, a malformed header or several ranges are ignored (the whole object is sent).
    """
    if value is None or not value.isascii() or not value.startswith("bytes=") or "," in value:
        return None
    first, dash, last = value[len("bytes=") :].strip().partition("-")
    if not dash or not (first.isdigit() or (not first and last.isdigit())) or (last and not last.isdigit()):
        return None
    if not first:
        length = clamped_int(last)  # any number of digits (Python's int refuses 4300+)
        if length == 0 or size == 0:
            raise _invalid_range(value, size)
        return max(0, size - length), size
    start = clamped_int(first)
    stop = min(clamped_int(last) + 1, size) if last else size
    if last and clamped_int(last) < start:
        return None
    if start >= size:
        raise _invalid_range(value, size)
    return start, stop


def _invalid_range(value: str, size: int) -> S3Error:
    return S3Error(
        416,
        "InvalidRange",
        "The requested range is not satisfiable",
        {"RangeRequested": value, "ActualObjectSize": str(size)},
        {"Content-Range": f"bytes */{size}"},
    )


def _content_length(request: S3Request) -> int:
    raw = request.header("content-length")
    if raw is None or not raw.isascii() or not raw.strip().isdigit():
        raise S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
    return clamped_int(raw.strip())


_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
_STREAMING_PAYLOADS = (
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
)
_INVALID_CONTENT_SHA256 = (
    f"x-amz-content-sha256 must be UNSIGNED-PAYLOAD, {', '.join(_STREAMING_PAYLOADS)} or a valid sha256 value."
)


def _content_sha256(value: str | None) -> str | None:
    """The body's SHA-256 a signed ``x-amz-content-sha256`` promises (lower-case hex), or None when
    there is nothing to check (absent, ``UNSIGNED-PAYLOAD``). Like S3, any other value is refused;
    the aws-chunked ``STREAMING-*`` encodings are not emulated."""
    if value is None or value == "UNSIGNED-PAYLOAD":
        return None
    if _SHA256_HEX.fullmatch(value):
        return value.lower()
    if value in _STREAMING_PAYLOADS:
        raise errors.not_implemented("x-amz-content-sha256")
    raise errors.invalid_argument(_INVALID_CONTENT_SHA256, "x-amz-content-sha256", value)


def _content_md5(value: str | None) -> bytes | None:
    if value is None:
        return None
    try:
        digest = base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, or a non-ASCII value
        digest = b""
    if len(digest) != 16:
        raise S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
    return digest
