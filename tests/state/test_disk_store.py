"""The file-backed object store of ``--state-dir``: the verifying S3 front answers exactly as over moto,
and the files on disk are what a crash may leave (whole objects, orphans removed at start)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from state_support import Restarts

from mockservers.config import Settings
from mockservers.core.sqlite_state import SqliteState
from mockservers.s3.disk import DiskStore
from mockservers.s3.store import CHUNK_SIZE, ObjectMeta
from mockservers.testing import in_process_client, make_app

BUCKET, REGION, NOW = "atsmock-test", "eu-west-1", 1_893_456_000.0
BIG = bytes(range(256)) * (3 * 4096 + 7)  # ~3 MiB: many chunks each way


class S3:
    """One app's S3 at a frozen instant, with a presigning helper."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.s3 = app.platform.s3
        self.s3.ensure_bucket(BUCKET, REGION, max_object_size=4 * 1024 * 1024)
        app.platform.clock.freeze()
        app.platform.clock.set(NOW)
        self.http = in_process_client(app)

    def put(self, key: str, data: bytes, **headers: str) -> httpx.Response:
        url = self.s3.presign_put(bucket=BUCKET, key=key, expires_in=60, region=REGION, headers=headers)
        return self.http.put(url, content=data, headers=headers)

    def get(self, key: str, **headers: str) -> httpx.Response:
        return self.http.get(self.s3.presign_get(bucket=BUCKET, key=key, expires_in=60, region=REGION), headers=headers)

    def post(self, key: str, data: bytes) -> httpx.Response:
        fields = {"Content-Type": "text/plain"}
        conditions: list[Any] = [{"Content-Type": "text/plain"}, ["content-length-range", 1, 100]]
        url, form = self.s3.presign_post(
            bucket=BUCKET, key=key, expires_in=60, region=REGION, fields=fields, conditions=conditions
        )
        return self.http.post(url, data=form, files={"file": ("f.txt", data, "text/plain")})

    def delete(self, key: str) -> httpx.Response:
        from mockservers.s3.signing import Signer

        url = Signer(self.s3.settings.access_key, self.s3.settings.secret_key).presign_url(
            "DELETE", self.s3.object_url(BUCKET, key), now=NOW, region=REGION, expires_in=60, headers={}, params={}
        )
        return self.http.delete(url)


@pytest.fixture
def disk(restarts: Restarts) -> S3:
    return S3(restarts.app)


