"""Time-entry use cases: list, get, create (with `Idempotency-Key`), update, delete
(tracking.md §4.1–§4.5). Standard users act on their own entries only (CONVENTIONS §4).

Also the entries feature's face to its siblings: `create_entry` is the one way an entry comes to
exist (the timer calls it too; `create_entries` runs its checks for a batch, as the CSV import
does), `existing_project` the project check a CSV row runs first, `running_timer` the user's
running entry, `day_bounds` a calendar day's instants."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.errors import ApiError, ForbiddenError, NotFoundError, ValidationError
from shared.identity import Identity
from shared.pagination import PageParams, pagination_object
from tracking import events, replicas
from tracking.entries import creation, idempotency, repository, updating
from tracking.entries.batch import PreparedLookups
from tracking.entries.creation import EntryPath, NewEntry, existing_project
from tracking.entries.filters import RawEntryFilters, entry_filters
from tracking.entries.rules import day_bounds, desktop_slot
from tracking.entries.schemas import MISSING, EntryCreate, EntryDelete, EntryUpdate, parse_body
from tracking.entry_serialization import names_for, serialize_entries, serialize_entry, serialize_one
from tracking.errors import TimerActiveError
from tracking.models import TimeEntry
from tracking.settings import TrackingSettings

# The feature's face: the router's use cases and what sibling features call.
__all__ = [
    "EntryPath",
    "NewEntry",
    "create_entries",
    "create_entry",
    "create_time_entry",
    "day_bounds",
    "delete_entry",
    "existing_project",
    "get_entry",
    "list_entries",
    "running_timer",
    "update_entry",
]

CREATED = 201


def entry_not_found(entry_id: int) -> NotFoundError:
    return NotFoundError(f"Time entry with ID {entry_id} not found", error="Time entry not found")


def visible_entry(session: Session, entry_id: int, identity: Identity, *, lock: bool = False) -> TimeEntry:
    """The entry, or 404 when unknown and 403 when it is someone else's and the caller no admin."""
    entry = repository.get_entry(session, entry_id, lock=lock)
    if entry is None:
        raise entry_not_found(entry_id)
    if not identity.is_admin and entry.user_id != identity.user_id:
        raise ForbiddenError("Access denied")
    return entry


def list_entries(
    session: Session, identity: Identity, page: PageParams, raw: RawEntryFilters, *, settings: TrackingSettings
) -> dict[str, Any]:
    filters = entry_filters(identity, raw, settings.zone)
    stmt = repository.list_statement(filters).limit(page.per_page).offset(page.offset)
    entries = list(session.scalars(stmt))
    pagination = pagination_object(page, repository.count_entries(session, filters))
    return {"time_entries": serialize_entries(session, entries), "pagination": pagination}


def get_entry(session: Session, entry_id: int, identity: Identity) -> dict[str, Any]:
    return {"time_entry": serialize_one(session, visible_entry(session, entry_id, identity))}


def _times(session: Session, body: EntryCreate, owner_id: int, settings: TrackingSettings):
    """`start_time`/`end_time`, or the desktop's `date` + `duration_minutes` (COMPAT)."""
    if body.start_time is not None:
        return body.start_time, body.end_time
    minutes = body.duration_minutes
    if body.date is None or minutes is None or minutes <= 0:
        errors = {"start_time": [MISSING]}
        if minutes is not None and minutes <= 0:
            errors["duration_minutes"] = ["Must be greater than 0."]
        raise ValidationError(errors)
    day_start, day_end = day_bounds(body.date, settings.zone)
    latest = repository.latest_end_starting_between(session, owner_id, day_start, day_end)
    return desktop_slot(body.date, minutes, latest, settings.zone)


def create_entry(
    session: Session, new: NewEntry, *, via: EntryPath, actor: Identity, settings: TrackingSettings
) -> dict[str, Any]:
    """The one way an entry comes to exist: `via`'s checks in its spec order, then the row,
    `time_entry.created` and, for a running timer, `time_entry.started`. Returns the entry's API
    object, the one the events carry (serialized once: the response reuses it)."""
    # held to the end: the rows the checks loaded (project, task) and the caller's replica row
    # then serve the rounding and the serialization from the session, without a query each
    _checked = creation.run_checks(session, new, via=via, actor=actor, settings=settings)
    _caller = replicas.remember_caller(session, actor)
    entry = creation.new_row(session, new)
    session.add(entry)
    session.flush()
    data = serialize_one(session, entry)
    events.emit(session, "time_entry", "created", entity_id=entry.id, data=data, actor=actor)
    if entry.end_time is None:
        events.emit(session, "time_entry", "started", entity_id=entry.id, data=data, actor=actor)
    return data


