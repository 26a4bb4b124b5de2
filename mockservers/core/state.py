"""The one storage interface for state that may outlive the process: named tables of records, and cells.

Every model keeps its records in ``Table``s made by the platform's ``StateStore`` instead of dicts
(``platform.state.table("pageup.documents", codec(Document))``) and calls ``table.put(key, record)``
after each change: a record changed in place and not put again is lost at the next restart
(``tests/state`` catches it). Two stores implement the interface:

- ``MemoryState`` (the default, no ``--state-dir``): a table *is* an ordered dict; ``put`` is
  its ``__setitem__`` itself, nothing is encoded and nothing is written anywhere.
- ``SqliteState`` (``--state-dir DIR``, in ``core/sqlite_state.py``): the same dicts, loaded from one
  SQLite database at start, and every ``put``/``delete``/``clear`` written through (WAL,
  ``synchronous=FULL``) before it returns, so whatever a request acknowledged survives ``kill -9``.

Reads never leave memory in either store. ``atomic()`` makes several writes one transaction (all
or nothing after a crash, and one fsync instead of several); ``after_commit`` defers what must
wait for the commit, such as unlinking the file of a deleted object. See docs/persistence.md.
"""

from __future__ import annotations

import contextlib
import secrets
from collections import OrderedDict
from collections.abc import Callable, ItemsView, Iterator, KeysView, ValuesView
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from mockservers.core.codecs import Codec

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class StateError(Exception):
    """The state directory cannot be used (in use, written by a newer atsmock, unreadable): one line."""


