"""Creating a time entry through the checks of tracking.md §4.3 (rules 2–10), written once for
every path that makes entries: the API create, timer start and CSV import.

Callers parse types (rule 1) and decide which checks apply; this raises the spec's errors,
records `time_entry.created` (+ `time_entry.started` for a running timer) and returns the
flushed row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.errors import ForbiddenError, ValidationError
from shared.identity import Identity
from tracking import events, locks, replicas
from tracking.durations import net_seconds
from tracking.entries import repository, requirements
from tracking.entries.rules import timer_project_error
from tracking.entry_serialization import serialize_one
from tracking.errors import (
    InvalidClientError,
    InvalidProjectError,
    InvalidTaskError,
    InvalidTimeRangeError,
    MissingProjectOrClientError,
    OverlappingEntryError,
    TaskNotAllowedError,
    TimerAlreadyRunningError,
)
from tracking.models import Project, TimeEntry
from tracking.replicas import active_user, rounding_for, valid_client
from tracking.settings import TrackingSettings
from tracking.timer_settings import single_active_timer

# An entry's client is worded apart from a project's ("Invalid client", tracking.md §2.3).
ENTRY_CLIENT = "Invalid client selected"


def check_owner(session: Session, actor: Identity, owner_id: int) -> None:
    """Rule 2: only admins create for someone else, and only for an active user."""
    if owner_id == actor.user_id:
        return
    if not actor.is_admin:
        raise ForbiddenError("Only admins may create time entries for other users")
    if active_user(session, owner_id) is None:
        raise ValidationError({"user_id": ["User not found or inactive"]}, "User not found or inactive")


def check_links(
    session: Session, *, project_id: int | None, client_id: int | None, task_id: int | None
) -> Project | None:
    """Rules 3–5: a project or a client; both must exist; a task only on a project-only entry."""
    if project_id is None and client_id is None:
        raise MissingProjectOrClientError()
    project = None
    if project_id is not None:
        project = repository.get_project(session, project_id)
        if project is None:
            raise InvalidProjectError()
        if task_id is not None:
            task = repository.get_task(session, task_id)
            if task is None or task.project_id != project.id:
                raise InvalidTaskError()
    if client_id is not None:
        if valid_client(session, client_id) is None:
            raise InvalidClientError(ENTRY_CLIENT)
        if task_id is not None:
            raise TaskNotAllowedError()
    return project


def check_timer_start(session: Session, settings: TrackingSettings, *, project: Project | None, owner_id: int) -> None:
    """Rule 6 for a running entry: an active project, and no second timer when that is off.
    The caller holds the owner's timer lock, so two starts cannot both see "none running"."""
    if project is not None and (error := timer_project_error(project.status)) is not None:
        raise error
    if single_active_timer(session, settings) and repository.has_active_timer(session, owner_id):
        raise TimerAlreadyRunningError()


def check_times(
    session: Session, *, owner_id: int, start: datetime, end: datetime, overlap: bool, exclude_id: int | None = None
) -> None:
    """Rules 9–10 for a completed entry: end after start; no strict overlap with another
    completed entry of the owner."""
    if end <= start:
        raise InvalidTimeRangeError()
    if overlap and repository.overlapping_entry(session, owner_id, start, end, exclude_id=exclude_id) is not None:
        raise OverlappingEntryError()


def create_entry(
    session: Session,
    *,
    settings: TrackingSettings,
    actor: Identity,
    owner_id: int,
    project_id: int | None,
    client_id: int | None,
    task_id: int | None,
    start: datetime,
    end: datetime | None,
    break_seconds: int = 0,
    notes: str | None = None,
    tags: str | None = None,
    billable: bool = True,
    paid: bool = False,
    invoice_number: str | None = None,
    source: str = "manual",
    check_overlap: bool = True,
    check_requirements: bool = True,
) -> dict[str, Any]:
    """A new entry of `owner_id`; `end=None` starts a running timer. Returns its API object,
    the one the events carry (serialized once: the response reuses it)."""
    check_owner(session, actor, owner_id)
    replicas.remember_caller(session, actor)
    project = check_links(session, project_id=project_id, client_id=client_id, task_id=task_id)
    # One user's creates run one at a time: the timer and overlap checks hold under concurrency.
    locks.lock_user_timers(session, owner_id)
    if end is None:
        check_timer_start(session, settings, project=project, owner_id=owner_id)
    if check_requirements:
        requirements.check_requirements(settings, project_id=project_id, task_id=task_id, notes=notes)
    breaks = max(0, break_seconds)
    if end is not None:
        check_times(session, owner_id=owner_id, start=start, end=end, overlap=check_overlap)
    entry = TimeEntry(
        user_id=owner_id,
        project_id=project_id,
        client_id=client_id,
        task_id=task_id,
        start_time=start,
        end_time=end,
        break_seconds=breaks,
        duration_seconds=None if end is None else net_seconds(start, end, breaks, rounding_for(session, owner_id)),
        notes=notes,
        tags=tags,
        source=source,
        billable=billable,
        paid=paid,
        invoice_number=invoice_number,
    )
    session.add(entry)
    session.flush()
    data = serialize_one(session, entry)
    events.emit(session, "time_entry", "created", entity_id=entry.id, data=data, actor=actor)
    if end is None:
        events.emit(session, "time_entry", "started", entity_id=entry.id, data=data, actor=actor)
    return data
