"""What a vendor hands back with bytes it stored: a Content-Disposition any client can read, a file
name taken from a URL, and a Content-Type safe to send back as a header.

Shared because every vendor that stores files it received (a multipart part, a fetched URL) must
answer the download with the file's own name and type, whatever odd characters they hold.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

if TYPE_CHECKING:
    from mockservers.s3.storage import Storage

DEFAULT_MEDIA_TYPE = "application/octet-stream"

DOCUMENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "html": "text/html",
    "htm": "text/html",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
}
"""The media type of the document types recruiters exchange, by lower-case extension: a fixed table
(inferred; not the host's ``mimetypes`` database, so every machine answers alike), for vendors whose
upload gives a file name but no type (Clinch) or whose fetched file came without one (WTTJ)."""

_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+( *;[ -~]*)?")


def content_disposition(filename: str) -> str:
    """``attachment; filename="<ASCII fallback>"; filename*=UTF-8''<the exact name>`` (RFC 6266, RFC 8187).

    The fallback folds accents away and replaces every other character a quoted string cannot
    carry plainly (non-ASCII, controls, ``"`` and ``\\``) with ``_``, so the value is always a legal
    header; clients that read ``filename*`` get the name byte for byte.
    """
    fallback = "".join(
        "_" if ch in '"\\' or not " " <= ch <= "~" else ch
        for ch in unicodedata.normalize("NFKD", filename)
        if not unicodedata.combining(ch)
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def extension(filename: str) -> str:
    """The lower-case extension after the last dot of a name with a stem (``cv.PDF`` → ``pdf``), else ``""``."""
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def document_type(filename: str) -> str:
    """``DOCUMENT_TYPES`` of the name's extension, ``application/octet-stream`` for any other name."""
    return DOCUMENT_TYPES.get(extension(filename), DEFAULT_MEDIA_TYPE)


def filename_from_url(url: str) -> str | None:
    """The last non-empty segment of a URL's path, percent-decoded; None when the path names no file."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    segment = unquote(path.rstrip("/").rpartition("/")[2], errors="replace")
    name = "".join(ch for ch in segment if ch.isprintable()).replace("\\", "/").rpartition("/")[2].strip()
    return name if name not in ("", ".", "..") else None


def media_type_or_default(value: str | None) -> str:
    """``value`` when it is a printable ``type/subtype`` (with optional parameters), else octet-stream."""
    if value is None or _MEDIA_TYPE.fullmatch(value.strip()) is None:
        return DEFAULT_MEDIA_TYPE
    return value.strip()


def download_url(
    objects: Storage, bucket: str, key: str, file_name: str, content_type: str, *, expires_in: int, region: str
) -> str:
    """A presigned GET of ``bucket/key`` that answers the bytes as an attachment named ``file_name`` of
    ``content_type`` (signed ``response-*`` overrides, so the stored object's own metadata does not matter)."""
    return objects.presign_get(
        bucket=bucket,
        key=key,
        expires_in=expires_in,
        region=region,
        response_content_disposition=content_disposition(file_name),
        response_content_type=content_type,
    )
