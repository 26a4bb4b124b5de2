"""The error hierarchy every reference client raises (drawn in ``client/__init__``)."""

from __future__ import annotations


class ClientError(Exception):
    """Base of everything a reference client raises."""


class ApiError(ClientError):
    """The vendor answered with an error. ``request_id`` is atsmock's (or the vendor's) request id."""

    def __init__(self, status: int, code: str | None, message: str, request_id: str | None = None) -> None:
        super().__init__(f"{status} {code or ''}: {message}".replace("  ", " "))
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id


class StorageError(ApiError):
    """The storage (S3) refused an upload or download: ``code`` is S3's (``EntityTooLarge``, ...)."""


class TransportError(ClientError):
    """No usable answer: the connection failed, timed out, or the body could not be read or parsed; or the
    request could not be sent at all (a URL whose scheme is not http or https), which is never retried."""
