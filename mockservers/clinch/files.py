"""How a candidate file is typed and named when it is downloaded. No HTTP here.

Clinch's upload takes only ``filename`` and ``content`` (seed 003), so the content type is the
filename's: a fixed table of the document types recruiters exchange (inferred; not the host's
``mimetypes`` database, so every machine answers alike), ``application/octet-stream`` otherwise.
"""

from __future__ import annotations

from urllib.parse import quote

CONTENT_TYPES = {
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


def content_type_for(filename: str) -> str:
    _, dot, extension = filename.rpartition(".")
    return CONTENT_TYPES.get(extension.lower(), "application/octet-stream") if dot else "application/octet-stream"


def content_disposition(filename: str) -> str:
    """``attachment`` with the name twice: printable ASCII (others as ``_``) in ``filename``, and the
    exact name as UTF-8 in RFC 5987's ``filename*`` (RFC 6266 §4.3)."""
    plain = "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"
