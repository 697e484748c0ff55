"""The productivity dashboard's sections (reporting.md §4.3) as pure functions of the user's
completed entries, whose start times are already in the user time zone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from reporting.conventions.display import UNKNOWN_PROJECT, hours
from reporting.conventions.people import MONDAY, week_start

MONDAY_FIRST = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PALETTE = ("#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#f97316", "#6366f1", "#84cc16")
BREAKDOWN_DAYS = 14
HEATMAP_DAYS = 84
TOP_PROJECTS = 8
FOCUS_MIN_SECONDS = 300
DEFAULT_WEEK_GOAL = 40.0
STREAK_INSIGHT_DAYS = 3
MAX_INSIGHTS = 4


@dataclass(frozen=True, slots=True)
class Worked:
    """One completed entry: local start, seconds, billable flag, project."""

    start: datetime
    seconds: int
    billable: bool
    project_id: int | None

    @property
    def day(self) -> date:
        return self.start.date()


@dataclass(slots=True)
class Tally:
    seconds: int = 0
    billable_seconds: int = 0
    entries: int = 0

    def add(self, entry: Worked) -> None:
        self.seconds += entry.seconds
        self.billable_seconds += entry.seconds if entry.billable else 0
        self.entries += 1


def last_days(today: date, count: int) -> list[date]:
    """today − (count − 1) … today, oldest first."""
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]


def since(worked: Iterable[Worked], first: date, last: date) -> list[Worked]:
    return [entry for entry in worked if first <= entry.day <= last]


def tally(worked: Iterable[Worked], key) -> dict[Any, Tally]:
    out: dict[Any, Tally] = defaultdict(Tally)
    for entry in worked:
        out[key(entry)].add(entry)
    return out


def week_goal(standard_hours_per_day: float) -> float:
    """No weekly-goal feature: five standard days; a non-positive goal becomes 40 h."""
    goal = round(standard_hours_per_day * 5, 2)
    return goal if goal > 0 else DEFAULT_WEEK_GOAL


def empty_summary() -> dict[str, Any]:
    return {
        "today_hours": 0.0,
        "week_hours": 0.0,
        "workday_today_hours": 0.0,
        "workday_week_hours": 0.0,
        "week_goal_hours": DEFAULT_WEEK_GOAL,
        "week_goal_percent": 0,
        "active_timer": None,
        "billable_percent_week": 0,
        "top_project_week": None,
    }


def _top_project(worked: list[Worked], names: dict[int, str]) -> dict[str, Any] | None:
    per_project = tally((e for e in worked if e.project_id), lambda e: e.project_id)
    if not per_project:
        return None
    pid, best = min(per_project.items(), key=lambda item: (-item[1].seconds, item[0]))
    return {"name": names.get(pid, UNKNOWN_PROJECT), "hours": hours(best.seconds)} if best.seconds > 0 else None


def summary(
    worked: list[Worked],
    *,
    today: date,
    standard_hours: float,
    active_timer: dict[str, Any] | None,
    names: dict[int, str],
) -> dict[str, Any]:
    """Today and this week (Monday … today, whatever the user's week start)."""
    week = since(worked, week_start(today, MONDAY), today)
    week_total = Tally()
    for entry in week:
        week_total.add(entry)
    today_seconds = sum(e.seconds for e in week if e.day == today)
    week_hours = hours(week_total.seconds)
    goal = week_goal(standard_hours)
    billable = round(week_total.billable_seconds / week_total.seconds * 100) if week_total.seconds > 0 else 0
    return empty_summary() | {
        "today_hours": hours(today_seconds),
        "week_hours": week_hours,
        "week_goal_hours": goal,
        "week_goal_percent": int(min(100, max(0, round(week_hours / goal * 100)))),
        "active_timer": active_timer,
        "billable_percent_week": int(billable),
        "top_project_week": _top_project(week, names),
    }


def daily_breakdown(worked: list[Worked], *, today: date, standard_hours: float) -> list[dict[str, Any]]:
    per_day = tally(worked, lambda e: e.day)
    return [
        {
            "date": day.isoformat(),
            "hours": hours(per_day[day].seconds if day in per_day else 0),
            "billable_hours": hours(per_day[day].billable_seconds if day in per_day else 0),
            "entry_count": per_day[day].entries if day in per_day else 0,
            "goal_hours": round(standard_hours, 2),
        }
        for day in last_days(today, BREAKDOWN_DAYS)
    ]


def empty_streak() -> dict[str, int]:
    return {"current_streak": 0, "longest_streak": 0, "tracked_days_this_month": 0, "total_days_this_month": 1}


def streak(tracked: set[date], *, today: date) -> dict[str, int]:
    """`tracked`: the days with a completed entry (any range; days after today are ignored)."""
    tracked = {day for day in tracked if day <= today}
    current = 0
    cursor = today if today in tracked else today - timedelta(days=1)
    while cursor in tracked:
        current += 1
        cursor -= timedelta(days=1)
    longest = run = 0
    previous: date | None = None
    for day in sorted(tracked):
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    month_start = today.replace(day=1)
    return {
        "current_streak": current,
        "longest_streak": longest,
        "tracked_days_this_month": sum(1 for day in tracked if day >= month_start),
        "total_days_this_month": today.day,
    }


def empty_focus() -> dict[str, Any]:
    return {
        "avg_session_length_minutes": 0.0,
        "longest_session_hours": 0.0,
        "entries_per_day": 0.0,
        "most_productive_hour": None,
        "most_productive_day": None,
        "hour_distribution": [0.0] * 24,
    }


def _busiest(seconds_by_key: dict[int, int], keys: range) -> int | None:
    """The key with the most seconds, the first of a tie; None when no key has any."""
    best = min(keys, key=lambda k: (-seconds_by_key.get(k, 0), k))
    return best if seconds_by_key.get(best, 0) > 0 else None


def focus(period: list[Worked]) -> dict[str, Any]:
    if not period:
        return empty_focus()
    by_hour: dict[int, int] = defaultdict(int)
    by_weekday: dict[int, int] = defaultdict(int)  # Monday = 0
    for entry in period:
        by_hour[entry.start.hour] += entry.seconds
        by_weekday[entry.start.weekday()] += entry.seconds
    sessions = [e.seconds for e in period if e.seconds >= FOCUS_MIN_SECONDS]
    weekday = _busiest(by_weekday, range(7))
    return {
        "avg_session_length_minutes": round(sum(sessions) / len(sessions) / 60, 1) if sessions else 0.0,
        "longest_session_hours": hours(max(e.seconds for e in period)),
        "entries_per_day": round(len(period) / len({e.day for e in period}), 2),
        "most_productive_hour": _busiest(by_hour, range(24)),
        "most_productive_day": MONDAY_FIRST[weekday] if weekday is not None else None,
        "hour_distribution": [hours(by_hour.get(hour, 0)) for hour in range(24)],
    }


def projects(period: list[Worked], names: dict[int, str]) -> list[dict[str, Any]]:
    """The projects with the most time in the period, at most 8, most time first."""
    per_project = tally((e for e in period if e.project_id), lambda e: e.project_id)
    ranked = sorted((item for item in per_project.items() if item[1].seconds > 0), key=lambda i: (-i[1].seconds, i[0]))
    return [
        {
            "project_id": pid,
            "name": names.get(pid, UNKNOWN_PROJECT),
            "hours": hours(part.seconds),
            "billable_hours": hours(part.billable_seconds),
            "entry_count": part.entries,
            "color": PALETTE[pid % len(PALETTE)],
        }
        for pid, part in ranked[:TOP_PROJECTS]
    ]


def heat_level(day_hours: float) -> int:
    if day_hours <= 0:
        return 0
    for level, below in enumerate((2, 4, 6), start=1):
        if day_hours < below:
            return level
    return 4


def heatmap(worked: list[Worked], *, today: date) -> list[dict[str, Any]]:
    per_day = tally(worked, lambda e: e.day)
    out = []
    for day in last_days(today, HEATMAP_DAYS):
        day_hours = hours(per_day[day].seconds if day in per_day else 0)
        out.append({"date": day.isoformat(), "hours": day_hours, "level": heat_level(day_hours)})
    return out


def insights(
    summary: dict[str, Any],
    breakdown: list[dict[str, Any]],
    streak: dict[str, int],
    focus: dict[str, Any],
    projects: list[dict[str, Any]],
    *,
    period_project_hours: float,
) -> list[str]:
    """Up to four sentences, in the contract's priority order."""
    out = []
    week_hours = summary["week_hours"]
    earlier = sum(day["hours"] for day in breakdown[-14:-7]) if len(breakdown) >= BREAKDOWN_DAYS else 0.0
    if earlier > 0 and week_hours != earlier:
        change = abs(round((week_hours - earlier) / earlier * 100))
        if change >= 1:
            direction = "more" if week_hours > earlier else "less"
            out.append(f"This week you tracked {change}% {direction} than in the week before")
    if streak["current_streak"] >= STREAK_INSIGHT_DAYS:
        out.append(f"You have tracked time {streak['current_streak']} days running")
    hour = focus["most_productive_hour"]
    if hour is not None:
        out.append(f"You track the most time between {hour:02d}:00–{(hour + 1) % 24:02d}:00")
    if projects and period_project_hours > 0:
        share = round(projects[0]["hours"] / period_project_hours * 100)
        if share > 0:
            out.append(f"{projects[0]['name']} took {share}% of your project time")
    if summary["billable_percent_week"] > 0:
        out.append(f"{summary['billable_percent_week']}% of this week's time is billable")
    return out[:MAX_INSIGHTS]
