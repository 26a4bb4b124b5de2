"""The shelf of docs/examples/persistent_shelf.py in memory and across a restart on a state directory."""

from __future__ import annotations

from pathlib import Path

from persistent_shelf import Item, Shelf

from mockservers.core.sqlite_state import SqliteState


def test_in_memory_the_shelf_is_a_dict_of_the_very_items() -> None:
    shelf = Shelf()
    item = shelf.add("mug")
    assert (shelf.items.get(1) is item, shelf.items == {1: Item(1, "mug")}) == (True, True)


def test_on_a_state_directory_the_shelf_survives_a_restart(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state")
    shelf = Shelf(state)
    shelf.add("mug")
    shelf.tag(shelf.add("pen").id, "blue")
    assert state.unsaved() == []  # every change was put
    state.close()

    state = SqliteState(tmp_path / "state")  # what the next process finds
    shelf = Shelf(state)
    assert list(shelf.items.values()) == [Item(1, "mug"), Item(2, "pen", ["blue"])]
    assert shelf.add("cup").id == 3
    shelf.reset()
    state.close()
    state = SqliteState(tmp_path / "state")
    assert list(Shelf(state).items.values()) == []
    state.close()
