"""A user's calendar preferences from the `KnownUser` replica (auth.md §1.1): the user time zone
(CONVENTIONS §6.1), the first day of the week and the standard working day.

A user whose event has not arrived yet (or whose values are unusable) gets the defaults: the app
time zone, Monday, 8 hours."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.models import KnownUser

MONDAY = 1  # week_start_day numbering: 0 = Sunday … 6 = Saturday
DEFAULT_STANDARD_HOURS = 8.0


@dataclass(frozen=True, slots=True)
class Preferences:
    zone: tzinfo
    week_start_day: int
    standard_hours_per_day: float


def zone_or(name: str | None, fallback: tzinfo) -> tzinfo:
    """The zone `name` names when it is a valid IANA name, else `fallback`."""
    if not name or not name.strip():
        return fallback
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, malformed, or a directory name
        return fallback


def week_start_day_or_default(value: int | None) -> int:
    return value if value is not None and 0 <= value <= 6 else MONDAY


def standard_hours_or_default(value: float | None) -> float:
    """A non-positive or non-finite standard day is treated as unset."""
    return float(value) if value is not None and math.isfinite(value) and value > 0 else DEFAULT_STANDARD_HOURS


def preferences(session: Session, user_id: int, app_zone: tzinfo) -> Preferences:
    row = session.execute(
        select(KnownUser.timezone, KnownUser.week_start_day, KnownUser.standard_hours_per_day).where(
            KnownUser.id == user_id
        )
    ).one_or_none()
    if row is None:
        return Preferences(app_zone, MONDAY, DEFAULT_STANDARD_HOURS)
    return Preferences(
        zone=zone_or(row.timezone, app_zone),
        week_start_day=week_start_day_or_default(row.week_start_day),
        standard_hours_per_day=standard_hours_or_default(row.standard_hours_per_day),
    )


def week_start(day: date, week_start_day: int = MONDAY) -> date:
    """The first day of the week holding `day` (`week_start_day`: 0 = Sunday … 6 = Saturday)."""
    sunday_based = day.isoweekday() % 7  # Sunday 0 … Saturday 6
    return day - timedelta(days=(sunday_based - week_start_day) % 7)
