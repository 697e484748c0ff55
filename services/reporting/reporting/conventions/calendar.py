"""Calendar arithmetic in a time zone: the day an instant falls on, day and month bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


def day_of(instant: datetime, zone: tzinfo) -> date:
    return instant.astimezone(zone).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight of `day` in `zone`, as a UTC instant."""
    return datetime.combine(day, time.min).replace(tzinfo=zone).astimezone(UTC)
