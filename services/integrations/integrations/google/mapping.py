"""Pure rules of the Google connector (integrations.md §5.1, §5.4, §5.5): config defaults, which
calendar events are imported, and how a time entry becomes a calendar event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from integrations.connectors.values import integer, text

DIRECTIONS = ("import", "export", "both")
DEFAULT_CALENDAR = "primary"
DEFAULT_DIRECTION = "import"
DEFAULT_DAYS_BACK = 7
TT_MARK = "[TT]"
SUMMARY_LIMIT = 200
NOTES_IN_SUMMARY = 50


def calendar_id(value: Any) -> str:
    return text(value) or DEFAULT_CALENDAR


def sync_direction(value: Any) -> str:
    chosen = (text(value) or "").lower()
    return chosen if chosen in DIRECTIONS else DEFAULT_DIRECTION


def days_back(value: Any) -> int:
    days = integer(value)
    return DEFAULT_DAYS_BACK if days is None else min(max(days, 1), 30)


def default_project_id(value: Any) -> int | None:
    project = integer(value)
    return project if project is not None and project > 0 else None


SETTINGS = {
    "calendar_id": calendar_id,
    "sync_direction": sync_direction,
    "default_project_id": default_project_id,
    "sync_days_back": days_back,
}


def with_settings(config: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The config with the given settings read leniently (an invalid value is its default); a
    setting absent from `fields` keeps its value, or gets its default when it has none."""
    updated = dict(config)
    for key, read in SETTINGS.items():
        if key in fields or key not in updated:
            updated[key] = read(fields.get(key))
    return updated


def iso_z(moment: datetime) -> str:
    """UTC with a `Z`: the form Google's query parameters and bodies take."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def import_window(now: datetime, days: int) -> dict[str, str]:
    """The events list query (§5.5)."""
    return {
        "timeMin": iso_z(now - timedelta(days=days)),
        "timeMax": iso_z(now),
        "singleEvents": "true",
        "orderBy": "startTime",
        "maxResults": "100",
    }


def parse_moment(value: Any) -> datetime | None:
    """An RFC 3339 date-time as aware UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass
class ImportBatch:
    events: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0


def importable(items: list[dict[str, Any]]) -> ImportBatch:
    """The events tracking is asked to import; skipped here: the platform's own exports
    (`[TT]`), all-day events (no `dateTime`) and events without an id. Duplicates and events
    ending before they start are tracking's to skip (it sees the owner's entries)."""
    batch = ImportBatch()
    for item in items:
        summary = item.get("summary") if isinstance(item.get("summary"), str) else None
        start = parse_moment((item.get("start") or {}).get("dateTime"))
        end = parse_moment((item.get("end") or {}).get("dateTime"))
        event_id = text(item.get("id"))
        if (summary and TT_MARK in summary) or start is None or end is None or event_id is None:
            batch.skipped += 1
            continue
        batch.events.append({"event_id": event_id, "summary": summary, "start": iso_z(start), "end": iso_z(end)})
    return batch


def hms(seconds: int) -> str:
    seconds = max(int(seconds), 0)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def event_summary(entry: dict[str, Any]) -> str:
    """`[TT] <project or 'TimeTracker'> — <task, else the first 50 characters of the notes>`."""
    project = entry.get("project_name") or "TimeTracker"
    detail = entry.get("task_name") or (entry.get("notes") or "")[:NOTES_IN_SUMMARY]
    return f"{TT_MARK} {project} \u2014 {detail}"[:SUMMARY_LIMIT]


def exported_event(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The calendar event of a completed entry; None when its times cannot be read."""
    start, end = parse_moment(entry.get("start_time")), parse_moment(entry.get("end_time"))
    if start is None or end is None:
        return None
    seconds = entry.get("duration_seconds")
    duration = int(seconds) if isinstance(seconds, int) else int((end - start).total_seconds())
    return {
        "summary": event_summary(entry),
        "description": f"Time entry {entry.get('id')} exported from TimeTracker. Duration: {hms(duration)}",
        "start": {"dateTime": iso_z(start), "timeZone": "UTC"},
        "end": {"dateTime": iso_z(end), "timeZone": "UTC"},
    }
