"""What S3 keeps with an object and sends back: request headers (or form fields) to ``ObjectMeta``,
and ``ObjectInfo`` to the headers of S3's answers.

Shared by the PUT/GET path (``front``) and POST uploads (``post``). AWS: API_PutObject.html,
API_GetObject.html (stored headers, ``response-*`` overrides).
"""

from __future__ import annotations

from collections.abc import Callable

from mockservers.s3 import errors
from mockservers.s3.asgi import base_headers, encode_headers, http_date
from mockservers.s3.request import S3Request
from mockservers.s3.store import ObjectInfo, ObjectMeta

MAX_OBJECT_SIZE = 5 * 1024**3
"""The largest single PUT S3 accepts (5 GiB)."""

SSE_VALUES = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})
DEFAULT_SSE = "AES256"
"""S3 encrypts every new object with SSE-S3 unless told otherwise (since January 2023)."""

CANNED_ACLS = frozenset(
    {
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "aws-exec-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
    }
)
STORED_HEADERS = ("cache-control", "content-encoding", "content-language", "expires")
RESPONSE_OVERRIDES = (
    ("response-content-type", "content-type"),
    ("response-content-disposition", "content-disposition"),
    ("response-cache-control", "cache-control"),
    ("response-content-encoding", "content-encoding"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
)


def object_meta(header: Callable[[str], str | None], headers: list[tuple[str, str]]) -> ObjectMeta:
    """What a PUT stores besides the bytes, from its headers; S3's 400 InvalidArgument for a bad SSE or ACL."""
    sse = header("x-amz-server-side-encryption")
    if sse is not None and sse not in SSE_VALUES:
        raise errors.invalid_argument(
            "The encryption method specified is not supported", "x-amz-server-side-encryption", sse
        )
    acl = header("x-amz-acl")
    if acl is not None and acl not in CANNED_ACLS:
        raise errors.invalid_argument("", "x-amz-acl", acl)
    return ObjectMeta(
        content_type=header("content-type") or "binary/octet-stream",
        content_disposition=header("content-disposition"),
        metadata={name[len("x-amz-meta-") :]: value for name, value in headers if name.startswith("x-amz-meta-")},
        server_side_encryption=sse or DEFAULT_SSE,
        acl=acl or "private",
        headers={name: value for name in STORED_HEADERS if (value := header(name)) is not None},
    )


def stored_headers(request_id: str, info: ObjectInfo) -> list[tuple[bytes, bytes]]:
    """The headers of a successful upload: ETag and the encryption applied."""
    headers = base_headers(request_id)
    headers.append((b"etag", info.etag.encode()))
    if info.server_side_encryption:
        headers.append((b"x-amz-server-side-encryption", info.server_side_encryption.encode()))
    return headers


def object_headers(request: S3Request, info: ObjectInfo) -> list[tuple[bytes, bytes]]:
    """GET/HEAD headers: the stored ones, overridden by a signed ``response-*`` query parameter."""
    values: dict[str, str] = {"content-type": info.content_type}
    if info.content_disposition is not None:
        values["content-disposition"] = info.content_disposition
    values.update(info.headers)
    for param, name in RESPONSE_OVERRIDES:
        override = request.params.get(param)
        if override is not None:
            values[name] = override
    pairs = [
        *values.items(),
        ("etag", info.etag),
        ("last-modified", http_date(info.last_modified)),
        ("accept-ranges", "bytes"),
    ]
    if info.server_side_encryption:
        pairs.append(("x-amz-server-side-encryption", info.server_side_encryption))
    pairs.extend((f"x-amz-meta-{name}", value) for name, value in info.metadata.items())
    return base_headers(request.request_id) + encode_headers(pairs)