class Table(Protocol[K, V]):
    """Records by key, in insertion order (putting an existing key keeps its place, as a dict does).

    Keys are strings, integers, or tuples of those. Reads are dict reads; writes are ``put``,
    ``delete`` and ``clear`` only, so a durable store sees every change.
    """

    def get(self, key: K) -> V | None: ...

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` (durably before returning, in a durable store)."""
        ...

    def delete(self, key: K) -> V | None:
        """Remove the record; the record, or None when there was none."""
        ...

    def first(self) -> tuple[K, V] | None:
        """The oldest (key, record), or None when empty."""
        ...

    def clear(self) -> None: ...

    def keys(self) -> KeysView[K]: ...

    def values(self) -> ValuesView[V]: ...

    def items(self) -> ItemsView[K, V]: ...

    def __len__(self) -> int: ...

    def __contains__(self, key: object) -> bool: ...

    def __iter__(self) -> Iterator[K]: ...


def _use_put(*args: Any, **kwargs: Any) -> Any:
    raise TypeError("a state table changes through put(), delete() and clear() only")


class MemoryTable(OrderedDict[K, V]):
    """A table that is an ``OrderedDict``: reads and ``put`` cost what a dict's do, and ``first`` is O(1)
    however many records came and went at the front (a plain dict's iteration would skip their holes).

    Item assignment and the other dict mutators are refused, so a model written against the
    in-memory store behaves the same on a durable one.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        def put(self, key: K, value: V) -> None: ...

    else:
        put = OrderedDict.__setitem__

    def delete(self, key: K) -> V | None:
        return OrderedDict.pop(self, key, None)

    def first(self) -> tuple[K, V] | None:
        return next(iter(OrderedDict.items(self)), None)

    __setitem__ = __delitem__ = pop = popitem = setdefault = update = _use_put


class Cell(Generic[T]):
    """One named value (a counter, a signing key, the clock's offset) kept in the store's ``cells`` table."""

    __slots__ = ("_default", "_name", "_table")

    def __init__(self, table: Table[str, Any], name: str, default: T) -> None:
        self._table = table
        self._name = name
        self._default = default
        stored = table.get(name)
        if default is not None and stored is not None and _json_kind(stored) != _json_kind(default):
            # A damaged row (a counter that reads "abc") is refused when the store opens, not met by a request.
            kind = _KINDS.get(_json_kind(default), "value")
            raise StateError(
                f"cannot read cell {name} of the state dir: {stored!r:.40} is not a {kind} "
                "(damaged, or written by an incompatible atsmock?)"
            )

    def get(self) -> T:
        table = self._table
        if self._name in table:
            value: T = table.get(self._name)  # type: ignore[assignment]
            return value
        return self._default

    def set(self, value: T) -> None:
        self._table.put(self._name, value)

    def clear(self) -> None:
        """Back to the default (and nothing stored)."""
        self._table.delete(self._name)


_KINDS = {float: "number", str: "string", bool: "boolean", list: "list", dict: "JSON object"}


def _json_kind(value: Any) -> type[Any]:
    """bool, number (int and float alike), str, list or dict."""
    return float if isinstance(value, int | float) and not isinstance(value, bool) else type(value)


class StateStore(Protocol):
    """Where one app's state lives. Table and cell names are ``<vendor>.<noun>`` and unique per store."""

    @property
    def durable(self) -> bool:
        """Whether anything is written to disk (False: everything is as without ``--state-dir``)."""
        ...

    @property
    def directory(self) -> Path | None:
        """The state directory (object files go under it), or None in memory."""
        ...

    def table(self, name: str, codec: Codec[V]) -> Table[Any, V]:
        """The table ``name``, holding what an earlier run stored in it; ``codec`` turns its records into JSON."""
        ...

    def cell(self, name: str, default: T) -> Cell[T]:
        """The value ``name`` (a JSON value), or ``default`` until one is set."""
        ...

    def atomic(self) -> AbstractContextManager[None]:
        """Every write in the block commits together, or (on an exception) none does."""
        ...

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the open transaction commits (now, outside ``atomic``); never if it rolls back."""
        ...

    def compact(self) -> None:
        """Give back the space of deleted records (after a reset), so no wiped record stays on disk."""
        ...

    def close(self) -> None:
        """Release the state directory (its lock); the store is unusable afterwards."""
        ...


CELLS = "cells"
"""The table that holds every cell."""


class NameRegistry:
    """Refuses a second table or cell with the same name: two owners would overwrite each other's records."""

    def __init__(self) -> None:
        self.names: set[str] = {CELLS}

    def claim(self, name: str, what: str) -> None:
        if not name or name in self.names:
            raise ValueError(f"state {what} name {name!r} is empty or already taken")
        self.names.add(name)


_NO_TRANSACTION = contextlib.nullcontext()


class MemoryState:
    """The default store: tables are dicts, nothing leaves the process."""

    durable = False
    directory: Path | None = None

    def __init__(self) -> None:
        self._names = NameRegistry()
        self._cells: MemoryTable[str, Any] = MemoryTable()

    def table(self, name: str, codec: Codec[V]) -> MemoryTable[Any, V]:
        self._names.claim(name, "table")
        return MemoryTable()

    def cell(self, name: str, default: T) -> Cell[T]:
        self._names.claim(name, "cell")
        return Cell(self._cells, name, default)

    def atomic(self) -> AbstractContextManager[None]:
        return _NO_TRANSACTION

    def after_commit(self, action: Callable[[], None]) -> None:
        action()

    def compact(self) -> None:
        return None

    def close(self) -> None:
        return None


def open_state(directory: str) -> StateStore:
    """``MemoryState`` for an empty ``directory``, else the SQLite store in it (``StateError`` if unusable)."""
    if not directory:
        return MemoryState()
    from mockservers.core.sqlite_state import SqliteState  # sqlite3 only when a state dir is asked for

    return SqliteState(Path(directory))


def stored_secret(cell: Cell[str], *, renew: bool = False) -> bytes:
    """32 random bytes kept (as hex) in ``cell``: the same after a restart, new ones when ``renew``."""
    value = cell.get()
    if renew or not value:
        value = secrets.token_hex(32)
        cell.set(value)
    return bytes.fromhex(value)
