"""S3's errors as facts (``S3Error``), rendered once into S3's XML envelope, and the S3 fault scenarios.

Every rejection the front makes is an ``S3Error(status, code, message, details)``; ``render_error``
turns it into ``<Error><Code/><Message/>...<RequestId/><HostId/></Error>`` with the status S3 uses.
The messages are S3's own wording (see ``docs/fidelity.md`` for which are documented and
which were observed or inferred).
"""

from __future__ import annotations

import base64
import itertools
import os
import re
from collections.abc import Mapping, MutableMapping
from typing import Any
from xml.sax.saxutils import escape

from starlette.types import Receive, Scope, Send

from mockservers.core.journal import SCOPE_KEY, note_error
from mockservers.core.scenarios import Scenario

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


class S3Error(Exception):
    """A rejection: HTTP status, S3 error code, message, and the extra elements S3 adds to the body.

    ``details`` keep their order (S3 puts them between ``Message`` and ``RequestId``); ``headers``
    are extra response headers such as ``Allow``.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details or {})
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"S3Error({self.status}, {self.code!r}, {self.message!r})"


def new_request_id() -> str:
    """An id shaped like S3's ``x-amz-request-id`` (16 upper-case hex digits)."""
    return os.urandom(8).hex().upper()


_HOST_PREFIX = os.urandom(42)
_host_ids = itertools.count(int.from_bytes(os.urandom(4), "big"))


def host_id() -> str:
    """An opaque ``x-amz-id-2`` value, 64 base64 characters like S3's, different for every answer: a random
    per-process prefix and a counter (``os.urandom`` per answer cost more than the rest of an S3 error)."""
    suffix = (next(_host_ids) & 0xFFFFFFFFFFFF).to_bytes(6, "big")
    return base64.b64encode(_HOST_PREFIX + suffix).decode()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` as XML 1.0 character data: ``&``, ``<``, ``>`` escaped, and the characters XML 1.0 cannot
    carry at all (most controls, lone surrogates) written as ``%XX`` of their UTF-8 bytes, as S3's
    ``encoding-type=url`` writes keys, so a key such as ``a\x01b`` still leaves a document parsers read."""
    escaped = escape(value)
    if _NOT_XML.search(escaped) is None:
        return escaped
    return _NOT_XML.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "surrogatepass")), escaped)


def render_error(error: S3Error, request_id: str) -> bytes:
    """The XML body S3 sends with ``error``."""
    parts = [f"<Error><Code>{error.code}</Code><Message>{xml_text(error.message)}</Message>"]
    parts.extend(f"<{name}>{xml_text(value)}</{name}>" for name, value in error.details.items())
    parts.append(f"<RequestId>{request_id}</RequestId><HostId>{host_id()}</HostId></Error>")
    return XML_DECLARATION + "".join(parts).encode()


def error_headers(error: S3Error, request_id: str, body_length: int) -> list[tuple[bytes, bytes]]:
    """Response headers for an error: S3's request ids, XML content type and any extra headers."""
    headers = [
        (b"x-amz-request-id", request_id.encode()),
        (b"x-amz-id-2", host_id().encode()),
        (b"content-type", b"application/xml"),
        (b"content-length", str(body_length).encode()),
    ]
    headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items())
    return headers


async def send_error(scope: MutableMapping[str, Any], send: Send, error: S3Error, request_id: str) -> None:
    """S3's XML error (no body for HEAD, as S3), noted on the journal entry."""
    note_error(scope, error.code)
    body = render_error(error, request_id)
    head = scope.get("method") == "HEAD"
    headers = error_headers(error, request_id, len(body))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


class FaultReply:
    """An ASGI app answering ``error`` for a fault scenario, with the journal id as RequestId like every S3 error."""

    def __init__(self, error: S3Error) -> None:
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        entry = scope.get(SCOPE_KEY)
        await send_error(scope, send, self.error, entry.id if entry is not None else new_request_id())


# -- the catalogue: one constructor per error the front answers with --------------------------------------

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)


def access_denied(message: str = "Access Denied", details: Mapping[str, str] | None = None) -> S3Error:
    return S3Error(403, "AccessDenied", message, details)


def invalid_access_key(access_key: str) -> S3Error:
    return S3Error(
        403,
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        {"AWSAccessKeyId": access_key},
    )


def query_parameters_error(message: str, details: Mapping[str, str] | None = None) -> S3Error:
    return S3Error(400, "AuthorizationQueryParametersError", message, details)


def invalid_argument(message: str, name: str, value: str) -> S3Error:
    return S3Error(400, "InvalidArgument", message, {"ArgumentName": name, "ArgumentValue": value})


def no_such_bucket(bucket: str) -> S3Error:
    return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", {"BucketName": bucket})


def no_such_key(key: str) -> S3Error:
    return S3Error(404, "NoSuchKey", "The specified key does not exist.", {"Key": key})


def method_not_allowed(method: str, resource_type: str, allow: str) -> S3Error:
    return S3Error(
        405,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        {"Method": method, "ResourceType": resource_type},
        {"Allow": allow},
    )


def not_implemented(header: str) -> S3Error:
    return S3Error(
        501,
        "NotImplemented",
        "A header you provided implies functionality that is not implemented",
        {"Header": header},
    )


def entity_too_large(proposed: int, maximum: int) -> S3Error:
    return S3Error(
        400,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size",
        {"ProposedSize": str(proposed), "MaxSizeAllowed": str(maximum)},
    )


def entity_too_small(proposed: int, minimum: int) -> S3Error:
    return S3Error(
        400,
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed size",
        {"ProposedSize": str(proposed), "MinSizeAllowed": str(minimum)},
    )


def policy_failure(reason: str) -> S3Error:
    """A POST form the policy does not allow: 403 AccessDenied 'Invalid according to Policy: ...'."""
    return access_denied(f"Invalid according to Policy: {reason}")


def invalid_policy(reason: str) -> S3Error:
    return S3Error(400, "InvalidPolicyDocument", f"Invalid Policy: {reason}")


def slow_down() -> S3Error:
    return S3Error(503, "SlowDown", "Please reduce your request rate.")


def internal_error() -> S3Error:
    return S3Error(500, "InternalError", "We encountered an internal error. Please try again.")


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "s3.slow_down",
        "s3",
        "HTTP 503 with S3's XML error SlowDown 'Please reduce your request rate.' (S3 throttling).",
        status=503,
        error_code="SlowDown",
        respond=lambda: FaultReply(slow_down()),
    ),
    Scenario(
        "s3.internal_error",
        "s3",
        "HTTP 500 with S3's XML error InternalError 'We encountered an internal error. Please try again.'",
        status=500,
        error_code="InternalError",
        respond=lambda: FaultReply(internal_error()),
    ),
)