def create_entries(
    session: Session, news: list[NewEntry], *, via: EntryPath, actor: Identity, settings: TrackingSettings
) -> list[ApiError | None]:
    """`create_entry` for many entries of one owner, in order: each is judged by `via`'s checks
    exactly as if the earlier accepted ones had just been created one by one (the owner locked
    once, their other entries read once), then every accepted row goes in with one statement and
    their events with one more. Returns, per entry, None when created, else its error."""
    lookups = PreparedLookups(session, news)
    outcomes: list[ApiError | None] = []
    accepted: list[NewEntry] = []
    for new in news:
        try:
            creation.run_checks(session, new, via=via, actor=actor, settings=settings, lookups=lookups)
        except ApiError as exc:
            outcomes.append(exc)
            continue
        lookups.accept(new)
        accepted.append(new)
        outcomes.append(None)
    if accepted:
        _insert_all(session, accepted, actor=actor)
    return outcomes


def _insert_all(session: Session, news: list[NewEntry], *, actor: Identity) -> None:
    replicas.remember_caller(session, actor)
    rounding = replicas.rounding_for(session, news[0].user_id)
    rows = repository.insert_entries(session, [creation.new_values(session, new, rounding=rounding) for new in news])
    names = names_for(session, rows)
    created = [(row.id, serialize_entry(row, names)) for row in rows]
    events.emit_many(session, "time_entry", "created", created, actor=actor)
    running = [(entry_id, data) for entry_id, data in created if data["end_time"] is None]
    if running:
        events.emit_many(session, "time_entry", "started", running, actor=actor)


def running_timer(session: Session, user_id: int, *, lock: bool = False) -> TimeEntry | None:
    """The user's running entry, the most recently started one when several run (§6)."""
    return repository.active_timer(session, user_id, lock=lock)


def _create(session: Session, body: EntryCreate, *, actor: Identity, settings: TrackingSettings) -> dict[str, Any]:
    owner_id = body.user_id if body.user_id is not None else actor.user_id
    start, end = _times(session, body, owner_id, settings)
    new = NewEntry(
        user_id=owner_id,
        start_time=start,
        end_time=end,
        project_id=body.project_id,
        client_id=body.client_id,
        task_id=body.task_id,
        break_seconds=body.break_seconds or 0,
        notes=body.notes,
        tags=body.tags,
        billable=True if body.billable is None else body.billable,
        paid=bool(body.paid),
        invoice_number=body.invoice_number,
    )
    created = create_entry(session, new, via=EntryPath.API, actor=actor, settings=settings)
    return {"message": "Time entry created successfully", "time_entry": created}


def create_time_entry(
    session: Session,
    raw: dict[str, Any],
    *,
    actor: Identity,
    settings: TrackingSettings,
    idempotency_key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """(status, body). With a usable `Idempotency-Key` a stored 201 replays without looking at
    the new body; a new 201 is stored with the entry, in the same transaction."""
    key = idempotency.request_key(actor, idempotency_key)
    if key is not None:
        idempotency.acquire(session, key, settings)
        stored = idempotency.stored_response(session, key)
        if stored is not None:
            return stored
    body = parse_body(EntryCreate, raw, settings.zone)
    result = _create(session, body, actor=actor, settings=settings)
    if key is not None:
        idempotency.store(session, key, CREATED, result, settings)
    return CREATED, result


def update_entry(
    session: Session, entry_id: int, raw: dict[str, Any], *, actor: Identity, settings: TrackingSettings
) -> dict[str, Any]:
    entry = visible_entry(session, entry_id, actor, lock=True)
    body = parse_body(EntryUpdate, raw, settings.zone)
    updating.apply_update(session, entry, body, settings=settings)
    data = serialize_one(session, entry)
    events.emit(session, "time_entry", "updated", entity_id=entry.id, data=data, actor=actor)
    return {"message": "Time entry updated successfully", "time_entry": data}


def delete_entry(session: Session, entry_id: int, body: EntryDelete | None, *, actor: Identity) -> dict[str, Any]:
    """Hard delete; a running timer must be stopped first. `reason` is for the audit only."""
    entry = visible_entry(session, entry_id, actor, lock=True)
    if entry.end_time is None:
        raise TimerActiveError()
    data = serialize_one(session, entry)
    session.delete(entry)
    session.flush()
    events.emit(session, "time_entry", "deleted", entity_id=entry_id, data=data, actor=actor)
    return {"message": "Time entry deleted successfully"}
