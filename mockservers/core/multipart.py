"""Multipart file names as clients send them: raw UTF-8 (RFC 7578, what browsers, curl and httpx send) or
RFC 5987 ``filename*=UTF-8''...`` (what urllib3 1.x, so older ``requests``, sends for non-ASCII names).

python-multipart reads ``filename`` and ignores ``filename*`` (RFC 7578 §4.2 forbids it), so a
name such as ``文件.pdf`` sent the older way would arrive with no file name at all. This module
reads both, preferring ``filename*``, for the S3 front's own POST parser and for the Starlette
form parser every vendor's multipart path uses (``UTF8FormParser``).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from python_multipart.multipart import parse_options_header
from starlette.formparsers import MultiPartParser

_EXTENDED = re.compile(rb"""(?:^|;)\s*filename\*\s*=\s*("?)([^";]*)\1\s*(?:;|$)""", re.I)


def disposition(raw: bytes) -> tuple[str | None, str | None]:
    """``(name, filename)`` of a part's Content-Disposition, each decoded from UTF-8 (invalid bytes become
    U+FFFD, never lone surrogates); None where the parameter is absent."""
    _, options = parse_options_header(raw)
    name = options.get(b"name")
    filename = extended_filename(raw)
    if filename is None and b"filename" in options:
        filename = options[b"filename"].decode("utf-8", "replace")
    return (None if name is None else name.decode("utf-8", "replace")), filename


def extended_filename(raw: bytes) -> str | None:
    """The RFC 5987 ``filename*=charset'language'percent-encoded`` value, decoded; None if absent or unreadable."""
    match = _EXTENDED.search(raw)
    if match is None:
        return None
    parts = match.group(2).split(b"'", 2)
    if len(parts) != 3:
        return None
    charset = parts[0].decode("ascii", "replace").strip().lower() or "utf-8"
    try:
        return unquote_to_bytes(parts[2]).decode(charset if charset in ("utf-8", "iso-8859-1") else "utf-8", "replace")
    except LookupError:  # pragma: no cover - the charset is one of the two above
        return None


class UTF8FormParser(MultiPartParser):
    """Starlette's multipart parser, also reading ``filename*``: a part named that way is a file part whose
    ``filename`` is the decoded name (Starlette would read it as a text field with no name)."""

    def on_headers_finished(self) -> None:
        raw = self._current_part.content_disposition or b""
        if b"*" in raw:
            name, filename = disposition(raw)
            if filename is not None and name is not None:
                quoted = filename.encode("utf-8").replace(b"\\", b"\\\\").replace(b'"', b'\\"')
                named = name.encode("utf-8").replace(b"\\", b"\\\\").replace(b'"', b'\\"')
                self._current_part.content_disposition = b'form-data; name="' + named + b'"; filename="' + quoted + b'"'
        super().on_headers_finished()
