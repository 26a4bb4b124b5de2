"""Objects: streaming uploads and downloads, ranges, checksums, sizes, and the Python API vendors use."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import httpx
import pytest
from s3_support import (
    BASE_URL,
    BUCKET,
    REGION,
    SMALL_BUCKET,
    SMALL_LIMIT,
    US_BUCKET,
    client_for,
    error_detail,
    s3_error,
)

from mockservers.config import S3Settings
from mockservers.core.clock import Clock
from mockservers.s3 import S3Service

BIG = bytes(range(256)) * (3 * 4096 + 7)  # ~3 MiB: past the in-memory spool, many transport chunks


def put_url(s3: S3Service, key: str = "obj", bucket: str = BUCKET, **headers: str) -> str:
    return s3.presign_put(bucket=bucket, key=key, expires_in=60, region=REGION, headers=headers)


def get_url(s3: S3Service, key: str = "obj", bucket: str = BUCKET) -> str:
    return s3.presign_get(bucket=bucket, key=key, expires_in=60, region=REGION)


def test_large_upload_streams_in_and_out(s3: S3Service, http: httpx.Client) -> None:
    response = http.put(put_url(s3), content=BIG)
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{hashlib.md5(BIG).hexdigest()}"'
    download = http.get(get_url(s3))
    assert download.content == BIG
    assert download.headers["content-length"] == str(len(BIG))


def test_head_sends_headers_without_a_body(s3: S3Service, http: httpx.Client) -> None:
    from mockservers.s3.signing import Signer

    s3.put_bytes(BUCKET, "obj", b"12345", "text/plain", 'attachment; filename="o.txt"')
    url = Signer(s3.settings.access_key, s3.settings.secret_key).presign_url(
        "HEAD", s3.object_url(BUCKET, "obj"), now=s3.clock.now(), region=REGION, expires_in=60, headers={}, params={}
    )
    response = http.head(url)
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-length"] == "5"
    assert response.headers["content-disposition"] == 'attachment; filename="o.txt"'


SIZE = len(BIG)


@pytest.mark.parametrize(
    ("header", "status", "start", "stop"),
    [
        ("bytes=0-9", 206, 0, 10),
        ("bytes=100-", 206, 100, SIZE),
        ("bytes=-5", 206, SIZE - 5, SIZE),
        (f"bytes=10-{SIZE + 50}", 206, 10, SIZE),
        ("bytes=0-1,5-6", 200, 0, SIZE),
        ("items=0-1", 200, 0, SIZE),
        (f"bytes=10-{'9' * 5000}", 206, 10, SIZE),  # more digits than Python's int reads: was a 500
        (f"bytes=-{'9' * 5000}", 206, 0, SIZE),
    ],
)
def test_ranges(s3: S3Service, http: httpx.Client, header: str, status: int, start: int, stop: int) -> None:
    s3.put_bytes(BUCKET, "obj", BIG)
    response = http.get(get_url(s3), headers={"range": header})
    assert (response.status_code, response.content) == (status, BIG[start:stop])
    expected = f"bytes {start}-{stop - 1}/{SIZE}" if status == 206 else None
    assert response.headers.get("content-range") == expected


def test_non_ascii_range_is_ignored_like_any_malformed_range(s3: S3Service, http: httpx.Client) -> None:
    s3.put_bytes(BUCKET, "obj", b"abcdef")
    for header in (b"bytes=\xb2-", b"bytes=0-\xb9", b"bytes=-\xb9"):  # superscript digits: str.isdigit, not int()
        response = http.get(get_url(s3), headers={"range": header})
        assert (response.status_code, response.content, response.headers.get("content-range")) == (200, b"abcdef", None)


def test_unsatisfiable_range(s3: S3Service, http: httpx.Client) -> None:
    s3.put_bytes(BUCKET, "obj", b"abc")
    response = http.get(get_url(s3), headers={"range": "bytes=3-"})
    assert s3_error(response) == (416, "InvalidRange", "The requested range is not satisfiable")
    assert error_detail(response, "ActualObjectSize") == "3"
    huge = http.get(get_url(s3), headers={"range": f"bytes={'9' * 5000}-"})
    assert s3_error(huge) == (416, "InvalidRange", "The requested range is not satisfiable")


def test_content_md5_is_checked(s3: S3Service, http: httpx.Client) -> None:
    good = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    assert http.put(put_url(s3), content=b"data", headers={"content-md5": good}).status_code == 200
    bad = http.put(put_url(s3), content=b"other", headers={"content-md5": good})
    assert s3_error(bad) == (400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
    assert s3.get_bytes(BUCKET, "obj") == b"data"
    invalid = http.put(put_url(s3), content=b"data", headers={"content-md5": "nope"})
    assert s3_error(invalid)[:2] == (400, "InvalidDigest")
    non_ascii = http.put(put_url(s3), content=b"data", headers={"content-md5": b"\xe9\xe9"})
    assert s3_error(non_ascii) == (400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
    assert s3.get_bytes(BUCKET, "obj") == b"data"


def test_put_needs_a_content_length(s3: S3Service, http: httpx.Client) -> None:
    def body() -> Iterator[bytes]:
        yield b"chunked"

    response = http.put(put_url(s3), content=body())
    assert s3_error(response) == (411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
    # Not reachable over uvicorn (h11 refuses it), but the front must still answer rather than fail.
    superscript = http.put(put_url(s3), content=b"x", headers={"content-length": b"\xb9"})
    assert s3_error(superscript) == (411, "MissingContentLength", "You must provide the Content-Length HTTP header.")


def test_bucket_limit_is_checked_from_content_length(s3: S3Service, http: httpx.Client) -> None:
    url = put_url(s3, bucket=SMALL_BUCKET)
    response = http.put(url, content=b"x" * (SMALL_LIMIT + 1))
    assert s3_error(response) == (400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
    assert (error_detail(response, "ProposedSize"), error_detail(response, "MaxSizeAllowed")) == ("1001", "1000")
    assert http.put(url, content=b"x" * SMALL_LIMIT).status_code == 200


def test_unsupported_encryption_is_invalid_argument(s3: S3Service, http: httpx.Client) -> None:
    url = put_url(s3, **{"x-amz-server-side-encryption": "rot13"})
    response = http.put(url, content=b"x", headers={"x-amz-server-side-encryption": "rot13"})
    assert s3_error(response) == (400, "InvalidArgument", "The encryption method specified is not supported")


def test_objects_are_encrypted_with_sse_s3_by_default(s3: S3Service, http: httpx.Client) -> None:
    response = http.put(put_url(s3), content=b"x")
    assert response.headers["x-amz-server-side-encryption"] == "AES256"
    info = s3.head_object(BUCKET, "obj")
    assert info is not None and (info.server_side_encryption, info.acl, info.content_type) == (
        "AES256",
        "private",
        "binary/octet-stream",
    )


def test_meta_and_standard_headers_are_kept(s3: S3Service, http: httpx.Client) -> None:
    signed = {"x-amz-meta-candidate": "42", "cache-control": "no-store"}
    response = http.put(put_url(s3, **signed), content=b"x", headers=signed)
    assert response.status_code == 200
    download = http.get(get_url(s3))
    assert (download.headers["x-amz-meta-candidate"], download.headers["cache-control"]) == ("42", "no-store")


def test_presigned_delete(s3: S3Service, http: httpx.Client) -> None:
    from mockservers.s3.signing import Signer

    s3.put_bytes(BUCKET, "obj", b"x")
    url = Signer(s3.settings.access_key, s3.settings.secret_key).presign_url(
        "DELETE", s3.object_url(BUCKET, "obj"), now=s3.clock.now(), region=REGION, expires_in=60, headers={}, params={}
    )
    assert http.delete(url).status_code == 204
    assert s3.head_object(BUCKET, "obj") is None


def test_download_survives_the_object_being_replaced(s3: S3Service) -> None:
    store = s3.store()
    s3.put_bytes(BUCKET, "obj", BIG)
    reader = store.open(BUCKET, "obj")
    assert reader is not None
    pieces = reader.chunks(0, reader.info.size)
    first = next(pieces)
    s3.put_bytes(BUCKET, "obj", b"new")
    s3.delete_object(BUCKET, "obj")
    assert first + b"".join(pieces) == BIG
    reader.close()


# -- the Python API ----------------------------------------------------------------------------------------


def test_put_get_head_copy_delete(s3: S3Service) -> None:
    s3.put_bytes(BUCKET, "a.pdf", b"%PDF", "application/pdf", 'attachment; filename="a.pdf"')
    s3.copy_object(BUCKET, "a.pdf", US_BUCKET, "b.pdf")
    info = s3.head_object(US_BUCKET, "b.pdf")
    assert info is not None
    assert (info.size, info.content_type, info.content_disposition) == (
        4,
        "application/pdf",
        'attachment; filename="a.pdf"',
    )
    assert info.etag == f'"{hashlib.md5(b"%PDF").hexdigest()}"'
    assert s3.get_bytes(US_BUCKET, "b.pdf") == b"%PDF"
    s3.delete_object(BUCKET, "a.pdf")
    assert s3.head_object(BUCKET, "a.pdf") is None
    with pytest.raises(KeyError):
        s3.get_bytes(BUCKET, "a.pdf")


def test_reset_wipes_objects_and_keeps_buckets(s3: S3Service, http: httpx.Client) -> None:
    s3.put_bytes(BUCKET, "a", b"1")
    s3.put_bytes(US_BUCKET, "b", b"2")
    s3.reset([BUCKET])
    assert (s3.head_object(BUCKET, "a"), s3.get_bytes(US_BUCKET, "b")) == (None, b"2")
    s3.reset()
    assert s3.head_object(US_BUCKET, "b") is None
    assert http.put(put_url(s3), content=b"x").status_code == 200


def test_ensure_bucket_is_idempotent_and_updates_the_limit(s3: S3Service, http: httpx.Client) -> None:
    s3.put_bytes(BUCKET, "a", b"1")
    s3.ensure_bucket(BUCKET, REGION, max_object_size=1)
    assert s3.get_bytes(BUCKET, "a") == b"1"
    assert s3_error(http.put(put_url(s3), content=b"12"))[:2] == (400, "EntityTooLarge")


def test_each_service_has_its_own_store(clock: Clock) -> None:
    first, second = (S3Service(S3Settings(), clock, BASE_URL) for _ in range(2))
    for service in (first, second):
        service.ensure_bucket(BUCKET, REGION)
    first.put_bytes(BUCKET, "k", b"first")
    assert second.head_object(BUCKET, "k") is None
    from moto.s3.models import FakeKey, s3_backends

    assert BUCKET not in s3_backends.bucket_accounts
    assert not any(getattr(key, "bucket_name", None) == BUCKET for key in FakeKey.instances_tracked)


def test_building_and_registering_imports_neither_moto_nor_botocore() -> None:
    script = textwrap.dedent(
        """
        import asyncio
        import sys
        from mockservers.config import S3Settings
        from mockservers.core.clock import Clock
        from mockservers.s3 import S3Service
        s3 = S3Service(S3Settings(), Clock(), "http://127.0.0.1:8000")
        s3.ensure_bucket("b", "ap-southeast-2", max_object_size=10)
        assert asyncio.run(s3.ready()) and s3.operation_for("PUT", "/b/k") == "put_object"
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("moto", "botocore", "boto3"))
        assert not heavy, heavy
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)


