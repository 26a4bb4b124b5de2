"""The one controllable clock: every expiry, window and timestamp in atsmock reads it."""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockservers.core.state import Cell


class Clock:
    """Mock time = real time (or a frozen instant) plus an offset that tests move.

    ``now()`` is epoch seconds as a float. Advancing works frozen or not; unfreezing resumes from
    the frozen instant without a jump. With a ``cell`` (the platform's state), the offset and the
    frozen instant are kept there at every change, so mock time carries on across a restart.
    """

    __slots__ = ("_cell", "_frozen_at", "_offset")

    def __init__(self, cell: Cell[Any] | None = None) -> None:
        self._cell = cell
        saved = cell.get() if cell is not None else None
        self._offset = float(saved["offset"]) if saved else 0.0
        self._frozen_at: float | None = saved.get("frozen_at") if saved else None

    def now(self) -> float:
        base = self._frozen_at if self._frozen_at is not None else time.time()
        return base + self._offset

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    def isoformat(self) -> str:
        """Mock now as ISO-8601 UTC with a ``Z`` and milliseconds."""
        return format_iso(self.now())

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    @property
    def offset_seconds(self) -> float:
        """How far mock time is ahead of the real clock (includes time spent frozen).

        Running, that is the offset itself: reading the real clock twice (``now() - time.time()``)
        would report the microseconds between the two reads, e.g. -1e-06 right after a reset.
        """
        if self._frozen_at is None:
            return self._offset
        return self._frozen_at + self._offset - time.time()

    def advance(self, seconds: float) -> None:
        self._offset += seconds
        self._save()

    def freeze(self) -> None:
        if self._frozen_at is None:
            self._frozen_at = time.time()
            self._save()

    def unfreeze(self) -> None:
        if self._frozen_at is not None:
            # Keep mock time continuous: the time spent frozen becomes negative offset.
            self._offset += self._frozen_at - time.time()
            self._frozen_at = None
            self._save()

    def set(self, epoch_seconds: float) -> None:
        """Jump to an absolute instant (keeps the frozen state)."""
        self._offset += epoch_seconds - self.now()
        self._save()

    def reset(self) -> None:
        self._offset = 0.0
        self._frozen_at = None
        if self._cell is not None:
            self._cell.clear()

    def _save(self) -> None:
        if self._cell is not None:
            self._cell.set({"offset": self._offset, "frozen_at": self._frozen_at})

    def state(self) -> dict[str, object]:
        # + 0.0 turns a rounded -0.0 (an offset of a few nanoseconds below zero) into 0.0.
        return {"now": self.isoformat(), "offset_seconds": round(self.offset_seconds, 6) + 0.0, "frozen": self.frozen}


@functools.lru_cache(maxsize=4096)
def format_iso(epoch_seconds: float) -> str:
    """ISO-8601 UTC with milliseconds and ``Z`` (the form the admin API and journal use).

    Remembered for the last 4096 instants: a record's timestamps (an Ashby candidate's ``createdAt``,
    ``updatedAt``) are formatted again on every read of it, ~4 us each, for the same string.
    """
    dt = datetime.fromtimestamp(epoch_seconds, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
