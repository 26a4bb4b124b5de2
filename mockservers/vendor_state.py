"""What each vendor holds now (``GET /__admin/vendors``) and the download of a file it holds.

Read through the registry's mounts only (``VendorMount.inventory``), so a vendor added later
appears with no change here. S3 is listed too, as everywhere in the admin API (journal, faults,
reset): its operations can be faulted, but the objects in it belong to the vendors.

A download serves only an object the vendor's inventory lists *now*, streamed from the store in
pieces, always as an attachment that the browser may not render (``nosniff``, a sandboxing CSP):
a stored file is whatever a client uploaded, HTML included.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mockservers.core.errors import AdminError
from mockservers.core.filenames import content_disposition
from mockservers.core.platform import Platform
from mockservers.core.vendor import HeldFile
from mockservers.s3.store import ObjectReader, ObjectStore, call

S3_TARGET = "s3"
S3_TITLE = "S3 (presigned uploads and downloads)"
MAX_FILES_LISTED = 500
"""Files listed per vendor (``filesTotal`` says how many it holds): keeps the answer small whatever it holds."""

_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")
DOWNLOAD_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def vendors_json(platform: Platform, admin_root: str) -> dict[str, Any]:
    """Every mounted vendor (registry order), then S3: name, title, operations, counts and files."""
    listed: list[dict[str, Any]] = []
    targets = platform.faults.targets
    for name, mount in platform.vendors.items():
        inventory = mount.inventory()
        files = list(inventory.files)
        known = platform.known.get(name)
        listed.append(
            {
                "name": name,
                "title": known.title if known is not None else name,
                "operations": sorted(targets.get(name, ())),
                "counts": {noun: int(count) for noun, count in inventory.counts.items()},
                "files": [_file_json(f, f"{admin_root}/vendors/{quote(name)}") for f in files[:MAX_FILES_LISTED]],
                "filesTotal": len(files),
            }
        )
    listed.append(
        {
            "name": S3_TARGET,
            "title": S3_TITLE,
            "operations": sorted(targets.get(S3_TARGET, ())),
            "counts": {},
            "files": [],
            "filesTotal": 0,
        }
    )
    return {"vendors": listed}


def _file_json(held: HeldFile, vendor_root: str) -> dict[str, Any]:
    return {
        "name": held.name,
        "size": held.size,
        "contentType": held.content_type,
        "bucket": held.bucket,
        "key": held.key,
        "download": f"{vendor_root}/files/download?{urlencode({'bucket': held.bucket, 'key': held.key})}",
    }


def held_file(platform: Platform, vendor: str, bucket: str, key: str) -> HeldFile:
    """The file ``vendor`` lists at ``bucket``/``key``; 404 for anything it does not list (any other object)."""
    mount = platform.vendors.get(vendor)
    if mount is None:
        raise AdminError(404, "not_found", f"no vendor '{vendor}' is mounted")
    for held in mount.inventory().files:
        if held.bucket == bucket and held.key == key:
            return held
    raise AdminError(404, "not_found", f"vendor '{vendor}' holds no file {bucket}/{key}")


async def download(platform: Platform, held: HeldFile) -> Response:
    """The held file's bytes as an attachment, streamed from the store; 404 if its object has gone."""
    store = await platform.s3.open_store()
    reader = await call(store, store.open, held.bucket, held.key)
    if reader is None:
        raise AdminError(404, "not_found", f"the object {held.bucket}/{held.key} is no longer stored")
    return StoredFileResponse(store, reader, held)


class StoredFileResponse(Response):
    """An open object sent in the store's pieces, then closed (also when the client leaves half way)."""

    def __init__(self, store: ObjectStore, reader: ObjectReader, held: HeldFile) -> None:
        self.store = store
        self.reader = reader
        self.status_code = 200
        self.background = None
        # As stored, without the charset Starlette would add to a text/* type: the bytes are the client's.
        content_type = held.content_type if _MEDIA_TYPE.fullmatch(held.content_type) else "application/octet-stream"
        self.init_headers(
            {
                **DOWNLOAD_HEADERS,
                "Content-Type": content_type,
                "Content-Length": str(reader.info.size),
                "Content-Disposition": attachment(held.name),
            }
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            size = self.reader.info.size
            if scope["method"] != "HEAD" and size:
                pieces = self.reader.chunks(0, size)
                while chunk := await call(self.store, next, pieces, b""):
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            self.reader.close()


def attachment(name: str) -> str:
    """``content_disposition`` of the name, ``file`` for an empty one (a browser needs some name)."""
    return content_disposition(name or "file")
