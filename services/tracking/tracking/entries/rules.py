"""Pure time-entry rules: the desktop's manual-entry slot (COMPAT), optimistic concurrency
(§4.4 rule 2) and which project statuses a timer may run on (§6.2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from tracking.errors import ProjectArchivedError, ProjectInactiveError, TrackingError

# Mobile's offline sync sends the `updated_at` it read; clocks and rounding may differ a little.
CONFLICT_TOLERANCE = timedelta(seconds=2)
# The desktop's manual entry starts here on a day without completed entries.
DAY_START = time(9, 0)


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """[midnight, next midnight) of `day` in `zone`, as UTC instants."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def desktop_slot(day: date, minutes: int, latest_end: datetime | None, zone: tzinfo) -> tuple[datetime, datetime]:
    """COMPAT manual entry: after the day's last completed entry, else at 09:00 app time."""
    start = latest_end or datetime.combine(day, DAY_START, tzinfo=zone).astimezone(UTC)
    return start, start + timedelta(minutes=minutes)


def changed_since_read(stored: datetime, sent: datetime) -> bool:
    """`if_updated_at` differs from the stored `updated_at` by more than 2 s, either way."""
    return abs(stored - sent) > CONFLICT_TOLERANCE


def timer_project_error(status: str) -> TrackingError | None:
    """Timers run only on active projects: archived → `project_archived`, any other → `project_inactive`."""
    if status == "active":
        return None
    if status == "archived":
        return ProjectArchivedError()
    return ProjectInactiveError()
