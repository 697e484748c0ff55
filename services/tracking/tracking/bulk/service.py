"""Bulk actions on time entries (tracking.md §4.7): all-or-nothing for standard users, running
timers skipped for every action (§5.4), one event per changed entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.errors import ForbiddenError, NotFoundError
from shared.identity import Identity
from tracking import events
from tracking.bulk import repository
from tracking.bulk.schemas import ADD_TAG, DELETE, SET_BILLABLE, SET_PAID, BulkBody, BulkRequest, bulk_request
from tracking.entry_serialization import serialize_entries
from tracking.errors import InvalidStateError
from tracking.models import TimeEntry
from tracking.tags import tag_list

NO_ENTRIES = "No entries found"
NOT_YOURS = "Access denied for one or more entries"
NOTHING_AFFECTED = "No entries updated; running entries cannot be changed"


def retag(tags: str | None, action: str, names: Sequence[str]) -> str | None:
    """The entry's tag set after adding or removing `names`: sorted, joined with ", ", empty → null."""
    current = set(tag_list(tags))
    current = current | set(names) if action == ADD_TAG else current - set(names)
    return ", ".join(sorted(current)) or None


def _change(entry: TimeEntry, request: BulkRequest) -> None:
    if request.action == SET_BILLABLE:
        entry.billable = request.flag
    elif request.action == SET_PAID:
        entry.paid = request.flag
        if not request.flag:
            entry.invoice_number = None
    else:
        entry.tags = retag(entry.tags, request.action, request.tags)


def _update(session: Session, entries: list[TimeEntry], request: BulkRequest, actor: Identity) -> None:
    now = utcnow()
    for entry in entries:
        _change(entry, request)
        entry.updated_at = now
    session.flush()
    for data in serialize_entries(session, entries):
        events.emit(session, "time_entry", "updated", entity_id=data["id"], data=data, actor=actor)


def _delete(session: Session, entries: list[TimeEntry], actor: Identity) -> None:
    last_states = serialize_entries(session, entries)
    for entry in entries:
        session.delete(entry)
    session.flush()
    for data in last_states:
        events.emit(session, "time_entry", "deleted", entity_id=data["id"], data=data, actor=actor)


def apply_bulk_action(session: Session, body: BulkBody, *, actor: Identity) -> dict[str, Any]:
    """Unknown ids are ignored; the rows stay locked until commit, so a concurrent update or
    bulk call on the same entries waits instead of interleaving."""
    request = bulk_request(body)
    entries = repository.lock_entries(session, request.entry_ids)
    if not entries:
        raise NotFoundError(NO_ENTRIES, error=NO_ENTRIES)
    if not actor.is_admin and any(e.user_id != actor.user_id for e in entries):
        raise ForbiddenError(NOT_YOURS, error=NOT_YOURS)
    completed = [e for e in entries if e.end_time is not None]
    if not completed:
        raise InvalidStateError(NOTHING_AFFECTED)
    if request.action == DELETE:
        _delete(session, completed, actor)
    else:
        _update(session, completed, request, actor)
    return {"success": True, "affected": len(completed)}
