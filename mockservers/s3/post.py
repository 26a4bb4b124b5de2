"""POST Object: a multipart/form-data upload authorised by a signed policy, streamed into the store.

The form is parsed as it arrives (python-multipart's push parser). S3 wants the file last and
ignores anything after it, so every check but the size is done when the file part begins, from
the fields seen so far: ``key`` present, the policy's signature (SigV4 ``x-amz-signature`` or
SigV2 ``signature``), its expiration on the mock clock, its conditions, no field left uncovered.
The file's bytes then go straight into the store while ``content-length-range`` is watched.
AWS: "Authenticating Requests in Browser-Based Uploads Using POST" (sigv4-UsingHTTPPOST.html).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import Send

from mockservers.core.multipart import disposition
from mockservers.s3 import errors
from mockservers.s3.asgi import Body, base_headers, send_reply
from mockservers.s3.errors import S3Error, xml_text
from mockservers.s3.metadata import object_meta, stored_headers
from mockservers.s3.policy import PostPolicy, decode_policy
from mockservers.s3.presigned import parse_credential, signature_mismatch
from mockservers.s3.request import S3Request
from mockservers.s3.store import ObjectInfo, ObjectStore, Upload, call

if TYPE_CHECKING:
    from mockservers.s3.service import BucketSpec, S3Service

MAX_FIELD_BYTES = 20 * 1024
"""How much form data may precede the file (S3 answers MaxPostPreDataLengthExceeded beyond it)."""

_V4_FIELDS = ("policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature")
_V2_FIELDS = ("awsaccesskeyid", "policy", "signature")


def missing_field(name: str) -> S3Error:
    return errors.invalid_argument(
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.",
        name,
        "",
    )


async def post_object(service: S3Service, request: S3Request, body: Body, send: Send) -> None:
    """Handle ``POST /<bucket>`` with a form upload, answering as S3 does (204 unless the form asks otherwise)."""
    spec = service.bucket_spec(request.bucket)
    if spec is None:
        raise errors.no_such_bucket(request.bucket)
    mime, options = parse_options_header(request.header("content-type"))
    boundary = options.get(b"boundary")
    if mime != b"multipart/form-data" or not boundary:
        raise S3Error(
            412,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
            {"Condition": "Bucket POST must be of the enclosure-type multipart/form-data"},
        )
    store = await service.open_store()
    form = PostForm(service, request, spec, store, boundary)
    try:
        async for chunk in body.chunks():
            form.feed(chunk)
        info = await form.finish()
    except BaseException:
        form.abort()
        raise
    await _answer(service, request, form, info, send)


class PostForm:
    """The form as it streams in: fields until the file, then the file into an upload."""

    def __init__(self, service: S3Service, request: S3Request, spec: BucketSpec, store: ObjectStore, boundary: bytes):
        self.service = service
        self.request = request
        self.spec = spec
        self.store = store
        self.fields: dict[str, str] = {}
        self.key = ""
        self.upload: Upload | None = None
        self.file_seen = False
        self.size = 0
        self.low = 0
        self.high = spec.limit()
        self._field_bytes = 0
        self._ended = False
        self._part: dict[str, bytes] = {}
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._value = bytearray()
        self._in_file = False
        self._after_file = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_data,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
        )

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except S3Error:
            raise
        except Exception:
            raise _malformed() from None

    async def finish(self) -> ObjectInfo:
        self._parser.finalize()
        if not self._ended:
            raise _malformed()
        if not self.file_seen:
            if "key" not in self.fields:
                raise missing_field("key")
            raise errors.invalid_argument("POST requires exactly one file upload per request.", "file", "0")
        if self.size > self.high:
            raise errors.entity_too_large(self.size, self.high)
        if self.size < self.low:
            raise errors.entity_too_small(self.size, self.low)
        upload, self.upload = self.upload, None
        assert upload is not None
        fields = self.fields

        def value(name: str) -> str | None:
            # The form names the canned ACL ``acl``; a PUT sends it as ``x-amz-acl``.
            return fields.get("acl") if name == "x-amz-acl" else fields.get(name)

        meta = object_meta(value, list(fields.items()))
        budget = self.service.budget
        if budget is not None:
            refusal = await call(self.store, budget.refusal, self.request.bucket, self.key, self.size)
            if refusal is not None:
                upload.abort()
                raise refusal
        return await call(self.store, upload.commit, meta)

    def abort(self) -> None:
        if self.upload is not None:
            self.upload.abort()
            self.upload = None

    # -- python-multipart callbacks ------------------------------------------------------------------

    def _part_begin(self) -> None:
        self._part = {}
        self._value.clear()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        # Raw bytes: a file name is UTF-8 (RFC 7578), which a str decoded here could not hand back intact.
        self._part[self._header_name.decode("latin-1").lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        name, filename = disposition(self._part.get("content-disposition", b""))
        self._in_file = False
        if self._after_file:
            return
        if (name or "").lower() == "file":
            self._in_file = True
            self.file_seen = True
            self._start_file((filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._after_file and not self._in_file:
            return
        if self._in_file:
            piece = data[start:end]
            self.size += len(piece)
            if self.upload is not None:
                if self.size > self.high:
                    # Too large: stop storing, keep counting so the error can say how large.
                    self.upload.abort()
                    self.upload = None
                else:
                    self.upload.write(piece)
            return
        self._field_bytes += end - start
        if self._field_bytes > MAX_FIELD_BYTES:
            raise S3Error(
                400,
                "MaxPostPreDataLengthExceeded",
                "Your POST request fields preceding the upload file were too large.",
            )
        self._value += data[start:end]

    def _part_end(self) -> None:
        if self._in_file:
            self._in_file = False
            self._after_file = True
            return
        if self._after_file:
            return
        name, _ = disposition(self._part.get("content-disposition", b""))
        if name:
            self.fields.setdefault(name.lower(), self._value.decode("utf-8", "replace"))

    def _end(self) -> None:
        self._ended = True

    # -- the checks, when the file begins --------------------------------------------------------------

    def _start_file(self, filename: str) -> None:
        fields = self.fields
        if "key" not in fields:
            raise missing_field("key")
        policy = authorize(self.service, self.request, self.spec, fields)
        if policy.length_range is not None:
            self.low, self.high = policy.length_range[0], min(policy.length_range[1], self.high)
        self.key = fields["key"].replace("${filename}", filename)
        if not self.key:
            raise missing_field("key")
        self.upload = self.store.begin_upload(self.request.bucket, self.key)


def authorize(service: S3Service, request: S3Request, spec: BucketSpec, fields: Mapping[str, str]) -> PostPolicy:
    """Verify the form's signature over its policy, then the policy itself; return the policy."""
    now = service.clock.now()
    if any(name in fields for name in ("x-amz-signature", "x-amz-algorithm", "x-amz-credential")):
        for name in _V4_FIELDS:
            if name not in fields:
                raise missing_field(name)
        if fields["x-amz-algorithm"] != "AWS4-HMAC-SHA256":
            raise errors.invalid_argument(
                'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', "x-amz-algorithm", fields["x-amz-algorithm"]
            )
        access_key, date, region = parse_credential(fields["x-amz-credential"], spec.region)
        secret = service.secrets.get(access_key)
        if secret is None:
            raise errors.invalid_access_key(access_key)
        auth = service.signer().query_auth(access_key, secret, region)
        expected = auth.sign_policy(date, fields["policy"])
        provided = fields["x-amz-signature"]
    elif "signature" in fields or "awsaccesskeyid" in fields:
        for name in _V2_FIELDS:
            if name not in fields:
                raise missing_field(name)
        access_key = fields["awsaccesskeyid"]
        secret = service.secrets.get(access_key)
        if secret is None:
            raise errors.invalid_access_key(access_key)
        from mockservers.s3.signing import sigv2_policy_signature

        signer = service.signer()
        expected = sigv2_policy_signature(signer.credentials(access_key, secret), fields["policy"])
        provided = fields["signature"]
    else:
        raise errors.access_denied()
    if not hmac.compare_digest(expected.encode(), provided.encode("utf-8", "replace")):
        raise signature_mismatch(access_key, fields["policy"], provided)
    policy = decode_policy(fields["policy"])
    policy.check(fields, request.bucket, now)
    return policy


