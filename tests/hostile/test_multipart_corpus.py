"""Hostile multipart bodies and file names against every served vendor's multipart operations (issue 13, item 2).

The operations, their fields and which part is the file come from each vendor's OpenAPI document.
Bodies are written byte by byte (an HTTP client would percent-encode the very names under test).
A malformed body is the vendor's invalid input; a hostile name is either refused the same way or
stored as given, and then every file the vendor holds still downloads with a legal, exact
Content-Disposition (``filename*`` decodes to the stored name).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

import pytest
from hostile_access import Operation, all_operations, assert_documented, document, operations, pointer
from hostile_world import send

from mockservers.core import errors as kinds

pytestmark = pytest.mark.live

MULTIPART_OPS = [op for op in all_operations() if op.secured and "multipart/form-data" in op.content_types]
BOUNDARY = "atsmockHostileBoundary"


def form_schema(op: Operation) -> dict[str, Any]:
    schema = op.spec["requestBody"]["content"]["multipart/form-data"]["schema"]
    while "$ref" in schema:
        schema = pointer(document(op.vendor), schema["$ref"])
    return dict(schema)


def file_field(op: Operation) -> str | None:
    """The required binary part of the operation's form, if it has one."""
    schema = form_schema(op)
    for name in schema.get("required", []):
        if schema["properties"][name].get("format") == "binary":
            return str(name)
    return None


FILE_OPS = [op for op in MULTIPART_OPS if file_field(op)]


def fields(op: Operation, world: dict[str, Any]) -> dict[str, str]:
    """Valid text fields for the form: ids of the demo's records, enums' first value, examples made unique."""
    schema = form_schema(op)
    made = world["created"].get(op.vendor, {})
    out: dict[str, str] = {}
    for name, prop in schema["properties"].items():
        while "$ref" in prop:
            prop = pointer(document(op.vendor), prop["$ref"])
        if prop.get("format") == "binary":
            continue
        if prop.get("format") == "uuid":
            noun = name.removesuffix("Id").removesuffix("_id")
            if noun in made:
                out[name] = made[noun]
        elif name in schema.get("required", []):
            out[name] = (
                str(prop["enum"][0])
                if "enum" in prop
                else f"{(prop.get('examples') or ['x'])[0]}-{uuid.uuid4().hex[:8]}"
            )
    return out


def multipart(parts: list[tuple[bytes, bytes]]) -> bytes:
    """``parts`` of (Content-Disposition parameters after ``form-data; ``, body) as raw bytes."""
    b = BOUNDARY.encode()
    out = b"".join(
        b"--" + b + b"\r\nContent-Disposition: form-data; " + head + b"\r\n\r\n" + body + b"\r\n"
        for head, body in parts
    )
    return out + b"--" + b + b"--\r\n"


def upload(world: dict[str, Any], op: Operation, filename: bytes) -> Any:
    text = [(b'name="' + k.encode() + b'"', v.encode()) for k, v in fields(op, world).items()]
    file_part = (
        b'name="' + str(file_field(op)).encode() + b'"; filename="' + filename + b'"\r\nContent-Type: application/pdf',
        b"%PDF-1.4 hostile",
    )
    return send(world, op, multipart([*text, file_part]), f"multipart/form-data; boundary={BOUNDARY}")


