"""Datetime wire format (CONVENTIONS §6.3)."""

from datetime import UTC, datetime, timedelta, timezone

from shared.timefmt import as_utc, iso_utc


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
