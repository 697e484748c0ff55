"""The productivity dashboard (reporting.md §4.3): the token user's completed entries bucketed
by the USER time zone.

Reads, each bounded: the entries of the last max(period, 84) days (the heatmap's 12 weeks
cover the 14-day breakdown and this week), the tracked days of the last 3 years (only the
distinct days: from the day rollups when the user's zone is the app zone, whose days they
are; else from the entries' start times converted in the database), the running timer and
project names. Every read runs in its own savepoint and every section is computed on its own,
so one failure leaves its part at the empty default and the rest intact."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from reporting.conventions.calendar import day_of, day_start
from reporting.conventions.people import preferences
from reporting.dashboards import repository, sections
from reporting.dashboards.sections import Worked
from reporting.readmodel.names import project_names
from shared.db import utcnow
from shared.inputs import int_or_none
from shared.timefmt import iso_utc

log = logging.getLogger(__name__)

DEFAULT_PERIOD = 30
MAX_PERIOD = 90
STREAK_DAYS = 3 * 365

T = TypeVar("T")


def period_days(raw: str | None) -> int:
    """`period`: default 30, clamped to 1–90, anything but an integer → 30."""
    days = int_or_none(raw)
    return DEFAULT_PERIOD if days is None else min(MAX_PERIOD, max(1, days))


def _part(name: str, default: T, compute: Callable[[], T], session: Session | None = None) -> T:
    """`compute()`, or `default` when it fails; a database read runs in a savepoint so that its
    failure does not abort the request's transaction for the other parts."""
    try:
        if session is None:
            return compute()
        with session.begin_nested():
            return compute()
    except Exception:  # noqa: BLE001 - reporting.md §4.3: a failing section degrades alone
        log.exception("productivity section %s failed", name)
        return default


def _worked(session: Session, user_id: int, zone: tzinfo, first: date, today: date) -> list[Worked]:
    rows = repository.completed_entries(
        session, user_id, day_start(first, zone), day_start(today + timedelta(days=1), zone)
    )
    return [Worked(row.start_time.astimezone(zone), row.duration_seconds, row.billable, row.project_id) for row in rows]


def _tracked_days(session: Session, user_id: int, zone: tzinfo, app_zone: tzinfo, today: date) -> set[date]:
    first = today - timedelta(days=STREAK_DAYS)
    if str(zone) == str(app_zone):
        return repository.rollup_days(session, user_id, first, today)
    end = day_start(today + timedelta(days=1), zone)
    return repository.entry_days(session, user_id, day_start(first, zone), end, str(zone))


def _active_timer(session: Session, user_id: int, now: datetime) -> dict[str, Any] | None:
    row = repository.running_entry(session, user_id)
    if row is None:
        return None
    worked = (row.paused_at or now) - row.start_time
    return {
        "id": row.id,
        "project_name": row.project_name,
        "task_name": row.task_name,
        "start_time": iso_utc(row.start_time),
        "duration_seconds": max(0, int(worked.total_seconds()) - row.break_seconds),
    }


def stats(session: Session, user_id: int, app_zone: tzinfo, days: int) -> dict[str, Any]:
    """The response body over the last `days` days; a failing read or section degrades alone."""
    prefs = preferences(session, user_id, app_zone)
    zone = prefs.zone
    now = utcnow()
    today = day_of(now, zone)
    first = today - timedelta(days=max(days, sections.HEATMAP_DAYS) - 1)
    worked = _part("entries", [], lambda: _worked(session, user_id, zone, first, today), session)
    tracked = _part("streak days", set(), lambda: _tracked_days(session, user_id, zone, app_zone, today), session)
    timer = _part("active timer", None, lambda: _active_timer(session, user_id, now), session)
    ids = {entry.project_id for entry in worked if entry.project_id}
    names = _part("project names", {}, lambda: project_names(session, ids), session)
    return {"ok": True, "period": days} | _sections(
        worked, tracked, timer, names, today=today, days=days, standard=prefs.standard_hours_per_day
    )


def _sections(
    worked: list[Worked],
    tracked: set[date],
    timer: dict[str, Any] | None,
    names: dict[int, str],
    *,
    today: date,
    days: int,
    standard: float,
) -> dict[str, Any]:
    period = sections.since(worked, today - timedelta(days=days - 1), today)
    out: dict[str, Any] = {
        "summary": _part(
            "summary",
            sections.empty_summary(),
            lambda: sections.summary(worked, today=today, standard_hours=standard, active_timer=timer, names=names),
        ),
        "daily_breakdown": _part(
            "daily_breakdown",
            [],
            lambda: sections.daily_breakdown(worked, today=today, standard_hours=standard),
        ),
        "streak": _part("streak", sections.empty_streak(), lambda: sections.streak(tracked, today=today)),
        "focus": _part("focus", sections.empty_focus(), lambda: sections.focus(period)),
        "projects": _part("projects", [], lambda: sections.projects(period, names)),
        "heatmap": _part("heatmap", [], lambda: sections.heatmap(worked, today=today)),
    }
    out["insights"] = _part("insights", [], lambda: _insights(out, period))
    return out


def _insights(out: dict[str, Any], period: list[Worked]) -> list[str]:
    project_hours = sections.hours(sum(entry.seconds for entry in period if entry.project_id))
    return sections.insights(
        out["summary"],
        out["daily_breakdown"],
        out["streak"],
        out["focus"],
        out["projects"],
        period_project_hours=project_hours,
    )
