"""How an instant range splits into partial days (read from entries), whole days and whole
months (read from rollups) in the app time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from reporting.readmodel.totals import plan

ROME = ZoneInfo("Europe/Rome")
US = timedelta(microseconds=1)


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME).astimezone(UTC)


def test_whole_calendar_year_is_twelve_months_and_nothing_else():
    shape = plan(rome(2025, 1, 1), rome(2026, 1, 1) - US, ROME)
    assert shape.entry_ranges == ()
    assert shape.day_ranges == ()
    assert shape.month_ranges == ((date(2025, 1, 1), date(2025, 12, 1)),)


def test_ragged_range_has_partial_days_whole_days_and_whole_months():
    start, end = rome(2025, 1, 15, 10, 30), rome(2025, 4, 3, 12, 0)
    shape = plan(start, end, ROME)
    assert shape.entry_ranges == ((start, rome(2025, 1, 16) - US), (rome(2025, 4, 3), end))
    assert shape.day_ranges == ((date(2025, 1, 16), date(2025, 1, 31)), (date(2025, 4, 1), date(2025, 4, 2)))
    assert shape.month_ranges == ((date(2025, 2, 1), date(2025, 3, 1)),)


def test_range_inside_one_day_reads_entries_only():
    start, end = rome(2025, 3, 30, 1, 0), rome(2025, 3, 30, 23, 0)  # the day of the DST change
    assert plan(start, end, ROME).entry_ranges == ((start, end),)
    assert plan(start, end, ROME).day_ranges == ()


def test_whole_days_within_one_month_use_day_buckets():
    shape = plan(rome(2025, 3, 3), rome(2025, 3, 9, 23, 59, 59, 999999), ROME)
    assert shape.entry_ranges == ()
    assert shape.day_ranges == ((date(2025, 3, 3), date(2025, 3, 9)),)
    assert shape.month_ranges == ()


def test_reversed_range_is_empty():
    shape = plan(rome(2025, 3, 9), rome(2025, 3, 3), ROME)
    assert shape == type(shape)((), (), ())
