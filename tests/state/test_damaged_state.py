"""A damaged state directory is refused at start with one line, for every table, cell and object every served vendor
stored: a row of the wrong shape or type, a cell of the wrong kind, an object file cut short or gone, a database
without its records. Before, some of these started and answered 500s (or dropped the connection mid-download) on the
first request that read them, and others exited with a traceback."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from state_support import Restarts
from test_platform_state import owner, upload_everywhere

from mockservers.core.codecs import JSON
from mockservers.core.sqlite_state import DATABASE
from mockservers.core.state import CELLS, StateError
from mockservers.s3.budget import BudgetedStore
from mockservers.s3.disk import DiskStore
from mockservers.s3.store import ObjectMeta
from mockservers.vendors import served

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stocked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state directory after every served vendor's demo, a fault and a clock move (then stopped)."""
    directory = tmp_path_factory.mktemp("stocked") / "state"
    restarts = Restarts(directory)
    try:
        upload_everywhere(restarts)
        assert restarts.state.unsaved() == []
        json_tables = {name for name, table in restarts.state._tables.items() if table.codec is JSON}
    finally:
        restarts.stop()
    (directory / "json-tables").write_text("\n".join(sorted(json_tables)))
    return directory


def copy_of(stocked: Path, into: Path) -> Path:
    target = into / "state"
    shutil.copytree(stocked, target)
    (target / "json-tables").unlink()
    return target


def rows(directory: Path) -> list[tuple[str, str, Any]]:
    db = sqlite3.connect(directory / DATABASE)
    try:
        return [(t, k, json.loads(v)) for t, k, v in db.execute("SELECT tbl, key, value FROM records ORDER BY rowid")]
    finally:
        db.close()


def execute(directory: Path, sql: str, parameters: tuple[Any, ...] = ()) -> None:
    """Run one statement on the directory's database and commit it (how each test damages the state)."""
    db = sqlite3.connect(directory / DATABASE)
    db.execute(sql, parameters)
    db.commit()
    db.close()


def rewrite(directory: Path, table: str, key: str, value: Any) -> None:
    execute(directory, "UPDATE records SET value = ? WHERE tbl = ? AND key = ?", (json.dumps(value), table, key))


def retyped(value: Any) -> Any:
    """``value`` with its first string or number leaf (depth first) turned into the other kind."""
    if isinstance(value, dict):
        for name, item in value.items():
            changed = retyped(item)
            if changed is not _SAME:
                return {**value, name: changed}
    elif isinstance(value, list):
        for i, item in enumerate(value):
            changed = retyped(item)
            if changed is not _SAME:
                return [*value[:i], changed, *value[i + 1 :]]
    elif isinstance(value, str):
        return 12345
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return "12345"
    return _SAME


_SAME: Any = object()


def refused(directory: Path) -> str:
    """The one-line StateError starting an app on ``directory`` raises (the test fails if it starts)."""
    with pytest.raises(StateError) as error:
        Restarts(directory).stop()
    message = str(error.value)
    assert "\n" not in message
    return message


def first_rows(stocked: Path) -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for table, key, value in rows(stocked):
        if table != CELLS:
            found.setdefault(table, (key, value))
    # Every served vendor's records and the platform's own are here, so each is damaged below.
    assert {"s3.objects", "tokens.issued", "faults.scheduled"} <= set(found)
    assert {v.name for v in served()} <= {owner(t.replace(".", "-")) for t in found}
    return found


def test_a_record_that_is_not_a_record_is_refused_in_every_table(stocked: Path, tmp_path: Path) -> None:
    for n, (table, (key, _)) in enumerate(first_rows(stocked).items()):
        directory = copy_of(stocked, tmp_path / str(n))
        rewrite(directory, table, key, "damaged")
        message = refused(directory)
        assert message.startswith((f"cannot read record {key} of table {table} in ", "cannot read state dir ")), message
        assert "written by an incompatible atsmock" in message


def test_a_field_of_the_wrong_type_is_refused_in_every_table(stocked: Path, tmp_path: Path) -> None:
    plain_json = set((stocked / "json-tables").read_text().split())  # a JSON table's fields have no declared type
    for n, (table, (key, value)) in enumerate(first_rows(stocked).items()):
        if table in plain_json:
            continue
        damaged = retyped(value)
        assert damaged is not _SAME, table
        directory = copy_of(stocked, tmp_path / str(n))
        rewrite(directory, table, key, damaged)
        message = refused(directory)
        assert message.startswith(f"cannot read record {key} of table {table} in {directory}: "), message
        assert " must be " in message