async def _answer(service: S3Service, request: S3Request, form: PostForm, info: ObjectInfo, send: Send) -> None:
    """204 by default; ``success_action_redirect`` → 303; ``success_action_status`` 200 or 201 (with XML)."""
    location = service.object_url(request.bucket, form.key)
    headers = stored_headers(request.request_id, info)
    headers.append((b"location", location.encode()))
    redirect = form.fields.get("success_action_redirect") or form.fields.get("redirect")
    if redirect and urlsplit(redirect).scheme in ("http", "https"):
        query = urlencode({"bucket": request.bucket, "key": form.key, "etag": info.etag}, quote_via=quote)
        target = redirect + ("&" if "?" in redirect else "?") + query
        redirect_headers = [*base_headers(request.request_id), (b"location", target.encode())]
        await send_reply(send, 303, redirect_headers)
        return
    status = form.fields.get("success_action_status")
    if status == "200":
        await send_reply(send, 200, headers)
    elif status == "201":
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<PostResponse><Location>{xml_text(location)}</Location><Bucket>{xml_text(request.bucket)}</Bucket>"
            f"<Key>{xml_text(form.key)}</Key><ETag>{xml_text(info.etag)}</ETag></PostResponse>"
        )
        headers.append((b"content-type", b"application/xml"))
        await send_reply(send, 201, headers, xml.encode())
    else:
        await send_reply(send, 204, headers)


def _malformed() -> S3Error:
    return S3Error(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
