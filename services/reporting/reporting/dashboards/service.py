"""The dashboards (reporting.md §4.1–4.3), about the token user: the value dashboard and the week
comparison (calendar days in the app time zone, read from the day rollups) and the productivity
statistics (in the user's time zone, `dashboards.productivity`)."""

from __future__ import annotations

import logging
from datetime import date, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from reporting.conventions.calendar import day_of, day_start
from reporting.conventions.display import hours
from reporting.conventions.people import MONDAY, preferences, week_start
from reporting.dashboards import productivity, repository
from reporting.errors import ProductivityStatsFailedError
from reporting.settings import ReportingSettings
from shared.db import utcnow
from shared.inputs import round_money

log = logging.getLogger(__name__)

SUNDAY_FIRST = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
SECONDS_PER_HOUR = 3600


def best_weekday(seconds_by_weekday: dict[int, int]) -> str | None:
    """The weekday (0 = Sunday) with the most seconds, the earliest of a tie; None without time."""
    best = max(range(7), key=lambda dow: (seconds_by_weekday.get(dow, 0), -dow))
    return SUNDAY_FIRST[best] if seconds_by_weekday.get(best, 0) > 0 else None


def estimated_value(rate_seconds: Decimal) -> float | None:
    """Σ hours × rate to the cent (half away from zero, as money is rounded); None unless > 0."""
    value = round_money(rate_seconds / SECONDS_PER_HOUR)
    return float(value) if value > 0 else None


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def get_value_dashboard(session: Session, user_id: int, settings: ReportingSettings) -> dict[str, Any]:
    zone = settings.zone
    today = day_of(utcnow(), zone)
    first_day = week_start(today, preferences(session, user_id, zone).week_start_day)
    life = repository.lifetime(session, user_id, week=(first_day, today), month=(today.replace(day=1), today))
    recent = repository.seconds_by_day(session, user_id, today - timedelta(days=6), today)
    total_hours = hours(life.seconds)
    return {
        "total_hours": total_hours,
        "entries_count": life.entries,
        "active_days": life.active_days,
        "avg_session_length": round(total_hours / life.entries, 2) if life.entries else 0.0,
        "most_productive_day": best_weekday(repository.seconds_by_weekday(session, user_id)),
        "this_week_hours": hours(life.week_seconds),
        "this_month_hours": hours(life.month_seconds),
        "last_7_days": [
            {"date": day.isoformat(), "hours": hours(recent.get(day, 0))}
            for day in days(today - timedelta(days=6), today)
        ],
        "estimated_value_tracked": estimated_value(repository.value_seconds(session, user_id)),
        "estimated_value_currency": settings.currency,
    }


def _period(by_day: dict[date, int], first: date, last: date) -> dict[str, Any]:
    rows = [{"day": day.isoformat(), "hours": hours(by_day.get(day, 0))} for day in days(first, last)]
    return {"total_hours": round(sum(row["hours"] for row in rows), 2), "by_day": rows}


def change_percent(current: float, last: float) -> float | None:
    return round((current - last) / last * 100, 1) if last else None


def get_week_comparison(session: Session, user_id: int, settings: ReportingSettings) -> dict[str, Any]:
    """This week (Monday 00:00 through now) against last week's same days (whole days)."""
    zone = settings.zone
    now = utcnow()
    today = day_of(now, zone)
    monday = week_start(today, MONDAY)
    last_monday = monday - timedelta(days=7)
    # Whole past days from the rollups; today only up to now (a later start is not yet "this week").
    by_day = repository.seconds_by_day(session, user_id, last_monday, today - timedelta(days=1))
    by_day[today] = repository.completed_seconds(session, user_id, day_start(today, zone), now)
    current = _period(by_day, monday, today)
    last = _period(by_day, last_monday, today - timedelta(days=7))
    return {
        "current_week": current,
        "last_week": last,
        "change_percent": change_percent(current["total_hours"], last["total_hours"]),
    }


def get_productivity_stats(session: Session, user_id: int, app_zone: tzinfo, *, period: str | None) -> dict[str, Any]:
    """`period` as sent (reporting.md §4.3 clamps it); a failure beyond one section's is the
    spec's 500."""
    days = productivity.period_days(period)
    try:
        return productivity.stats(session, user_id, app_zone, days)
    except Exception as exc:
        log.exception("productivity stats failed for user %s", user_id)
        raise ProductivityStatsFailedError() from exc
