"""The project forecast's arithmetic (reporting.md §4.4) as pure functions of a project's
seconds per app-zone day, its budget and its task counts. No I/O: unit-tested on their own.

Values are rounded where the spec rounds them and later steps use the rounded values, as
upstream does. Two comparisons use `Decimal` on those 2-place values where float noise would
change the answer: `ceil(0.07 / 0.01)` must be 7, and `0.72 < 0.8 × 0.9` must be false."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from reporting.conventions.display import hours
from shared.timefmt import iso_utc

CHART_DAYS = 14
WINDOW_DAYS = 7
AT_RISK_PERCENT = 80
TREND_MARGIN = Decimal("0.1")
CLOSED_STATUSES = ("done", "cancelled")


@dataclass(frozen=True, slots=True)
class Budget:
    """The project's `estimated_hours`, `budget_amount` and `hourly_rate` (None → 0)."""

    hours: float = 0.0
    amount: float = 0.0
    hourly_rate: float = 0.0


@dataclass(frozen=True, slots=True)
class TaskCounts:
    total: int = 0
    completed: int = 0
    open: int = 0
    overdue: int = 0


def percent(part: float, whole: float) -> int:
    """`round(part / whole × 100)` clamped to 0–100; 0 when `whole` is not positive."""
    if whole <= 0:
        return 0
    return max(0, min(100, round(part / whole * 100)))


def _window(seconds_by_day: dict[date, int], first: date, last: date) -> int:
    return sum(seconds for day, seconds in seconds_by_day.items() if first <= day <= last)


def velocity_fields(seconds_by_day: dict[date, int], today: date) -> dict[str, Any]:
    """`seconds_by_day` holds only days with positive time."""
    total = hours(sum(seconds_by_day.values()))
    active_days = len(seconds_by_day)
    first = min(seconds_by_day) if seconds_by_day else None
    last = max(seconds_by_day) if seconds_by_day else None
    elapsed = (last - first).days + 1 if first and last else 0
    per_calendar_day = round(total / elapsed, 2) if elapsed else 0.0
    velocity = per_calendar_day
    if elapsed < WINDOW_DAYS and total > 0:
        recent = _window(seconds_by_day, today - timedelta(days=WINDOW_DAYS - 1), today)
        velocity = max(velocity, round(recent / 3600 / WINDOW_DAYS, 2))
    return {
        "has_data": total > 0,
        "total_logged_hours": total,
        "days_with_entries": active_days,
        "avg_hours_per_active_day": round(total / active_days, 2) if active_days else 0.0,
        "first_entry_date": first.isoformat() if first else None,
        "last_entry_date": last.isoformat() if last else None,
        "elapsed_calendar_days": elapsed,
        "avg_hours_per_calendar_day": per_calendar_day,
        "velocity_hours_per_day": velocity,
    }


def budget_fields(total: float, budget: Budget) -> dict[str, Any]:
    rate = budget.hourly_rate
    if rate <= 0 and budget.hours > 0 and budget.amount > 0:
        rate = budget.amount / budget.hours
    used_percent = percent(total, budget.hours)
    amount_used = round(total * rate, 2)
    return {
        "budget_hours": round(budget.hours, 2),
        "budget_amount": round(budget.amount, 2),
        "hourly_rate": round(rate, 2),
        "hours_remaining": round(max(0.0, budget.hours - total), 2),
        "budget_used_percent": used_percent,
        "budget_amount_used": amount_used,
        "budget_amount_remaining": round(max(0.0, budget.amount - amount_used), 2),
        "at_risk": budget.hours > 0 and used_percent >= AT_RISK_PERCENT,
    }


def days_to_completion(hours_remaining: float, velocity: float, budget_hours: float) -> int | None:
    if velocity > 0 and hours_remaining > 0:
        return math.ceil(Decimal(str(hours_remaining)) / Decimal(str(velocity)))
    if hours_remaining <= 0 and budget_hours > 0:
        return 0
    return None


def timeline_fields(hours_remaining: float, velocity: float, budget_hours: float, today: date) -> dict[str, Any]:
    days = days_to_completion(hours_remaining, velocity, budget_hours)
    projected = today + timedelta(days=days) if days is not None else None
    return {
        "days_to_completion": days,
        "projected_completion_date": projected.isoformat() if projected else None,
        # Projects carry no deadline (tracking.md), so there is nothing to be late against.
        "project_deadline": None,
        "days_until_deadline": None,
        "deadline_risk": "no_data" if velocity <= 0 or projected is None else "on_track",
    }


def task_fields(tasks: TaskCounts) -> dict[str, Any]:
    return {
        "total_tasks": tasks.total,
        "completed_tasks": tasks.completed,
        "open_tasks": tasks.open,
        "overdue_tasks": tasks.overdue,
        "task_completion_percent": percent(tasks.completed, tasks.total),
    }


def burn_rate_trend(recent: float, prior: float) -> str:
    now, before = Decimal(str(recent)), Decimal(str(prior))
    if before <= 0:
        return "increasing" if now > 0 else "stable"
    if now > before * (1 + TREND_MARGIN):
        return "increasing"
    if now < before * (1 - TREND_MARGIN):
        return "decreasing"
    return "stable"


def burn_rate_fields(seconds_by_day: dict[date, int], today: date) -> dict[str, Any]:
    recent = hours(_window(seconds_by_day, today - timedelta(days=WINDOW_DAYS - 1), today))
    prior = hours(
        _window(seconds_by_day, today - timedelta(days=2 * WINDOW_DAYS - 1), today - timedelta(days=WINDOW_DAYS))
    )
    return {"recent_hours_7d": recent, "prior_hours_7d": prior, "burn_rate_trend": burn_rate_trend(recent, prior)}


def daily_hours(seconds_by_day: dict[date, int], today: date) -> list[dict[str, Any]]:
    days = (today - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1))
    return [{"date": day.isoformat(), "hours": hours(seconds_by_day.get(day, 0))} for day in days]


def forecast(
    seconds_by_day: dict[date, int], budget: Budget, tasks: TaskCounts, *, today: date, now: datetime
) -> dict[str, Any]:
    """The `forecast` object. A missing project is `forecast({}, Budget(), TaskCounts(), …)`:
    every value at its default, `daily_hours` 14 zero days."""
    velocity = velocity_fields(seconds_by_day, today)
    money = budget_fields(velocity["total_logged_hours"], budget)
    timeline = timeline_fields(
        money["hours_remaining"], velocity["velocity_hours_per_day"], money["budget_hours"], today
    )
    return {
        **velocity,
        **money,
        **timeline,
        **task_fields(tasks),
        **burn_rate_fields(seconds_by_day, today),
        "daily_hours": daily_hours(seconds_by_day, today),
        "generated_at": iso_utc(now),
        "today": today.isoformat(),
    }
