"""How a turnover period splits into whole UTC days and partial edges, and the §6.3 arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from inventory.reports.turnover import metrics, period_days, split
from shared.timefmt import parse_instant

ROME = ZoneInfo("Europe/Rome")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_month_in_rome_reads_30_whole_days_and_two_partial_ones():
    start = parse_instant("2026-01-01", ROME)
    end = parse_instant("2026-01-31", ROME, end_of_day=True) + timedelta(microseconds=1)
    span = split(start, end)
    assert (span.first_day, span.end_day) == (date(2026, 1, 1), date(2026, 1, 31))
    assert span.edges == ((at(2025, 12, 31, 23), at(2026, 1, 1)), (at(2026, 1, 31), at(2026, 1, 31, 23)))


def test_midnight_bounds_have_no_edges():
    span = split(at(2026, 3, 1), at(2026, 3, 4))
    assert (span.first_day, span.end_day, span.edges) == (date(2026, 3, 1), date(2026, 3, 4), ())


def test_less_than_a_whole_day_is_read_raw():
    span = split(at(2026, 3, 1, 7), at(2026, 3, 2, 5))
    assert span.first_day is None and span.edges == ((at(2026, 3, 1, 7), at(2026, 3, 2, 5)),)
    assert split(at(2026, 3, 2), at(2026, 3, 1)).edges == ()


def test_open_ended():
    span = split(at(2026, 3, 1, 7), None)
    assert (span.first_day, span.end_day) == (date(2026, 3, 2), None)
    assert span.edges == ((at(2026, 3, 1, 7), at(2026, 3, 2)),)


def test_period_days_floor_full_days():
    start = parse_instant("2026-01-01", ROME)
    assert period_days(start, parse_instant("2026-01-31", ROME, end_of_day=True)) == 30
    assert period_days(at(2026, 1, 1), at(2026, 1, 1, 23)) == 0


def test_metrics():
    assert metrics(D("40"), D("95"), D("105"), 30) == {
        "quantity_sold": 40.0, "avg_stock": 100.0, "turnover_rate": 0.4, "days_on_hand": 75.0,
    }  # fmt: skip
    assert metrics(D("4"), D("0"), D("0"), 30)["turnover_rate"] == 0.0
    assert metrics(D("4"), D("2"), D("2"), 0) == {
        "quantity_sold": 4.0, "avg_stock": 2.0, "turnover_rate": 0.0, "days_on_hand": 0.0,
    }  # fmt: skip
