"""Timer use cases (tracking.md §6): status, start, stop, pause, resume, and the admin switch
for the single-active-timer rule. Every change of a user's timers takes that user's advisory
lock first, so two concurrent starts cannot both see "nothing running"."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.errors import ForbiddenError, ValidationError
from shared.identity import Identity
from tracking import events, locks, timer_settings
from tracking.durations import net_seconds
from tracking.entries import service as entries
from tracking.entry_serialization import serialize_one
from tracking.errors import InvalidStateError, NoActiveTimerError
from tracking.models import TimeEntry
from tracking.replicas import rounding_for
from tracking.settings import TrackingSettings
from tracking.timer.schemas import TimerSettingsUpdate, TimerStart

ALREADY_PAUSED = "The timer is already paused"
NOT_PAUSED = "The timer is not paused"


def _elapsed(since: datetime, now: datetime) -> int:
    return max(0, math.floor((now - since).total_seconds()))


def timer_status(session: Session, actor: Identity) -> dict[str, Any]:
    entry = entries.running_timer(session, actor.user_id)
    return {"active": entry is not None, "timer": serialize_one(session, entry) if entry else None}


def start_timer(session: Session, body: TimerStart, *, actor: Identity, settings: TrackingSettings) -> dict[str, Any]:
    """A running entry of the caller, created like every entry (`entries.create_entry`) with
    the checks in the order of §6.2 (the first failure answers)."""
    if body.project_id is None:
        raise ValidationError({"project_id": ["project_id is required"]}, "project_id is required")
    new = entries.NewEntry(
        user_id=actor.user_id,
        start_time=utcnow(),
        project_id=body.project_id,
        task_id=body.task_id,
        notes=body.notes,
        source="auto",
        billable=True,
    )
    data = entries.create_entry(session, new, via=entries.EntryPath.TIMER, actor=actor, settings=settings)
    return {"message": "Timer started successfully", "timer": data}


def _running(session: Session, actor: Identity) -> TimeEntry:
    locks.lock_user_timers(session, actor.user_id)
    entry = entries.running_timer(session, actor.user_id, lock=True)
    if entry is None:
        raise NoActiveTimerError()
    return entry


def _changed(session: Session, entry: TimeEntry, actor: Identity, *actions: str) -> dict[str, Any]:
    session.flush()
    data = serialize_one(session, entry)
    for action in actions:
        events.emit(session, "time_entry", action, entity_id=entry.id, data=data, actor=actor)
    return data


def stop_timer(session: Session, *, actor: Identity) -> dict[str, Any]:
    """A paused timer's pause counts as break, not work (upstream counts it as work)."""
    entry = _running(session, actor)
    now = utcnow()
    if entry.paused_at is not None:
        entry.break_seconds += _elapsed(entry.paused_at, now)
        entry.paused_at = None
    entry.end_time = now
    entry.duration_seconds = net_seconds(
        entry.start_time, now, entry.break_seconds, rounding_for(session, entry.user_id)
    )
    data = _changed(session, entry, actor, "stopped", "updated")
    return {"message": "Timer stopped successfully", "time_entry": data}


def pause_timer(session: Session, *, actor: Identity) -> dict[str, Any]:
    entry = _running(session, actor)
    if entry.paused_at is not None:
        raise InvalidStateError(ALREADY_PAUSED)
    entry.paused_at = utcnow()
    return {"message": "Timer paused", "time_entry": _changed(session, entry, actor, "updated")}


def resume_timer(session: Session, *, actor: Identity) -> dict[str, Any]:
    entry = _running(session, actor)
    if entry.paused_at is None:
        raise InvalidStateError(NOT_PAUSED)
    entry.break_seconds += _elapsed(entry.paused_at, utcnow())
    entry.paused_at = None
    return {"message": "Timer resumed", "time_entry": _changed(session, entry, actor, "updated")}


def _require_admin(actor: Identity) -> None:
    # the scope alone opens admin endpoints for non-admins (CONVENTIONS §2.6); this one changes
    # every user's timers, so the user must be an admin too
    if not actor.is_admin:
        raise ForbiddenError()


def get_timer_settings(session: Session, *, actor: Identity, settings: TrackingSettings) -> dict[str, Any]:
    _require_admin(actor)
    row = timer_settings.ensure_row(session, settings)
    return {"settings": {"single_active_timer": row.single_active_timer}}


def update_timer_settings(
    session: Session, body: TimerSettingsUpdate, *, actor: Identity, settings: TrackingSettings
) -> dict[str, Any]:
    _require_admin(actor)
    row = timer_settings.ensure_row(session, settings)
    if body.single_active_timer is not None:
        row.single_active_timer = body.single_active_timer
        session.flush()
    return {
        "message": "Timer settings updated successfully",
        "settings": {"single_active_timer": row.single_active_timer},
    }