def test_in_process_chunking_does_not_matter(s3: S3Service) -> None:
    with client_for(s3.app, chunk_size=7) as http:
        assert http.put(put_url(s3), content=b"x" * 100).status_code == 200
    assert s3.get_bytes(BUCKET, "obj") == b"x" * 100


def test_dropped_services_close_their_files_quietly(clock: Clock) -> None:
    import gc

    for _ in range(10):
        service = S3Service(S3Settings(), clock, BASE_URL)
        service.ensure_bucket(BUCKET, REGION)
        service.put_bytes(BUCKET, "small", b"x")
        service.put_bytes(BUCKET, "spooled", BIG)
        del service
    gc.collect()


def test_a_signed_x_amz_content_sha256_is_checked_against_the_body(s3: S3Service, http: httpx.Client) -> None:
    good = hashlib.sha256(b"data").hexdigest()
    url = put_url(s3, **{"x-amz-content-sha256": good})
    assert http.put(url, content=b"data", headers={"x-amz-content-sha256": good}).status_code == 200
    bad = http.put(url, content=b"other", headers={"x-amz-content-sha256": good})
    assert s3_error(bad) == (
        400,
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    )
    assert (error_detail(bad, "ClientComputedContentSHA256"), error_detail(bad, "S3ComputedContentSHA256")) == (
        good,
        hashlib.sha256(b"other").hexdigest(),
    )
    assert s3.get_bytes(BUCKET, "obj") == b"data"


def test_an_x_amz_content_sha256_that_is_no_hash_is_invalid_argument(s3: S3Service, http: httpx.Client) -> None:
    url = put_url(s3, **{"x-amz-content-sha256": "not-a-hash"})
    response = http.put(url, content=b"data", headers={"x-amz-content-sha256": "not-a-hash"})
    assert s3_error(response) == (
        400,
        "InvalidArgument",
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
        "or a valid sha256 value.",
    )
    assert (error_detail(response, "ArgumentName"), error_detail(response, "ArgumentValue")) == (
        "x-amz-content-sha256",
        "not-a-hash",
    )
    unsigned = put_url(s3, **{"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    accepted = http.put(unsigned, content=b"data", headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    assert accepted.status_code == 200
    streaming = put_url(s3, **{"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"})
    refused = http.put(
        streaming, content=b"data", headers={"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}
    )
    assert s3_error(refused) == (
        501,
        "NotImplemented",
        "A header you provided implies functionality that is not implemented",
    )
