"""Clinch's date objects and the date-times its filters read, without HTTP."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from mockservers.clinch.dates import date_object, distance_in_words, parse_date_time

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z
MIN, HOUR, DAY = 60, 3600, 86400


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "less than a minute"),
        (29, "less than a minute"),
        (30, "1 minute"),
        (89, "1 minute"),
        (90, "2 minutes"),
        (44 * MIN + 29, "44 minutes"),
        (44 * MIN + 30, "about 1 hour"),
        (89 * MIN + 29, "about 1 hour"),
        (89 * MIN + 30, "about 2 hours"),
        (23 * HOUR + 59 * MIN + 29, "about 24 hours"),
        (23 * HOUR + 59 * MIN + 30, "1 day"),
        (41 * HOUR + 59 * MIN + 29, "1 day"),
        (41 * HOUR + 59 * MIN + 30, "2 days"),
        (29 * DAY + 23 * HOUR + 59 * MIN + 29, "30 days"),
        (29 * DAY + 23 * HOUR + 59 * MIN + 30, "about 1 month"),
        (44 * DAY + 23 * HOUR + 59 * MIN + 29, "about 1 month"),
        (45 * DAY, "about 2 months"),
        (59 * DAY + 23 * HOUR + 59 * MIN + 30, "2 months"),
        (364 * DAY, "12 months"),
        (366 * DAY, "about 1 year"),
        (365 * DAY + 100 * DAY, "over 1 year"),
        (365 * DAY + 300 * DAY, "almost 2 years"),
        (10 * 365 * DAY + 3 * DAY, "about 10 years"),
    ],
)
def test_distance_is_rails_distance_of_time_in_words(seconds: int, words: str) -> None:
    """The thresholds of ActionView's documentation table (0-29 s, 30 s-1 min 29 s, ... 1 yr 3 months...)."""
    assert distance_in_words(T0, T0 + seconds) == words
    assert distance_in_words(T0 + seconds, T0) == words


def test_a_date_object_in_utc() -> None:
    assert date_object(T0 + 0.9, T0 + 3 * HOUR, UTC) == {
        "utc": "2023-11-14T22:13:20Z",
        "epoch": T0,
        "ago": "about 3 hours ago",
        "local": "2023-11-14T22:13:20Z",
        "local_epoch": T0,
    }


def test_a_date_object_in_the_account_zone_follows_its_daylight_saving() -> None:
    london = ZoneInfo("Europe/London")
    summer = 1_720_000_000  # 2024-07-03T09:46:40Z, BST
    assert date_object(summer, summer, london) == {
        "utc": "2024-07-03T09:46:40Z",
        "epoch": summer,
        "ago": "less than a minute ago",
        "local": "2024-07-03T10:46:40+01:00",
        "local_epoch": summer + 3600,
    }
    assert date_object(T0, T0, london)["local"] == "2023-11-14T22:13:20+00:00"
    assert date_object(T0, T0, ZoneInfo("America/New_York"))["local"] == "2023-11-14T17:13:20-05:00"


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2023-11-14T22:13:20", T0),
        ("2023-11-14T22:13:20Z", T0),
        ("2023-11-14t22:13:20z", T0),
        ("2023-11-14T23:13:20+01:00", T0),
        ("2023-11-14T22:13:20.250Z", T0 + 0.25),
        ("2023-11-14", T0 - (22 * HOUR + 13 * MIN + 20)),
        ("2023-11-14T22:13:60Z", T0 + 39),
        ("not a date", None),
        ("2023-13-01T00:00:00", None),
        ("", None),
    ],
)
def test_filter_date_times_are_iso_8601_in_the_account_zone(text: str, epoch: float | None) -> None:
    assert parse_date_time(text, UTC) == epoch


def test_a_filter_date_time_without_offset_is_in_the_account_zone() -> None:
    assert parse_date_time("2023-11-14T17:13:20", ZoneInfo("America/New_York")) == T0
