"""Datetime wire format (CONVENTIONS §6.3)."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.timefmt import as_utc, iso_utc, parse_instant


def test_whole_seconds_have_no_fraction():
    assert iso_utc(datetime(2025, 1, 15, 10, 0, tzinfo=UTC)) == "2025-01-15T10:00:00Z"


def test_fraction_only_when_non_zero():
    assert iso_utc(datetime(2025, 1, 15, 10, 0, 0, 120000, tzinfo=UTC)) == "2025-01-15T10:00:00.120000Z"


def test_other_offsets_are_converted_to_utc():
    rome = timezone(timedelta(hours=1))
    assert iso_utc(datetime(2025, 1, 15, 11, 30, tzinfo=rome)) == "2025-01-15T10:30:00Z"


def test_naive_is_utc_and_none_stays_none():
    assert iso_utc(datetime(2025, 1, 15, 10, 0)) == "2025-01-15T10:00:00Z"
    assert iso_utc(None) is None
    assert as_utc(datetime(2025, 1, 1)).tzinfo is UTC


ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-15T10:00:00", "2024-01-15T09:00:00Z"),  # naive: app time zone (CET)
        ("2024-01-15T10:00:00.000", "2024-01-15T09:00:00Z"),  # the mobile app's form
        ("2024-07-15 10:00", "2024-07-15T08:00:00Z"),  # summer time, space separator
        ("2024-01-15T10:00:00Z", "2024-01-15T10:00:00Z"),
        ("2024-01-15T10:00:00+05:30", "2024-01-15T04:30:00Z"),
        ("2024-01-15", "2024-01-14T23:00:00Z"),  # a date: midnight in the app time zone
    ],
)
def test_parse_instant(raw, expected):
    assert iso_utc(parse_instant(raw, ROME)) == expected


def test_a_date_ending_a_range_covers_the_whole_day():
    assert iso_utc(parse_instant("2024-01-15", ROME, end_of_day=True)) == "2024-01-15T22:59:59.999999Z"


@pytest.mark.parametrize("raw", ["", "yesterday", "2024-13-01", "2024-01-15T25:00"])
def test_unparseable_raises(raw):
    with pytest.raises(ValueError):
        parse_instant(raw, ROME)
