"""The storage interface: memory and SQLite tables behave alike; SQLite writes through, migrates, locks."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockservers.core.codecs import JSON, codec
from mockservers.core.sqlite_state import DATABASE, SCHEMA_VERSION, SqliteState
from mockservers.core.state import MemoryState, StateError, StateStore, open_state, stored_secret


@dataclass(slots=True)
class Note:
    id: int
    text: str
    tags: list[str] = field(default_factory=list)


def sqlite(tmp_path: Path) -> SqliteState:
    return SqliteState(tmp_path / "state")


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    state: StateStore = MemoryState() if request.param == "memory" else sqlite(tmp_path)
    yield state
    state.close()


def test_a_table_keeps_insertion_order_and_a_put_again_keeps_its_place(store: StateStore) -> None:
    notes = store.table("test.notes", codec(Note))
    for i in (3, 1, 2):
        notes.put(i, Note(i, f"n{i}"))
    notes.put(3, Note(3, "changed"))
    assert ([k for k in notes], [n.text for n in notes.values()]) == ([3, 1, 2], ["changed", "n1", "n2"])
    assert (notes.first(), len(notes), 1 in notes, notes.get(9)) == ((3, Note(3, "changed")), 3, True, None)
    assert (notes.delete(3), notes.delete(3), list(notes)) == (Note(3, "changed"), None, [1, 2])
    notes.clear()
    assert (len(notes), notes.first()) == (0, None)


def test_a_table_refuses_item_assignment_so_no_write_bypasses_put(store: StateStore) -> None:
    notes = store.table("test.notes", JSON)
    with pytest.raises(TypeError, match=r"put\(\), delete\(\) and clear\(\) only"):
        notes["a"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        notes.pop("a")  # type: ignore[attr-defined]


def test_a_name_is_one_table_or_cell(store: StateStore) -> None:
    store.table("test.notes", JSON)
    with pytest.raises(ValueError, match="already taken"):
        store.cell("test.notes", 0)
    with pytest.raises(ValueError, match="already taken"):
        store.table("cells", JSON)


def test_cells_start_at_their_default(store: StateStore) -> None:
    counter = store.cell("test.counter", 10)
    assert counter.get() == 10
    counter.set(11)
    assert counter.get() == 11
    counter.clear()
    assert counter.get() == 10


def test_memory_tables_hold_the_very_objects_put(store: StateStore) -> None:
    notes = store.table("test.notes", codec(Note))
    note = Note(1, "x")
    notes.put(1, note)
    assert notes.get(1) is note


def test_everything_put_is_read_back_by_the_next_store(tmp_path: Path) -> None:
    state = sqlite(tmp_path)
    notes = state.table("test.notes", codec(Note))
    pairs = state.table("test.pairs", JSON)
    for i in range(5):
        notes.put(i, Note(i, f"n{i}", ["a", "é"]))
    notes.delete(2)
    notes.put(0, Note(0, "zero"))
    pairs.put(("tenant", "file.txt"), [1, 2])
    state.cell("test.counter", 0).set(7)
    state.close()
    again = sqlite(tmp_path)
    notes = again.table("test.notes", codec(Note))
    assert list(notes.items()) == [
        (0, Note(0, "zero")),
        (1, Note(1, "n1", ["a", "é"])),
        (3, Note(3, "n3", ["a", "é"])),
        (4, Note(4, "n4", ["a", "é"])),
    ]
    assert dict(again.table("test.pairs", JSON).items()) == {("tenant", "file.txt"): [1, 2]}
    assert again.cell("test.counter", 0).get() == 7
    again.close()


def test_a_write_is_in_the_database_when_put_returns(tmp_path: Path) -> None:
    state = sqlite(tmp_path)
    state.table("test.notes", codec(Note)).put(1, Note(1, "durable"))
    other = sqlite3.connect(tmp_path / "state" / DATABASE)  # another connection: what a crash would leave
    assert other.execute("SELECT tbl, key, value FROM records").fetchall() == [
        ("test.notes", "1", '{"id":1,"text":"durable","tags":[]}')
    ]
    mode, sync = (
        other.execute("PRAGMA journal_mode").fetchone()[0],
        state._db.execute("PRAGMA synchronous").fetchone()[0],
    )
    assert (mode, sync) == ("wal", 2)  # 2 = FULL
    other.close()
    state.close()


def test_atomic_commits_all_writes_together_or_none(tmp_path: Path) -> None:
    state = sqlite(tmp_path)
    notes = state.table("test.notes", codec(Note))
    note = Note(1, "before")
    notes.put(1, note)
    ran: list[str] = []
    with pytest.raises(RuntimeError), state.atomic():
        note.text = "changed in place"
        notes.put(1, note)
        notes.put(2, Note(2, "new"))
        state.after_commit(lambda: ran.append("after"))
        raise RuntimeError("a failure half-way")
    assert (list(notes.values()), ran) == ([Note(1, "before")], [])  # memory is what the disk holds
    with state.atomic():
        notes.put(3, Note(3, "three"))
        state.after_commit(lambda: ran.append("after"))
        assert ran == []
    assert ran == ["after"]
    state.close()
    again = sqlite(tmp_path)
    assert list(again.table("test.notes", codec(Note))) == [1, 3]
    again.close()


def test_unsaved_names_a_record_changed_in_place_and_never_put(tmp_path: Path) -> None:
    state = sqlite(tmp_path)
    notes = state.table("test.notes", codec(Note))
    note = Note(1, "x")
    notes.put(1, note)
    assert state.unsaved() == []
    note.tags.append("forgotten")
    assert state.unsaved() == ["test.notes[1]"]
    notes.put(1, note)
    assert state.unsaved() == []
    state.close()


def test_an_older_schema_is_migrated_and_a_newer_one_refused(tmp_path: Path) -> None:
    sqlite(tmp_path).close()
    db = sqlite3.connect(tmp_path / "state" / DATABASE)
    assert db.execute("SELECT version FROM atsmock_schema").fetchall() == [(SCHEMA_VERSION,)]
    db.execute("UPDATE atsmock_schema SET version = ?", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(StateError) as caught:
        sqlite(tmp_path)
    assert str(caught.value) == (
        f"state dir {tmp_path / 'state'} was written by a newer atsmock (schema {SCHEMA_VERSION + 1}; "
        f"this one reads up to {SCHEMA_VERSION}); upgrade atsmock or choose another --state-dir"
    )


def test_a_migration_runs_on_a_database_of_the_version_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockservers.core import sqlite_state

    state = sqlite(tmp_path)
    state.table("test.notes", JSON).put("a", {"v": 1})
    state.close()

    def rename_key(db: sqlite3.Connection) -> None:
        db.execute("""UPDATE records SET value = json_object('value', json_extract(value, '$.v'))""")

    monkeypatch.setattr(sqlite_state, "MIGRATIONS", {**sqlite_state.MIGRATIONS, SCHEMA_VERSION + 1: rename_key})
    monkeypatch.setattr(sqlite_state, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    again = sqlite(tmp_path)
    assert dict(again.table("test.notes", JSON).items()) == {"a": {"value": 1}}
    again.close()


def test_a_second_store_on_one_directory_is_refused_naming_the_holder(tmp_path: Path) -> None:
    import os

    first = sqlite(tmp_path)
    with pytest.raises(StateError) as caught:
        sqlite(tmp_path)
    assert str(caught.value) == (
        f"state dir {tmp_path / 'state'} is in use by another atsmock (pid {os.getpid()}); "
        "stop it or choose another --state-dir"
    )
    first.close()
    sqlite(tmp_path).close()  # free again once closed


def test_a_record_it_cannot_read_is_a_one_line_error(tmp_path: Path) -> None:
    state = sqlite(tmp_path)
    state.table("test.notes", JSON).put(1, {"id": 1})  # no "text": Note cannot be built from it
    state.close()
    again = sqlite(tmp_path)
    with pytest.raises(StateError, match=r"^cannot read record 1 of table test.notes in .*: .*text"):
        again.table("test.notes", codec(Note))
    again.close()


def test_a_foreign_database_or_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    db = sqlite3.connect(tmp_path / "state" / DATABASE)
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()
    with pytest.raises(StateError, match="no atsmock schema version"):
        sqlite(tmp_path)
    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / DATABASE).write_bytes(b"not a database at all" * 100)
    with pytest.raises(StateError, match="not an atsmock state database"):
        SqliteState(tmp_path / "garbage")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StateError, match=r"^cannot use state dir"):
        SqliteState(tmp_path / "a-file")


def test_no_directory_means_memory_and_nothing_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    state = open_state("")
    assert (type(state), state.durable, state.directory) == (MemoryState, False, None)
    state.table("test.notes", JSON).put(1, {})
    assert list(tmp_path.iterdir()) == []


def test_a_stored_secret_is_kept_until_renewed(tmp_path: Path) -> None:
    state = sqlite(tmp_path)
    secret = stored_secret(state.cell("test.key", ""))
    state.close()
    again = sqlite(tmp_path)
    cell = again.cell("test.key", "")
    assert (len(secret), stored_secret(cell)) == (32, secret)
    assert stored_secret(cell, renew=True) != secret
    again.close()


def test_compact_leaves_no_deleted_record_in_the_files(tmp_path: Path) -> None:
    state = sqlite(tmp_path)
    notes = state.table("test.notes", JSON)
    notes.put(1, {"secret": "candidate-ssn-123-45-6789"})
    notes.clear()
    state.compact()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "state").iterdir() if p.is_file())
    assert b"candidate-ssn" not in raw
    state.close()


def test_any_python_string_is_stored_even_a_lone_surrogate(tmp_path: Path) -> None:
    state = sqlite(tmp_path)
    state.table("test.names", JSON).put(("b", "k\udc80"), {"name": "Müller \udcff 名前"})
    state.close()
    again = sqlite(tmp_path)
    assert dict(again.table("test.names", JSON).items()) == {("b", "k\udc80"): {"name": "Müller \udcff 名前"}}
    again.close()


def test_a_commit_that_fails_leaves_memory_as_the_disk_has_it(tmp_path: Path) -> None:
    state = sqlite(tmp_path)
    notes = state.table("test.notes", JSON)
    notes.put("kept", 1)

    class FailingCommit:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def execute(self, sql: str, *args: Any) -> Any:
            if sql == "COMMIT":
                raise sqlite3.OperationalError("disk I/O error")
            return self.db.execute(sql, *args)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.db, name)

    real = state._db
    state._db = FailingCommit(real)  # type: ignore[assignment]
    with pytest.raises(sqlite3.OperationalError), state.atomic():
        notes.put("kept", 2)
        notes.put("lost", 3)
    state._db = real
    assert (dict(notes.items()), real.in_transaction) == ({"kept": 1}, False)
    notes.put("after", 4)  # not inside a transaction left open
    state.close()
    again = sqlite(tmp_path)
    assert dict(again.table("test.notes", JSON).items()) == {"kept": 1, "after": 4}
    again.close()


def test_a_start_that_fails_half_way_does_not_keep_the_directory(tmp_path: Path) -> None:
    import gc

    from mockservers.config import Settings
    from mockservers.testing import make_app

    state = sqlite(tmp_path)
    state.table("pageup.documents", JSON).put(1, {"id": 1})  # not a whole Document
    state.close()
    settings = Settings().with_server(state_dir=str(tmp_path / "state"))
    with pytest.raises(StateError, match=r"^cannot read record 1 of table pageup\.documents"):
        make_app(settings)
    gc.collect()
    sqlite(tmp_path).close()  # the half-built app let go of the lock


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(["a", "b", "c", ("t", "x")]), st.integers(0, 9)),
        st.tuples(st.just("delete"), st.sampled_from(["a", "b", "c", ("t", "x")]), st.none()),
        st.tuples(st.just("clear"), st.none(), st.none()),
        st.tuples(st.just("atomic_fail"), st.sampled_from(["a", "b"]), st.integers(0, 9)),
    ),
    max_size=25,
)


@given(OPS)
def test_sqlite_tables_behave_like_memory_ones_and_reload_as_they_were(ops: list[tuple[str, Any, Any]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        durable = SqliteState(Path(directory) / "state")
        memory = MemoryState()
        tables = [durable.table("test.t", JSON), memory.table("test.t", JSON)]
        for op, key, value in ops:
            for state, table in zip((durable, memory), tables, strict=True):
                if op == "put":
                    table.put(key, value)
                elif op == "delete":
                    table.delete(key)
                elif op == "clear":
                    table.clear()
                elif state.durable:  # a transaction that fails: nothing of it stays
                    with contextlib.suppress(RuntimeError), state.atomic():
                        table.put(key, value)
                        table.delete("c")
                        raise RuntimeError
        assert list(tables[0].items()) == list(tables[1].items())
        durable.close()
        again = SqliteState(Path(directory) / "state")
        assert list(again.table("test.t", JSON).items()) == list(tables[1].items())
        again.close()
