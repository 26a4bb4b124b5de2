"""``SqliteState``: the durable store of ``--state-dir DIR``, one SQLite database beside the object files.

Layout of ``DIR``: ``state.sqlite3`` (and its ``-wal``/``-shm``), ``lock`` (held with ``flock`` while a
process uses the directory, holding its pid), ``objects/`` (the S3 object files, ``s3/disk.py``).

Every record is one row of ``records(tbl, key, value)``: the table's name, the key as JSON and the
record as JSON (its codec's form). All rows are read into memory at start; after that every
``put``, ``delete`` and ``clear`` is written through before it returns, in WAL mode with
``synchronous=FULL``, so a write that returned is on disk and survives ``kill -9`` and power loss.
One connection serves every thread, behind one lock; a transaction (``atomic``) holds the lock, and
if it rolls back, the tables it wrote are read back from the database (order and all).

``atsmock_schema`` holds the layout's version. A database at an older version is migrated in
place at start (``MIGRATIONS``); one written by a newer atsmock is refused (``StateError``).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import sqlite3
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from mockservers.core.codecs import JSON, Codec
from mockservers.core.state import CELLS, Cell, MemoryTable, NameRegistry, StateError

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

DATABASE = "state.sqlite3"
LOCK = "lock"
OBJECTS = "objects"
"""The folder that holds the object files (``s3/disk.py``)."""


def _create_records(db: sqlite3.Connection) -> None:
    # A rowid table: rows load in insertion order, and an upsert keeps a row's place (as a dict does).
    db.execute("CREATE TABLE records (tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, UNIQUE (tbl, key))")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _create_records}
"""``MIGRATIONS[n]`` turns a database at version n - 1 into version n (0: an empty database). A release
that changes the layout, or a record shape beyond what codecs read (``core/codecs.py``), adds one."""
SCHEMA_VERSION = max(MIGRATIONS)

_UPSERT = (
    "INSERT INTO records (tbl, key, value) VALUES (?, ?, ?) ON CONFLICT (tbl, key) DO UPDATE SET value = excluded.value"
)
_DELETE = "DELETE FROM records WHERE tbl = ? AND key = ?"
_CLEAR = "DELETE FROM records WHERE tbl = ?"
_MISSING: Any = object()


def key_text(key: Any) -> str:
    """A key as stored: JSON (a tuple becomes an array)."""
    return _dumps(key)


def key_value(text: str) -> Any:
    return _tuples(json.loads(text))


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _dumps(value: Any) -> str:
    # ASCII JSON: a lone surrogate (a key S3 decoded from raw bytes) is written as \udXXX, which SQLite's
    # UTF-8 text would refuse as a character.
    return json.dumps(value, separators=(",", ":"))


class SqliteState:
    """The state of one app in ``directory``; refuses a directory another process holds."""

    durable = True

    def __init__(self, directory: Path) -> None:
        self.directory: Path | None = directory
        self._lock_file = _lock(directory)
        try:
            self._db = _connect(directory / DATABASE)
        except BaseException:
            os.close(self._lock_file)
            raise
        self._release = weakref.finalize(self, _release, self._db, self._lock_file)
        """Closes the database and lets go of the lock: at ``close``, or when the store is dropped unclosed
        (a start-up that failed half-way must not keep the directory locked)."""
        self.lock = threading.RLock()
        """Held for every write, and for a whole transaction."""
        self.touched: dict[str, SqliteTable[Any, Any]] | None = None
        """In a transaction: the tables it wrote, read back from the database if it rolls back."""
        self._after: list[Callable[[], None]] = []
        self._depth = 0
        self._names = NameRegistry()
        self._tables: dict[str, SqliteTable[Any, Any]] = {}
        self._rows: dict[str, list[tuple[str, str]]] = {}
        try:
            for tbl, key, value in self._db.execute("SELECT tbl, key, value FROM records ORDER BY rowid"):
                self._rows.setdefault(tbl, []).append((key, value))
        except sqlite3.Error as e:  # the version row is there but the records are not (or not readable)
            self._release()
            raise StateError(f"cannot read {directory / DATABASE}: {e} (not an atsmock state database?)") from None
        self._cells: SqliteTable[str, Any] = self._load(CELLS, JSON)

    # -- tables and cells -------------------------------------------------------------------------

    def table(self, name: str, codec: Codec[V]) -> SqliteTable[Any, V]:
        self._names.claim(name, "table")
        return self._load(name, codec)

    def cell(self, name: str, default: T) -> Cell[T]:
        self._names.claim(name, "cell")
        return Cell(self._cells, name, default)

    def _load(self, name: str, codec: Codec[V]) -> SqliteTable[Any, V]:
        table: SqliteTable[Any, V] = SqliteTable(self, name, codec)
        for key, value in self._rows.pop(name, ()):
            try:
                OrderedDict.__setitem__(table, key_value(key), codec.decode(json.loads(value)))
            except (ValueError, TypeError, KeyError, IndexError) as exc:
                raise StateError(
                    f"cannot read record {key} of table {name} in {self.directory}: {exc} "
                    "(written by an incompatible atsmock?)"
                ) from None
        self._tables[name] = table
        return table

    # -- writing ----------------------------------------------------------------------------------

    def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        """One statement; outside a transaction it is committed (and synced) when this returns."""
        self._db.execute(sql, params)

    def rows(self, table: str) -> list[tuple[str, str]]:
        """(key, value) JSON of every record of ``table``, in insertion order."""
        query = "SELECT key, value FROM records WHERE tbl = ? ORDER BY rowid"
        return [(str(k), str(v)) for k, v in self._db.execute(query, (table,))]

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth, self.touched, self._after = 1, {}, []
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # also when the COMMIT itself failed (a full disk)
                    self._db.execute("ROLLBACK")
                for table in self.touched.values():
                    table.reload()
                raise
            finally:
                self._depth, self.touched = 0, None
            after, self._after = self._after, []
        for action in after:
            action()

    def atomic(self) -> Any:
        return self._transaction()

    def after_commit(self, action: Callable[[], None]) -> None:
        with self.lock:
            if self._depth:
                self._after.append(action)
                return
        action()

    def compact(self) -> None:
        with self.lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self.lock:
            self._release()
            self.directory = None

    # -- for tests --------------------------------------------------------------------------------

    def unsaved(self) -> list[str]:
        """Records whose memory differs from the database: changed in place and never put again.

        The restart helper of ``tests/state`` asks before each restart, so a model that forgets a
        ``put`` fails with the table and key named rather than with a missing record later.
        """
        found: list[str] = []
        with self.lock:
            for name, table in self._tables.items():
                stored = dict(self.rows(name))
                for key, record in OrderedDict.items(table):
                    text = key_text(key)
                    if stored.pop(text, None) != _dumps(table.codec.encode(record)):
                        found.append(f"{name}[{text}]")
                found += [f"{name}[{k}] (deleted in memory only)" for k in stored]
        return found


class SqliteTable(MemoryTable[K, V]):
    """A ``MemoryTable`` whose writes go to the database first, then to memory."""

    __slots__ = ("_name", "_state", "codec")

    def __init__(self, state: SqliteState, name: str, codec: Codec[V]) -> None:
        super().__init__()
        self._state = state
        self._name = name
        self.codec = codec

    def put(self, key: K, value: V) -> None:
        row = (self._name, key_text(key), _dumps(self.codec.encode(value)))
        state = self._state
        with state.lock:
            state.execute(_UPSERT, row)
            if state.touched is not None:
                state.touched[self._name] = self
            OrderedDict.__setitem__(self, key, value)

    def delete(self, key: K) -> V | None:
        if key not in self:
            return None
        state = self._state
        with state.lock:
            state.execute(_DELETE, (self._name, key_text(key)))
            if state.touched is not None:
                state.touched[self._name] = self
            old = OrderedDict.pop(self, key, _MISSING)
        return None if old is _MISSING else old

    def clear(self) -> None:
        state = self._state
        with state.lock:
            state.execute(_CLEAR, (self._name,))
            if state.touched is not None:
                state.touched[self._name] = self
            OrderedDict.clear(self)

    def reload(self) -> None:
        """Memory as the database has it (after a rollback), order included.

        Decoded afresh: a model may have changed a record in place before putting it, and a
        rollback must not keep that change.
        """
        OrderedDict.clear(self)
        for key, value in self._state.rows(self._name):
            OrderedDict.__setitem__(self, key_value(key), self.codec.decode(json.loads(value)))


def _release(db: sqlite3.Connection, lock_file: int) -> None:
    db.close()
    os.close(lock_file)


def _lock(directory: Path) -> int:
    """Create ``directory`` if need be and hold its lock file; ``StateError`` naming the holder if taken."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise StateError(f"cannot use state dir {directory}: {e.strerror or e}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        if e.errno not in (errno.EAGAIN, errno.EACCES):
            raise StateError(f"cannot lock state dir {directory}: {e.strerror or e}") from None
        who = f"another atsmock (pid {holder})" if holder.isdigit() else "another process"
        raise StateError(f"state dir {directory} is in use by {who}; stop it or choose another --state-dir") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _connect(path: Path) -> sqlite3.Connection:
    """The database at ``path``, at ``SCHEMA_VERSION`` (migrated if older), or ``StateError``."""
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as e:
        raise StateError(f"cannot open {path}: {e}") from None
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        version = _version(db)
        if version > SCHEMA_VERSION:
            raise StateError(
                f"state dir {path.parent} was written by a newer atsmock (schema {version}; "
                f"this one reads up to {SCHEMA_VERSION}); upgrade atsmock or choose another --state-dir"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            db.execute("BEGIN IMMEDIATE")
            MIGRATIONS[target](db)
            db.execute("DELETE FROM atsmock_schema")
            db.execute("INSERT INTO atsmock_schema (version) VALUES (?)", (target,))
            db.execute("COMMIT")
    except sqlite3.Error as e:
        db.close()
        raise StateError(f"cannot use {path}: {e} (not an atsmock state database?)") from None
    except BaseException:
        db.close()
        raise
    return db


def _version(db: sqlite3.Connection) -> int:
    """The schema version; 0 for a new database (the version table is made here)."""
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "atsmock_schema" not in tables:
        if tables:
            raise StateError(f"{_path(db)} holds tables but no atsmock schema version (not an atsmock state dir?)")
        _refuse_objects_without_a_database(Path(_path(db)).parent)
        db.execute("CREATE TABLE atsmock_schema (version INTEGER NOT NULL)")
        return 0
    row = db.execute("SELECT version FROM atsmock_schema").fetchone()
    if row is not None and type(row[0]) is not int:
        raise StateError(f"{_path(db)} has schema version {row[0]!r:.40}, not a number (not an atsmock state dir?)")
    return int(row[0]) if row else 0


def _refuse_objects_without_a_database(directory: Path) -> None:
    """A new database beside object files (``state.sqlite3`` deleted, emptied or never copied): once
    it existed, each file would read as a crash's leftover and be deleted at start (``s3/disk.py``),
    so refuse before the database exists. A crash mid-upload leaves a file only once it does."""
    objects = directory / OBJECTS
    files = sum(1 for path in objects.rglob("*") if path.is_file()) if objects.is_dir() else 0
    if files:
        raise StateError(
            f"state dir {directory} holds {files} object file{'s' if files != 1 else ''} but no database "
            f"({DATABASE} is missing or empty); restore {DATABASE}, or remove {objects} to start empty"
        )


def _path(db: sqlite3.Connection) -> str:
    return str(db.execute("PRAGMA database_list").fetchone()[2])
