"""What the integrations service's connectors (GitHub, Slack, Google Calendar) do in tracking
(integrations.md §3–§5), each for the user the call acts for: the connector's owner, carried in
the platform identity. Every write goes through the path its kind of change always takes
(`tasks.service`, `entries.service.create_entry`), so it meets the same checks and emits the
same events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from shared.errors import BadRequestError, ValidationError
from shared.identity import Identity
from shared.timefmt import as_utc, iso_utc
from tracking import locks
from tracking.access import project_scope
from tracking.connectors import repository
from tracking.connectors.schemas import CalendarEvent, EntriesImport, TaskComplete, TaskUpsert
from tracking.durations import hours
from tracking.entries import service as entries
from tracking.settings import TrackingSettings
from tracking.tasks import service as tasks

DONE = "done"
CALENDAR_SOURCE = "auto"
UNTITLED_EVENT = "Calendar event"
# tracking.md §1.3: an entry's notes are at most 5000 characters; the marker always fits.
MAX_NOTES = 5000


def _owner_id(identity: Identity) -> int:
    """The user the call acts for; a connector call always names one."""
    if identity.user_id is None:
        raise BadRequestError("This call must act for a user (the identity carries no user_id)")
    return identity.user_id


def upsert_task(session: Session, body: TaskUpsert, *, actor: Identity, settings: TrackingSettings) -> dict[str, Any]:
    """The task carrying `external_ref` in the project: created (status `todo`, created by the
    owner) when missing; else, with `update_existing`, given the name, description and priority
    (status untouched), `task.updated` only when something changed. Concurrent upserts of one
    (project, ref) run one after the other, so one task comes to exist."""
    _owner_id(actor)
    locks.lock_key(session, "task-external-ref", body.project_id, body.external_ref)
    task = tasks.task_by_external_ref(session, body.external_ref, project_id=body.project_id, lock=True)
    if task is None:
        create = tasks.TaskCreate(
            project_id=body.project_id, name=body.name, description=body.description, priority=body.priority
        )
        created = tasks.create_task(session, create, actor=actor, zone=settings.zone, external_ref=body.external_ref)
        return {"task_id": created["task"]["id"], "created": True, "updated": False}
    update = tasks.TaskUpdate(name=body.name, description=body.description, priority=body.priority)
    if not body.update_existing or not tasks.would_change(task, update):
        return {"task_id": task.id, "created": False, "updated": False}
    tasks.update_task(session, task.id, update, actor=actor, zone=settings.zone)
    return {"task_id": task.id, "created": False, "updated": True}


def complete_task(
    session: Session, body: TaskComplete, *, actor: Identity, settings: TrackingSettings
) -> dict[str, Any]:
    """The task carrying `external_ref` in any project (lowest id) becomes `done` as a PATCH
    would make it (same events); a task already done is left as it is."""
    task = tasks.task_by_external_ref(session, body.external_ref, lock=True)
    if task is None:
        return {"task_id": None}
    if task.status != DONE:
        tasks.update_task(session, task.id, tasks.TaskUpdate(status=DONE), actor=actor, zone=settings.zone)
    return {"task_id": task.id}


def _notes(event: CalendarEvent) -> str:
    marker = f" [gcal:{event.event_id}]"
    title = (event.summary or "").strip() or UNTITLED_EVENT
    return title[: max(0, MAX_NOTES - len(marker))] + marker


def _marked_in(event_id: str, notes: list[str]) -> bool:
    marker = f"gcal:{event_id}".lower()
    return any(marker in note for note in notes)


def import_entries(
    session: Session, body: EntriesImport, *, actor: Identity, settings: TrackingSettings
) -> dict[str, Any]:
    """Each timed event becomes a completed, non-billable `auto` entry of the owner on the
    project (integrations.md §5.5), unless it ends before it starts or is already imported
    (an entry of the owner's, or an earlier event of this batch, notes `gcal:<id>`). The
    owner's lock comes before the look-up, so simultaneous syncs import an event once."""
    owner_id = _owner_id(actor)
    project = entries.existing_project(session, body.project_id)
    locks.lock_user_timers(session, owner_id)
    already = repository.imported_event_ids(session, owner_id, [e.event_id for e in body.events])
    written: list[str] = []  # lower-cased notes of this batch's entries
    entry_ids: list[int] = []
    for event in body.events:
        start, end = as_utc(event.start), as_utc(event.end)
        if end <= start or event.event_id in already or _marked_in(event.event_id, written):
            continue
        new = entries.NewEntry(
            user_id=owner_id,
            start_time=start,
            end_time=end,
            project_id=project.id,
            notes=_notes(event),
            billable=False,
            source=CALENDAR_SOURCE,
        )
        created = entries.create_entry(session, new, via=entries.EntryPath.CONNECTOR, actor=actor, settings=settings)
        entry_ids.append(created["id"])
        written.append(new.notes.lower())
    return {"imported": len(entry_ids), "skipped": len(body.events) - len(entry_ids), "entry_ids": entry_ids}


def export_entries(session: Session, identity: Identity, *, since: datetime, limit: int) -> dict[str, Any]:
    """The owner's completed entries created since `since`, oldest first, imported ones left out."""
    rows = repository.entries_created_since(session, _owner_id(identity), as_utc(since), limit=limit)
    return {
        "entries": [
            {
                "id": entry.id,
                "start_time": iso_utc(entry.start_time),
                "end_time": iso_utc(entry.end_time),
                "duration_seconds": entry.duration_seconds or 0,
                "notes": entry.notes,
                "project_name": project_name,
                "task_name": task_name,
            }
            for entry, project_name, task_name in rows
        ]
    }


def _zone(tz: str | None, settings: TrackingSettings) -> ZoneInfo:
    if tz is None or not tz.strip():
        return settings.zone
    try:
        return ZoneInfo(tz.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"tz": ["Unknown time zone"]}, f"Unknown time zone: {tz[:64]}") from None


def today_summary(session: Session, identity: Identity, *, tz: str | None, settings: TrackingSettings) -> dict:
    """Hours and distinct projects of the owner's completed entries that started today in `tz`
    (default: the app time zone), for Slack's `/tt today` and daily summary."""
    owner_id = _owner_id(identity)
    zone = _zone(tz, settings)
    today = datetime.now(zone).date()
    start, end = entries.day_bounds(today, zone)
    seconds, projects = repository.totals_starting_between(session, owner_id, start, end)
    return {"date": today.isoformat(), "hours": hours(seconds), "projects": projects}


def resolve_project(session: Session, identity: Identity, *, q: str) -> dict[str, Any]:
    """Among the active projects in the owner's scope: an integer matches the id; other text the
    first project by name (then id) whose name contains it, case-insensitively."""
    _owner_id(identity)
    text = q.strip()
    scope = project_scope(identity)
    if not text:
        project = None
    elif text.isascii() and text.isdigit():
        project = repository.active_project_by_id(session, int(text), scope=scope)
    else:
        project = repository.first_active_project_named(session, text, scope=scope)
    return {"project": None if project is None else {"id": project.id, "name": project.name}}
