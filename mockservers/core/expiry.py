"""``ExpiringMap``: records that lapse on the mock clock (upload handles, temp uploads), bounded in number.

Temporary records (an upload handle nobody attaches, a temp upload nobody moves) must not pile up
over a long CI run. Each record expires ``ttl`` seconds of mock time after it is put; expired
records are swept from the oldest end whenever a record is put, so the work is O(1) amortised,
and ``on_expire`` is told of each (to delete its S3 object). At most ``limit`` records are kept:
past that the oldest goes first, as if expired.

The records live in a state ``Table`` of ``(expires_at, record)`` pairs: a dict by default, or a
durable table (``state.table(name, expiring(codec(Record)))``), so records and their expiry
times survive a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from mockservers.core.clock import Clock
from mockservers.core.state import MemoryTable, Table

K = TypeVar("K")
V = TypeVar("V")


class ExpiringMap(Generic[K, V]):
    def __init__(
        self,
        clock: Clock,
        ttl: float,
        *,
        limit: int = 100_000,
        on_expire: Callable[[K, V], None] | None = None,
        table: Table[K, tuple[float, V]] | None = None,
    ) -> None:
        self.clock = clock
        self.ttl = ttl
        self.limit = limit
        self._on_expire = on_expire
        self._items: Table[K, tuple[float, V]] = MemoryTable() if table is None else table

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` for ``ttl`` seconds of mock time from now (a key put again starts afresh)."""
        now = self.clock.now()
        self.sweep(now)
        items = self._items
        items.delete(key)  # a key put again moves to the young end
        while len(items) >= self.limit:
            oldest = items.first()
            assert oldest is not None
            items.delete(oldest[0])
            self._expire(*oldest)
        items.put(key, (now + self.ttl, value))

    def get(self, key: K) -> V | None:
        """The record, or None when there is none or it has expired (then it is dropped)."""
        found = self._items.get(key)
        if found is None:
            return None
        expires_at, value = found
        if self.clock.now() >= expires_at:
            self._items.delete(key)
            self._expire(key, found)
            return None
        return value

    def pop(self, key: K) -> V | None:
        """Remove a record without telling ``on_expire`` (it was used, not abandoned)."""
        found = self._items.delete(key)
        return None if found is None else found[1]

    def sweep(self, now: float | None = None) -> int:
        """Drop the expired records at the oldest end; how many went."""
        now = self.clock.now() if now is None else now
        dropped = 0
        items = self._items
        while True:
            oldest = items.first()
            if oldest is None or oldest[1][0] > now:
                break
            key, found = oldest
            items.delete(key)
            self._expire(key, found)
            dropped += 1
        return dropped

    def _expire(self, key: K, found: tuple[float, V]) -> None:
        if self._on_expire is not None:
            self._on_expire(key, found[1])

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def values(self) -> Iterator[V]:
        return (value for _, value in self._items.values())
