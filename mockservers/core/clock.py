"""The one controllable clock: every expiry, window and timestamp in atsmock reads it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Mock time = real time (or a frozen instant) plus an offset that tests move.

    ``now()`` is epoch seconds as a float. Advancing works frozen or not; unfreezing resumes from
    the frozen instant without a jump.
    """

    __slots__ = ("_frozen_at", "_offset")

    def __init__(self) -> None:
        self._offset = 0.0
        self._frozen_at: float | None = None

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
        """How far mock time is ahead of the real clock (includes time spent frozen)."""
        return self.now() - time.time()

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def freeze(self) -> None:
        if self._frozen_at is None:
            self._frozen_at = time.time()

    def unfreeze(self) -> None:
        if self._frozen_at is not None:
            # Keep mock time continuous: the time spent frozen becomes negative offset.
            self._offset += self._frozen_at - time.time()
            self._frozen_at = None

    def set(self, epoch_seconds: float) -> None:
        """Jump to an absolute instant (keeps the frozen state)."""
        self._offset += epoch_seconds - self.now()

    def reset(self) -> None:
        self._offset = 0.0
        self._frozen_at = None

    def state(self) -> dict[str, object]:
        # + 0.0 turns a rounded -0.0 (an offset of a few nanoseconds below zero) into 0.0.
        return {"now": self.isoformat(), "offset_seconds": round(self.offset_seconds, 6) + 0.0, "frozen": self.frozen}


def format_iso(epoch_seconds: float) -> str:
    """ISO-8601 UTC with milliseconds and ``Z`` (the form the admin API and journal use)."""
    dt = datetime.fromtimestamp(epoch_seconds, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
