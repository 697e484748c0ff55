"""The time entry object of tracking.md §1.3 (also the `timer` and every `time_entry.*` event's
data), with display names looked up for a whole page at once. Shared by every feature that
answers or publishes entries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.timefmt import iso_utc
from tracking.durations import hms, hours, live_seconds
from tracking.models import KnownClient, KnownUser, Project, Task, TimeEntry
from tracking.tags import tag_list

# An ORM row, or a plain object with a row's attributes (a batch insert's rows).
EntryRow = TimeEntry | SimpleNamespace


@dataclass
class Names:
    """id → display name, per kind, for the entries being serialized."""

    users: dict[int, str] = field(default_factory=dict)
    projects: dict[int, str] = field(default_factory=dict)
    clients: dict[int, str] = field(default_factory=dict)
    tasks: dict[int, str] = field(default_factory=dict)


def _lookup(session: Session, id_col, name_col, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(id_col, name_col).where(id_col.in_(wanted))).tuples().all())


def names_for(session: Session, entries: Sequence[EntryRow]) -> Names:
    return Names(
        users=_lookup(session, KnownUser.id, KnownUser.username, (e.user_id for e in entries)),
        projects=_lookup(session, Project.id, Project.name, (e.project_id for e in entries)),
        clients=_lookup(session, KnownClient.id, KnownClient.name, (e.client_id for e in entries)),
        tasks=_lookup(session, Task.id, Task.name, (e.task_id for e in entries)),
    )


def serialize_entry(entry: EntryRow, names: Names, *, now: datetime | None = None) -> dict[str, Any]:
    active = entry.end_time is None
    if active:
        shown = live_seconds(entry.start_time, entry.break_seconds, entry.paused_at, now or utcnow())
    else:
        shown = entry.duration_seconds or 0
    return {
        "id": entry.id,
        "user_id": entry.user_id,
        "project_id": entry.project_id,
        "client_id": entry.client_id,
        "task_id": entry.task_id,
        "start_time": iso_utc(entry.start_time),
        "end_time": iso_utc(entry.end_time),
        "duration_seconds": None if active else entry.duration_seconds,
        "break_seconds": entry.break_seconds,
        "paused_at": iso_utc(entry.paused_at),
        "duration_hours": hours(None if active else entry.duration_seconds),
        "duration_formatted": hms(shown),
        "notes": entry.notes,
        "tags": entry.tags,
        "tag_list": tag_list(entry.tags),
        "source": entry.source,
        "billable": entry.billable,
        "paid": entry.paid,
        "invoice_number": entry.invoice_number,
        "is_active": active,
        "created_at": iso_utc(entry.created_at),
        "updated_at": iso_utc(entry.updated_at),
        "user": names.users.get(entry.user_id),
        "project": names.projects.get(entry.project_id) if entry.project_id else None,
        "client": names.clients.get(entry.client_id) if entry.client_id else None,
        "task": names.tasks.get(entry.task_id) if entry.task_id else None,
    }


def serialize_entries(session: Session, entries: Sequence[TimeEntry]) -> list[dict[str, Any]]:
    names = names_for(session, entries)
    now = utcnow()
    return [serialize_entry(e, names, now=now) for e in entries]


def _name(session: Session, model: type, row_id: int | None, attr: str) -> dict[int, str]:
    row = session.get(model, row_id) if row_id is not None else None
    return {row_id: getattr(row, attr)} if row is not None else {}


def serialize_one(session: Session, entry: TimeEntry) -> dict[str, Any]:
    """One entry: names by primary key, so rows the request already loaded (the project, the
    task, the owner's replica row) cost no query."""
    names = Names(
        users=_name(session, KnownUser, entry.user_id, "username"),
        projects=_name(session, Project, entry.project_id, "name"),
        clients=_name(session, KnownClient, entry.client_id, "name"),
        tasks=_name(session, Task, entry.task_id, "name"),
    )
    return serialize_entry(entry, names)
