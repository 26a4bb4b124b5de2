"""Timestamps as WTTJ writes them: ISO-8601 with milliseconds, in Paris time with its UTC offset.

Every example in WTTJ's docs is Paris time: ``2016-08-23T12:55:27.206+02:00`` (summer) and
``2018-01-08T11:46:02.990+01:00`` (winter). The offset follows the EU rule that has governed
Europe/Paris since 1996: CEST (+02:00) from the last Sunday of March to the last Sunday of October,
switching at 01:00 UTC; CET (+01:00) otherwise. Computed here rather than read from the system's
time zone database, so the answer is the same on every machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def _last_sunday_0100_utc(year: int, month: int) -> datetime:
    last = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def offset_at(moment: datetime) -> timezone:
    """Paris' UTC offset at an aware instant."""
    utc = moment.astimezone(UTC)
    summer = _last_sunday_0100_utc(utc.year, 3) <= utc < _last_sunday_0100_utc(utc.year, 10)
    return CEST if summer else CET


def paris_iso(epoch_seconds: float) -> str:
    """``2018-01-08T11:46:02.990+01:00``: the instant in Paris time, with milliseconds."""
    utc = datetime.fromtimestamp(epoch_seconds, UTC)
    return utc.astimezone(offset_at(utc)).isoformat(timespec="milliseconds")


def paris_midnight(day: date) -> float:
    """Epoch seconds of 00:00 Paris time on ``day`` (DST never switches at local midnight).

    The offset is taken off the seconds, not the datetime: 0001-01-01 less an hour is before
    ``datetime.min`` (a ``created_after=0001-01-01`` once answered 500)."""
    naive = datetime(day.year, day.month, day.day, tzinfo=UTC)
    offset = offset_at(naive).utcoffset(None)
    return naive.timestamp() - offset.total_seconds()
