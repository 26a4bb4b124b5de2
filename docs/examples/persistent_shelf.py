"""The toy vendor's shelf (docs/examples/toy_vendor.py) with its records in the platform's state store.

What docs/persistence.md asks of every vendor's models: records are dataclasses kept in tables
made by the state store (``platform.state``), every change is a ``put`` (also after changing a
record in place), counters are cells, and an operation that writes several records does it in
``atomic()``. Without a state store the shelf is in memory, exactly as a dict would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mockservers.core.codecs import codec
from mockservers.core.state import MemoryState, StateStore, Table


@dataclass(slots=True)
class Item:
    id: int
    name: str
    tags: list[str] = field(default_factory=list)


class Shelf:
    def __init__(self, state: StateStore | None = None) -> None:
        self.state = state or MemoryState()
        self.items: Table[int, Item] = self.state.table("toy.items", codec(Item))
        self._next_id = self.state.cell("toy.next_item_id", 1)

    def add(self, name: str) -> Item:
        with self.state.atomic():  # the counter and the item, or neither
            item = Item(self._next_id.get(), name)
            self._next_id.set(item.id + 1)
            self.items.put(item.id, item)
        return item

    def tag(self, item_id: int, tag: str) -> Item:
        item = self.items.get(item_id)
        if item is None:
            raise KeyError(item_id)
        item.tags.append(tag)
        self.items.put(item.id, item)  # changed in place: put it again, or a restart forgets the tag
        return item

    def reset(self) -> None:
        with self.state.atomic():
            self.items.clear()
            self._next_id.clear()