def test_a_cell_of_the_wrong_kind_is_refused(stocked: Path, tmp_path: Path) -> None:
    cells = [(key, value) for table, key, value in rows(stocked) if table == CELLS]
    assert {json.loads(k) for k, _ in cells} >= {"clock", "tokens.key", "pageup.next_document_id"}
    for n, (key, value) in enumerate(cells):
        directory = copy_of(stocked, tmp_path / str(n))
        rewrite(directory, CELLS, key, 5 if isinstance(value, str) else "damaged")
        message = refused(directory)
        assert json.loads(key) in message or str(directory) in message, message


def object_files(directory: Path) -> list[Path]:
    return sorted(p for p in (directory / "objects").rglob("*") if p.is_file())


def test_an_object_file_cut_short_or_gone_is_refused_naming_it(stocked: Path, tmp_path: Path) -> None:
    short = copy_of(stocked, tmp_path / "short")
    cut = object_files(short)[0]
    cut.write_bytes(cut.read_bytes()[:3])
    message = refused(short)
    name = cut.relative_to(short)
    assert message.startswith(f"state dir {short} is damaged: object file {name} (")
    assert ") has 3 bytes, its record says " in message
    gone = copy_of(stocked, tmp_path / "gone")
    for path in object_files(gone):
        path.unlink()
    assert " is missing, its record says " in refused(gone)
    assert "more); restore the directory, or choose another --state-dir" in refused(gone)


def test_an_object_file_cut_short_while_serving_reads_as_missing(tmp_path: Path) -> None:
    restarts = Restarts(tmp_path / "state")
    try:
        store = restarts.platform.s3.store()
        assert isinstance(store, BudgetedStore) and isinstance(store.inner, DiskStore)
        upload = store.begin_upload("b", "k")
        upload.write(b"0123456789")
        upload.commit(ObjectMeta())
        reader = store.open("b", "k")
        assert reader is not None and b"".join(reader.chunks(0, 10)) == b"0123456789"
        reader.close()
        [path] = object_files(tmp_path / "state")
        path.write_bytes(b"012")
        assert store.open("b", "k") is None  # a short answer under a full Content-Length dropped the connection
    finally:
        restarts.stop()


def test_objects_that_is_not_a_folder_and_a_database_without_records_are_refused(stocked: Path, tmp_path: Path) -> None:
    not_folder = copy_of(stocked, tmp_path / "file")
    shutil.rmtree(not_folder / "objects")
    (not_folder / "objects").write_text("x")
    assert refused(not_folder).startswith(
        f"cannot use state dir {not_folder}: {not_folder / 'objects'} is not a folder"
    )
    no_records = copy_of(stocked, tmp_path / "records")
    execute(no_records, "DROP TABLE records")
    assert refused(no_records) == (
        f"cannot read {no_records / DATABASE}: no such table: records (not an atsmock state database?)"
    )
    bad_version = copy_of(stocked, tmp_path / "version")
    execute(bad_version, "UPDATE atsmock_schema SET version = 'two'")
    assert "has schema version 'two', not a number" in refused(bad_version)


@pytest.mark.parametrize("database", ["zero bytes", "deleted"])
def test_object_files_beside_a_new_database_are_refused_and_kept(stocked: Path, tmp_path: Path, database: str) -> None:
    """A ``state.sqlite3`` emptied or deleted (a copy that missed it, a hand's ``rm``) beside an earlier
    run's objects: each file would read as a crash's leftover and be deleted at start. It is refused
    instead, and every file stays; removing ``objects/`` too starts empty, as the message says."""
    directory = copy_of(stocked, tmp_path)
    files = {path: path.read_bytes() for path in object_files(directory)}
    assert len(files) > 1
    for name in (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm"):
        (directory / name).unlink(missing_ok=True)
    if database == "zero bytes":
        (directory / DATABASE).write_bytes(b"")
    message = (
        f"state dir {directory} holds {len(files)} object files but no database ({DATABASE} is missing "
        f"or empty); restore {DATABASE}, or remove {directory / 'objects'} to start empty"
    )
    assert (refused(directory), refused(directory)) == (message, message)  # a refused start creates nothing
    assert {path: path.read_bytes() for path in object_files(directory)} == files
    shutil.rmtree(directory / "objects")
    Restarts(directory).stop()
    assert (directory / "objects").is_dir() and object_files(directory) == []


@pytest.mark.live
def test_atsmock_serve_on_a_damaged_directory_exits_2_with_one_line(stocked: Path, tmp_path: Path) -> None:
    directory = copy_of(stocked, tmp_path)
    cut = object_files(directory)[0]
    cut.write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATSMOCK_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    argv = [sys.executable, "-m", "mockservers.cli", "serve", "--port", "0", "--state-dir", str(directory)]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # serving = timeout
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(
        f"atsmock: state dir {directory} is damaged: object file {cut.relative_to(directory)} ("
    )
    assert done.stderr.count("\n") == 1
