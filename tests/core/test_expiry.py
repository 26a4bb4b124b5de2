"""Expiring records: lapse on the mock clock, swept from the oldest end, bounded in number."""

from __future__ import annotations

from mockservers.core.clock import Clock
from mockservers.core.expiry import ExpiringMap


def frozen() -> Clock:
    clock = Clock()
    clock.freeze()
    clock.set(1_000_000.0)
    return clock


def test_a_record_lives_exactly_its_ttl_of_mock_time() -> None:
    clock, gone = frozen(), []
    records = ExpiringMap[str, int](clock, 60, on_expire=lambda k, v: gone.append((k, v)))
    records.put("a", 1)
    clock.advance(59.999)
    assert records.get("a") == 1
    clock.advance(0.001)
    assert (records.get("a"), "a" in records, gone) == (None, False, [("a", 1)])


def test_putting_sweeps_the_expired_ones_at_the_oldest_end_only() -> None:
    clock, gone = frozen(), []
    records = ExpiringMap[str, int](clock, 10, on_expire=lambda k, v: gone.append(k))
    for i in range(5):
        records.put(f"old{i}", i)
    clock.advance(5)
    records.put("young", 9)
    clock.advance(6)  # the five old ones are over, "young" is not
    records.put("new", 10)
    assert (gone, len(records), list(records.values())) == (["old0", "old1", "old2", "old3", "old4"], 2, [9, 10])


def test_past_the_limit_the_oldest_goes_first() -> None:
    clock, gone = frozen(), []
    records = ExpiringMap[int, int](clock, 3600, limit=3, on_expire=lambda k, v: gone.append(k))
    for i in range(5):
        records.put(i, i)
    assert (gone, sorted(records.values())) == ([0, 1], [2, 3, 4])


def test_a_used_record_is_popped_without_expiring_and_a_key_put_again_starts_afresh() -> None:
    clock, gone = frozen(), []
    records = ExpiringMap[str, str](clock, 10, on_expire=lambda k, v: gone.append(k))
    records.put("a", "first")
    clock.advance(8)
    records.put("a", "second")
    clock.advance(8)
    assert records.get("a") == "second"
    assert (records.pop("a"), records.pop("a"), gone) == ("second", None, [])