def answer(response: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    request_id = response.headers["x-request-id"]
    headers = {
        k: v.replace(request_id, "ID")
        for k, v in response.headers.items()
        if k not in ("x-request-id", "x-amz-id-2", "date")
    }
    body = re.sub(rb"<HostId>[^<]*</HostId>", b"<HostId/>", response.content.replace(request_id.encode(), b"ID"))
    return response.status_code, headers, body


def script(s3: S3) -> Iterator[httpx.Response]:
    md5 = base64.b64encode(hashlib.md5(b"wrong").digest()).decode()
    yield s3.put("a/Müller cv.pdf", BIG, **{"content-type": "application/pdf", "x-amz-meta-owner": "ada"})
    yield s3.get("a/Müller cv.pdf")
    yield s3.get("a/Müller cv.pdf", range="bytes=100-299")
    yield s3.get("a/Müller cv.pdf", range="bytes=-10")
    yield s3.get("a/Müller cv.pdf", range=f"bytes={len(BIG)}-")
    yield s3.put("a/Müller cv.pdf", b"replaced", **{"cache-control": "no-cache"})
    yield s3.get("a/Müller cv.pdf")
    yield s3.put("bad", b"right", **{"content-md5": md5})
    yield s3.get("bad")
    yield s3.put("empty", b"")
    yield s3.get("empty")
    yield s3.put("too-big", b"x" * (4 * 1024 * 1024 + 1))
    yield s3.post("posted", b"through a POST policy")
    yield s3.get("posted")
    yield s3.post("posted", b"x" * 101)
    yield s3.delete("a/Müller cv.pdf")
    yield s3.get("a/Müller cv.pdf")


def test_the_front_answers_over_files_exactly_as_over_moto(disk: S3) -> None:
    moto = S3(make_app())
    over_files = [answer(r) for r in script(disk)]
    assert over_files == [answer(r) for r in script(moto)]
    statuses = [status for status, _, _ in over_files]
    assert statuses == [200, 200, 206, 206, 416, 200, 200, 400, 404, 200, 200, 400, 204, 200, 400, 204, 404]
    assert (over_files[1][2], over_files[6][2], over_files[13][2]) == (BIG, b"replaced", b"through a POST policy")


def test_objects_are_files_and_a_deleted_or_replaced_one_leaves_no_file(restarts: Restarts, disk: S3) -> None:
    assert disk.put("k", BIG).status_code == 200
    (only,) = restarts.files()
    assert (restarts.directory / only).read_bytes() == BIG
    assert disk.put("k", b"new").status_code == 200
    (replaced,) = restarts.files()
    assert (replaced != only, (restarts.directory / replaced).read_bytes()) == (True, b"new")
    assert disk.delete("k").status_code == 204
    assert restarts.files() == []


def test_a_refused_upload_leaves_no_file(restarts: Restarts, disk: S3) -> None:
    md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    assert disk.put("k", b"body", **{"content-md5": md5}).status_code == 400
    assert restarts.files() == []


def test_a_download_keeps_its_bytes_while_the_object_is_replaced_and_deleted(restarts: Restarts, disk: S3) -> None:
    store = disk.s3.store()
    disk.s3.put_bytes(BUCKET, "k", BIG)
    reader = store.open(BUCKET, "k")
    pieces = reader.chunks(0, reader.info.size)
    first = next(pieces)
    disk.s3.put_bytes(BUCKET, "k", b"replacement")
    disk.s3.delete_object(BUCKET, "k")
    rest = list(pieces)
    reader.close()
    assert (first + b"".join(rest), {len(p) for p in rest} <= {CHUNK_SIZE, len(BIG) % CHUNK_SIZE}) == (BIG, True)
    assert restarts.files() == []


def test_a_copy_shares_the_file_which_goes_with_the_last_object_naming_it(restarts: Restarts, disk: S3) -> None:
    disk.s3.put_bytes(BUCKET, "src", BIG, "application/pdf")
    disk.s3.copy_object(BUCKET, "src", BUCKET, "dst")
    disk.s3.copy_object(BUCKET, "dst", BUCKET, "third")
    assert len(restarts.files()) == 1
    disk.s3.delete_object(BUCKET, "src")
    restarts.restart()  # the count of names is rebuilt from the rows
    s3 = S3(restarts.app).s3
    s3.put_bytes(BUCKET, "dst", b"replaced")  # one name less for the shared file
    info = s3.head_object(BUCKET, "third")
    assert (s3.get_bytes(BUCKET, "third"), info.content_type, info.etag) == (
        BIG,
        "application/pdf",
        f'"{hashlib.md5(BIG).hexdigest()}"',
    )
    assert len(restarts.files()) == 2
    s3.delete_object(BUCKET, "third")
    s3.delete_object(BUCKET, "dst")
    assert restarts.files() == []


def test_what_a_crash_leaves_is_cleaned_at_the_next_start(restarts: Restarts, disk: S3) -> None:
    disk.s3.put_bytes(BUCKET, "kept", b"whole")
    upload = disk.s3.store().begin_upload(BUCKET, "cut-short")
    upload.write(b"half an upl")  # the process dies here: a file, no row
    stray = restarts.directory / "objects" / "zz"
    stray.mkdir()
    (stray / "leftover").write_bytes(b"x")
    assert len(restarts.files()) == 3
    restarts.restart()
    s3 = S3(restarts.app)
    assert s3.get("kept").content == b"whole"
    assert s3.get("cut-short").status_code == 404
    assert len(restarts.files()) == 1


def test_bytes_and_names_are_synced_before_the_row_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The order that makes an acknowledged upload durable: file fsync, directory fsync, then the row."""
    events: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        events.append("dir" if os.path.isdir(os.readlink(f"/proc/self/fd/{fd}")) else "file")
        real_fsync(fd)

    state = SqliteState(tmp_path / "state")
    try:
        store = DiskStore(tmp_path / "state", state, make_app().platform.clock)
        real_execute = state.execute

        def execute(sql: str, params: tuple[Any, ...]) -> None:
            events.append(sql.split()[0])
            real_execute(sql, params)

        monkeypatch.setattr(state, "execute", execute)
        upload = store.begin_upload(BUCKET, "k")
        upload.write(b"bytes")
        monkeypatch.setattr(os, "fsync", fsync)
        upload.commit(ObjectMeta())
    finally:
        monkeypatch.undo()
        state.close()
    assert events == ["file", "dir", "INSERT"]


def test_settings_choose_the_store(tmp_path: Path) -> None:
    durable = make_app(Settings().with_server(state_dir=str(tmp_path / "s")))
    try:
        assert type(durable.platform.s3.store().inner).__name__ == "DiskStore"  # type: ignore[attr-defined]
    finally:
        durable.platform.close()
    assert type(make_app().platform.s3.store().inner).__name__ == "MotoStore"  # type: ignore[attr-defined]
