"""Clinch's date objects ``{utc, epoch, ago, local, local_epoch}``, and the date-times its filters take.

Seed 003, ``components.schemas.DateTime``: ``utc`` and ``local`` are date-times, ``epoch`` and
``local_epoch`` int64, ``ago`` a string. Inferred (the seed gives no example): whole seconds;
``utc`` ends in ``Z``; ``local`` is the same instant in the account's time zone (``Z`` when that
zone is UTC, else its offset, as Rails' ``TimeWithZone#iso8601`` writes it); ``local_epoch`` is the
local wall-clock time counted as if it were UTC (``epoch`` plus the zone's offset); ``ago`` is Rails'
``time_ago_in_words`` plus " ago" ("less than a minute ago"), measured on the mock clock.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

MINUTES_IN_YEAR = 525_600
MINUTES_IN_QUARTER_YEAR = 131_400
MINUTES_IN_THREE_QUARTERS_YEAR = 394_200


def _round(value: float) -> int:
    """Ruby's ``Float#round``: halves away from zero (Python's ``round`` rounds them to even)."""
    return math.floor(abs(value) + 0.5) * (1 if value >= 0 else -1)


def _count(n: int, one: str, other: str) -> str:
    return one if n == 1 else other.format(n)


def distance_in_words(start_epoch: float, end_epoch: float, zone: tzinfo = UTC) -> str:
    """ActionView's ``distance_of_time_in_words`` (English, without ``include_seconds``), Rails 4.2 to 7;
    the years' leap-day correction reads the calendar in ``zone``, as Rails reads it in the times' zone."""
    start_epoch, end_epoch = sorted((start_epoch, end_epoch))
    minutes = _round((end_epoch - start_epoch) / 60.0)
    if minutes <= 1:
        return "less than a minute" if minutes == 0 else "1 minute"
    if minutes < 45:
        return f"{minutes} minutes"
    if minutes < 90:
        return "about 1 hour"
    if minutes < 1440:
        return _count(_round(minutes / 60.0), "about 1 hour", "about {} hours")
    if minutes < 2520:
        return "1 day"
    if minutes < 43200:
        return _count(_round(minutes / 1440.0), "1 day", "{} days")
    if minutes < 86400:
        return _count(_round(minutes / 43200.0), "about 1 month", "about {} months")
    if minutes < MINUTES_IN_YEAR:
        return _count(_round(minutes / 43200.0), "1 month", "{} months")
    start = datetime.fromtimestamp(start_epoch, UTC).astimezone(zone)
    end = datetime.fromtimestamp(end_epoch, UTC).astimezone(zone)
    from_year = start.year + (1 if start.month >= 3 else 0)
    to_year = end.year - (1 if end.month < 3 else 0)
    leap_years = 0 if from_year > to_year else calendar.leapdays(from_year, to_year + 1)
    with_offset = minutes - leap_years * 1440
    remainder, years = with_offset % MINUTES_IN_YEAR, with_offset // MINUTES_IN_YEAR
    if remainder < MINUTES_IN_QUARTER_YEAR:
        return _count(years, "about 1 year", "about {} years")
    if remainder < MINUTES_IN_THREE_QUARTERS_YEAR:
        return _count(years, "over 1 year", "over {} years")
    return _count(years + 1, "almost 1 year", "almost {} years")


def date_object(epoch: float, now: float, zone: tzinfo) -> dict[str, Any]:
    """The seed's ``DateTime`` object for an instant, as seen at mock time ``now`` in the account's zone."""
    whole = math.floor(epoch)
    utc = datetime.fromtimestamp(whole, UTC)
    local = utc.astimezone(zone)
    delta = local.utcoffset()
    offset = int(delta.total_seconds()) if delta is not None else 0
    ago = distance_in_words(whole, math.floor(now), zone)
    return {
        "utc": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "epoch": whole,
        "ago": f"{ago} ago",
        "local": local.strftime("%Y-%m-%dT%H:%M:%S") + _offset_text(offset, zone),
        "local_epoch": whole + offset,
    }


def _offset_text(offset: int, zone: tzinfo) -> str:
    if offset == 0 and str(zone) in ("UTC", "Etc/UTC", "UCT", "Etc/UCT", "Zulu", "Etc/Zulu"):
        return "Z"
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


_LEAP_SECOND = re.compile(r"(T\d\d:\d\d:)60")


def parse_date_time(value: str, zone: tzinfo) -> float | None:
    """Epoch seconds of an ISO 8601 / RFC 3339 date-time (``2021-01-01T13:00:17``, ``...Z``, ``...+02:00``,
    fractions, a date alone), or None; one without an offset is in the account's zone (Rails'
    ``Time.zone.parse``). A leap second ``:60`` reads as ``:59`` (RFC 3339 allows it; Python does not)."""
    text = _LEAP_SECOND.sub(r"\g<1>59", value.strip().upper())
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return parsed.timestamp()
    except (OverflowError, OSError, ValueError):
        return None
