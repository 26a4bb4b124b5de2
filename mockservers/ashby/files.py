"""Files: stored files, signed file handles, safe names. No HTTP here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from mockservers.core.http import parse_json

_MIME = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+( *;[ -~]*)?")


def is_mime_type(value: str) -> bool:
    """``type/subtype`` with optional parameters, printable ASCII only (safe as an HTTP header)."""
    return _MIME.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class FilePayload:
    """File bytes sent inline, in one of the deprecated multipart forms."""

    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class StoredFile:
    """A file attached to a candidate; ``handle`` is what ``fileHandles[].handle`` and ``file.info`` carry."""

    id: str
    owner_id: str
    name: str
    content_type: str
    size: int
    key: str
    handle: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "handle": self.handle}


class FileHandleSigner:
    """Candidate file handles shaped like Ashby's: base64 of ``{"handle": {...}, "signature", "version"}``.

    Ashby's documented example decodes to ``{"handle":{"type":"CandidateFile","fileId":...,"ownerId":...},
    "signature":...,"version":"1"}``; the signature here is an HMAC with a per-app secret, so a
    handle cannot be forged or edited.
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def _signature(self, payload: Mapping[str, str]) -> str:
        message = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return base64.b64encode(hmac.new(self._secret, message, hashlib.sha256).digest()).decode()

    def sign(self, file_id: str, owner_id: str) -> str:
        payload = {"type": "CandidateFile", "fileId": file_id, "ownerId": owner_id}
        envelope = {"handle": payload, "signature": self._signature(payload), "version": "1"}
        raw = json.dumps(envelope, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def file_id(self, handle: str) -> str | None:
        """The file id a handle names, or None when it is not one of ours (garbled, edited, foreign)."""
        try:
            raw = base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4))
            envelope = parse_json(raw)  # never json.loads: a handle nested 10,000 deep is a RecursionError
            payload = envelope["handle"]
            signature = envelope["signature"]
            if not isinstance(payload, dict) or not isinstance(signature, str):
                return None
            if not hmac.compare_digest(signature, self._signature(payload)):
                return None
            file_id = payload.get("fileId")
        except (ValueError, TypeError, KeyError):
            return None
        return file_id if isinstance(file_id, str) else None


_UNSAFE_KEY_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def sanitize_filename(filename: str, limit: int = 200) -> str:
    """A filename made safe for an S3 key: ASCII letters, digits, ``._-``; no path parts; never empty.

    Inferred: Ashby's key naming is not public. Unicode is folded to ASCII where it can be, every
    other run of characters (``/``, quotes, newlines, spaces) becomes ``_``, and leading dots go,
    so ``../../etc/passwd`` cannot climb out of its prefix.
    """
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE_KEY_CHARS.sub("_", folded).lstrip("._")
    return cleaned[-limit:] or "file"
