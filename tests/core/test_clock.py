"""The one clock: offset arithmetic, freeze/unfreeze continuity and the ISO form, on a fake real-time."""

from __future__ import annotations

import json
import math
import re
import types

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockservers.core import clock as clock_module
from mockservers.core.clock import Clock, format_iso

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class RealTime:
    """Stands in for ``time.time`` inside the clock module, so every instant in these tests is exact."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def real(monkeypatch: pytest.MonkeyPatch) -> RealTime:
    fake = RealTime(1_700_000_000.0)
    monkeypatch.setattr(clock_module, "time", types.SimpleNamespace(time=fake.time))
    return fake


def test_a_new_clock_follows_real_time(real: RealTime) -> None:
    clock = Clock()
    assert clock.now() == 1_700_000_000.0
    real.now += 5
    assert clock.now() == 1_700_000_005.0
    assert clock.state() == {"now": "2023-11-14T22:13:25.000Z", "offset_seconds": 0.0, "frozen": False}


class TickingTime(RealTime):
    """A real clock that moves 3 us on every read, as a loaded CI runner's does between two reads."""

    def time(self) -> float:
        self.now += 3e-6
        return self.now


def test_a_running_clock_reports_its_offset_not_the_time_between_two_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    ticking = TickingTime(1_700_000_000.0)
    monkeypatch.setattr(clock_module, "time", types.SimpleNamespace(time=ticking.time))
    clock = Clock()
    assert (clock.offset_seconds, clock.state()["offset_seconds"]) == (0.0, 0.0)
    clock.advance(42)
    assert clock.state()["offset_seconds"] == 42.0


def test_advance_moves_mock_time_and_offset(real: RealTime) -> None:
    clock = Clock()
    clock.advance(3600)
    clock.advance(-0.5)
    assert clock.now() == 1_700_003_599.5
    assert clock.offset_seconds == 3599.5
    real.now += 10
    assert clock.now() == 1_700_003_609.5


def test_frozen_clock_stands_still_but_advances(real: RealTime) -> None:
    clock = Clock()
    clock.freeze()
    real.now += 100
    assert clock.now() == 1_700_000_000.0
    assert clock.frozen is True
    # Mock time stands still, so it falls behind real time: the offset says so.
    assert clock.offset_seconds == -100.0
    clock.advance(301)
    assert clock.now() == 1_700_000_301.0
    clock.freeze()  # freezing twice keeps the first instant
    assert clock.now() == 1_700_000_301.0


def test_unfreeze_resumes_from_the_frozen_instant_without_a_jump(real: RealTime) -> None:
    clock = Clock()
    clock.advance(50)
    clock.freeze()
    real.now += 1000
    clock.unfreeze()
    assert clock.frozen is False
    assert clock.now() == 1_700_000_050.0
    real.now += 2
    assert clock.now() == 1_700_000_052.0
    clock.unfreeze()  # unfreezing a running clock changes nothing
    assert clock.now() == 1_700_000_052.0


def test_set_jumps_to_an_instant_and_keeps_the_frozen_state(real: RealTime) -> None:
    clock = Clock()
    clock.freeze()
    clock.set(1_800_000_000.25)
    assert clock.now() == 1_800_000_000.25
    assert clock.frozen is True
    clock.unfreeze()
    real.now += 1
    assert clock.now() == 1_800_000_001.25


def test_reset_returns_to_real_time_and_unfreezes(real: RealTime) -> None:
    clock = Clock()
    clock.advance(86_400)
    clock.freeze()
    clock.reset()
    assert clock.state() == {"now": "2023-11-14T22:13:20.000Z", "offset_seconds": 0.0, "frozen": False}


def test_now_datetime_is_utc(real: RealTime) -> None:
    clock = Clock()
    clock.advance(0.5)
    dt = clock.now_datetime()
    assert dt.utcoffset() is not None and dt.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert dt.timestamp() == 1_700_000_000.5


def test_state_has_exactly_the_documented_keys_on_the_real_clock() -> None:
    state = Clock().state()
    assert set(state) == {"now", "offset_seconds", "frozen"}
    assert ISO.match(str(state["now"]))
    assert state["frozen"] is False
    assert isinstance(state["offset_seconds"], float)
    assert abs(state["offset_seconds"]) < 1.0


@pytest.mark.parametrize(
    ("epoch", "text"),
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1.9999, "1970-01-01T00:00:01.999Z"),  # milliseconds are truncated, never rounded up
        (1_700_000_000.123, "2023-11-14T22:13:20.123Z"),
        (253_402_300_799, "9999-12-31T23:59:59.000Z"),
    ],
)
def test_format_iso(epoch: float, text: str) -> None:
    assert format_iso(epoch) == text


@given(steps=st.lists(st.integers(min_value=-(10**7), max_value=10**7), max_size=20))
def test_frozen_advances_add_up_exactly(steps: list[int]) -> None:
    clock = Clock()
    clock.freeze()
    start = clock.now()
    for step in steps:
        clock.advance(step)
    assert clock.now() == start + sum(steps)
    assert ISO.match(clock.isoformat())


def test_state_never_reads_minus_zero(real: RealTime) -> None:
    clock = Clock()
    clock.advance(-1e-9)  # rounds to -0.0 at six decimals
    offset = clock.state()["offset_seconds"]
    assert isinstance(offset, float)
    assert (offset, math.copysign(1.0, offset), json.dumps(clock.state()["offset_seconds"])) == (0.0, 1.0, "0.0")
