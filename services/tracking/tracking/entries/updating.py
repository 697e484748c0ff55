"""The partial update of tracking.md §4.4, rules 2–12, in the spec's order. Every check runs
on the would-be state before anything is assigned, so a refused update leaves the row as it was."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.errors import ConflictError
from tracking import locks
from tracking.durations import net_seconds
from tracking.entries import repository, requirements
from tracking.entries.creation import check_entry_client, existing_project, task_of_project
from tracking.entries.rules import changed_since_read
from tracking.entries.schemas import EntryUpdate
from tracking.errors import (
    InvalidTimeRangeError,
    OverlappingEntryError,
    TaskRequiresProjectError,
    TimerActiveError,
)
from tracking.models import TimeEntry
from tracking.replicas import rounding_for
from tracking.settings import TrackingSettings


@dataclass(frozen=True)
class EntryState:
    """The fields an update may change."""

    project_id: int | None
    client_id: int | None
    task_id: int | None
    start_time: datetime
    end_time: datetime | None
    break_seconds: int
    notes: str | None
    tags: str | None
    billable: bool
    paid: bool
    invoice_number: str | None

    @classmethod
    def of(cls, entry: TimeEntry) -> EntryState:
        return cls(**{name: getattr(entry, name) for name in cls.__dataclass_fields__})

    def times(self) -> tuple[datetime, datetime | None, int]:
        return self.start_time, self.end_time, self.break_seconds


def _links(session: Session, state: EntryState, body: EntryUpdate, sent: set[str]) -> EntryState:
    """Rules 5–7: a project replaces the client (and a task of another project), a client
    replaces project and task, a task needs the resulting project."""
    if "project_id" in sent:
        project = existing_project(session, body.project_id)
        task_id = state.task_id if project.id == state.project_id else None
        state = replace(state, project_id=project.id, client_id=None, task_id=task_id)
    if "client_id" in sent:
        check_entry_client(session, body.client_id)
        state = replace(state, client_id=body.client_id, project_id=None, task_id=None)
    if "task_id" in sent:
        if state.project_id is None:
            raise TaskRequiresProjectError()
        task = task_of_project(session, body.task_id, state.project_id)
        state = replace(state, task_id=task.id)
    return state


def _times(state: EntryState, body: EntryUpdate, sent: set[str]) -> EntryState:
    """Rule 8's values; `break_seconds` arrives clamped at 0."""
    changes = {name: getattr(body, name) for name in ("start_time", "end_time", "break_seconds") if name in sent}
    return replace(state, **changes)


def _texts(state: EntryState, body: EntryUpdate, sent: set[str]) -> EntryState:
    """Rule 9: `""` clears a text field; `paid: false` also clears the invoice number."""
    changes = {name: getattr(body, name) or None for name in ("notes", "tags", "invoice_number") if name in sent}
    changes |= {name: getattr(body, name) for name in ("billable", "paid") if name in sent}
    if "paid" in sent and not body.paid:
        changes["invoice_number"] = None
    return replace(state, **changes)


def _check_preconditions(entry: TimeEntry, body: EntryUpdate, sent: set[str]) -> None:
    """Rules 2 and 4: optimistic concurrency, and no end for a running timer here."""
    if "if_updated_at" in sent and changed_since_read(entry.updated_at, body.if_updated_at):
        raise ConflictError("The time entry was changed on the server since it was read")
    if entry.end_time is None and "end_time" in sent:
        raise TimerActiveError()


def apply_update(session: Session, entry: TimeEntry, body: EntryUpdate, *, settings: TrackingSettings) -> None:
    """Checks the body against the (locked) entry, then writes the new state and flushes."""
    sent = body.provided()
    _check_preconditions(entry, body, sent)
    before = EntryState.of(entry)
    state = _texts(_times(_links(session, before, body, sent), body, sent), body, sent)
    completed_times_changed = state.end_time is not None and state.times() != before.times()
    if completed_times_changed and state.end_time <= state.start_time:
        raise InvalidTimeRangeError()
    requirements.check_requirements(settings, project_id=state.project_id, task_id=state.task_id, notes=state.notes)
    if completed_times_changed:
        locks.lock_user_timers(session, entry.user_id)
        clash = repository.overlapping_entry(
            session, entry.user_id, state.start_time, state.end_time, exclude_id=entry.id
        )
        if clash is not None:
            raise OverlappingEntryError()
        rounding = rounding_for(session, entry.user_id)
        entry.duration_seconds = net_seconds(state.start_time, state.end_time, state.break_seconds, rounding)
    for name in EntryState.__dataclass_fields__:
        setattr(entry, name, getattr(state, name))
    entry.updated_at = utcnow()
    session.flush()