MALFORMED: dict[str, tuple[str, bytes]] = {
    "no boundary": ("multipart/form-data", b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--x--\r\n'),
    "a 200 KB part header": (
        f"multipart/form-data; boundary={BOUNDARY}",
        multipart([(b'name="a"\r\nX-Big: ' + b"h" * 200_000, b"v")]),
    ),
    "5,000 parts": (
        f"multipart/form-data; boundary={BOUNDARY}",
        multipart([(b'name="f%d"' % i, b"v") for i in range(5000)]),
    ),
    "5,000 file parts": (
        f"multipart/form-data; boundary={BOUNDARY}",
        multipart([(b'name="f%d"; filename="f.pdf"' % i, b"v") for i in range(5000)]),
    ),
    "unterminated": (
        f"multipart/form-data; boundary={BOUNDARY}",
        f"--{BOUNDARY}\r\nContent-Disposition: form-da".encode(),
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
@pytest.mark.parametrize("op", MULTIPART_OPS, ids=lambda op: op.id)
def test_malformed_multipart_is_the_vendors_invalid_input(world: dict[str, Any], op: Operation, case: str) -> None:
    content_type, body = MALFORMED[case]
    assert_documented(op, send(world, op, body, content_type), kinds.INVALID_INPUT)


NAMES: dict[str, bytes] = {
    "plain": b"cv.pdf",
    "dot-dot": b"../../etc/passwd",
    "backslashes": b"..\\..\\win.ini",
    "NUL": b"a\x00b.pdf",
    "CR LF": b"a\r\nX-Injected: 1.pdf",
    "quotes": b"q'uo\\\"te.pdf",
    "1,000 characters": b"n" * 996 + b".pdf",
    "Chinese": "文件.pdf".encode(),
    "emoji": "cv🚀.pdf".encode(),
    "invalid UTF-8": b"\xff\xfe\xed\xa0\x80.pdf",
    "controls": b"\x01\x07\x1b[31m.pdf",
}


@pytest.mark.parametrize("case", NAMES)
@pytest.mark.parametrize("op", FILE_OPS, ids=lambda op: op.id)
def test_a_hostile_file_name_is_refused_or_stored_and_served_safely(
    world: dict[str, Any], op: Operation, case: str
) -> None:
    response = upload(world, op, NAMES[case])
    assert response.status_code < 500, response.text[:300]
    if case == "plain":
        assert response.status_code < 300 and response.json().get("success", True) is not False, response.text[:300]
    downloads = [world["http"].get(f["download"]) for f in held_files(world, op.vendor)]
    downloads += [world["http"].get(link) for link in record_links(world, op, response)]
    assert downloads, f"{op.vendor}: no file to download (no admin inventory, no link on the record)"
    for download in downloads:
        assert download.status_code == 200
        disposition = download.headers.get_list("content-disposition")
        assert len(disposition) == 1 and all(" " <= ch <= "~" for ch in disposition[0]), disposition
        assert "x-injected" not in download.headers
        unquote(disposition[0].split("filename*=UTF-8''", 1)[1], errors="strict")  # an exact, decodable name


def held_files(world: dict[str, Any], vendor: str) -> list[dict[str, Any]]:
    """The files the vendor lists to the admin API (vendors without an inventory list none)."""
    listing = world["http"].get("/__admin/vendors").json()
    [held] = [v for v in listing["vendors"] if v["name"] == vendor]
    return list(held["files"])


def record_links(world: dict[str, Any], op: Operation, response: Any) -> list[str]:
    """Every URL on the record the upload made, read back through the vendor's documented GET of it."""
    if response.status_code >= 300:
        return []
    body = response.json()
    found = body.get("result") or body.get("results") or body
    record_id = found.get("id") if isinstance(found, dict) else None
    collection = op.path.rsplit("/{", 1)[0] if op.path.endswith("}") else op.path
    reads = [
        o
        for o in operations(op.vendor)
        if o.method == "get" and o.path.rsplit("/{", 1)[0] == collection and o.path.endswith("}")
    ]
    if record_id is None or not reads:
        return []
    read = world["http"].get(reads[0].url(id=str(record_id)), auth=world["auth"][reads[0].id])
    assert read.status_code == 200, read.text[:300]
    return [v for v in strings(read.json()) if v.startswith(("http://", "https://"))]


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("op", FILE_OPS, ids=lambda op: op.id)
def test_utf8_names_are_stored_as_given(world: dict[str, Any], op: Operation) -> None:
    for name in ("文件.pdf", "cv🚀.pdf", "q'uote.pdf"):
        response = upload(world, op, name.encode())
        assert response.status_code < 300, response.text[:300]
        names = {f["name"] for f in held_files(world, op.vendor)}
        for link in record_links(world, op, response):
            disposition = world["http"].get(link).headers["content-disposition"]
            names.add(unquote(disposition.split("filename*=UTF-8''", 1)[1]))
        assert name in names
