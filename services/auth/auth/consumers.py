"""`users.total_seconds` (the `total_hours` of `/users/me`) from tracking's time-entry events.

Each event carries the entry's state; the entry's last known seconds are kept per entry, so
an event changes the owner's total by the difference it makes (a running timer counts 0, a
deleted entry drops out, an entry moved to another user moves its seconds).

A fetched batch is folded: each entry's events replayed in memory over its stored state, then
one statement per table (the entries' states, the users' totals).

Replicas of this service share the durable, so two of them may hold events of one entry at
once (its `created` in one batch, its `updated` in the next). Each takes the entries' advisory
locks (in id order) before reading their states: a row lock cannot guard a row another
transaction is still inserting, and both would count the entry. A deleted entry keeps its row
with 0 seconds, so a state older than the delete arriving late changes nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Integer, any_, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from auth.models import TrackedEntry, User
from shared.app import ConsumerSpec
from shared.events import EventEnvelope

TIME_ENTRY_EVENTS = "tt.tracking.time_entry.>"


@dataclass(frozen=True, slots=True)
class Tracked:
    user_id: int
    seconds: int
    event_at: datetime


def entry_state(event: EventEnvelope) -> tuple[int, Tracked]:
    """(entry id, what the event leaves: a running timer and a deleted entry count 0)."""
    data = event.data
    entry_id = int(data.get("id") or event.entity_id)
    counted = data.get("end_time") and not event.type.endswith(".deleted")
    seconds = int(data.get("duration_seconds") or 0) if counted else 0
    return entry_id, Tracked(int(data["user_id"]), seconds, event.occurred_at)


def _add(session: Session, user_id: int, seconds: int) -> None:
    if seconds:
        session.execute(update(User).where(User.id == user_id).values(total_seconds=User.total_seconds + seconds))


def _upsert_tracked():
    stmt = insert(TrackedEntry)
    changes = {name: stmt.excluded[name] for name in ("user_id", "seconds", "event_at")}
    # RETURNING: many rows go as one multi-row statement (insertmanyvalues)
    return stmt.on_conflict_do_update(index_elements=["entry_id"], set_=changes).returning(TrackedEntry.entry_id)


_UPSERT_TRACKED = _upsert_tracked()


def apply_time_entry_event(session: Session, event: EventEnvelope) -> None:
    entry_id, new = entry_state(event)
    session.execute(_LOCK_ENTRIES, {"ids": [entry_id]}).all()
    known = session.execute(select(TrackedEntry).where(TrackedEntry.entry_id == entry_id)).scalar()
    if known is not None and known.event_at > event.occurred_at:
        return  # an older state arriving late
    if known is not None:
        _add(session, known.user_id, -known.seconds)
    session.execute(_UPSERT_TRACKED, {"entry_id": entry_id, **_row(new)})
    _add(session, new.user_id, new.seconds)


def _row(state: Tracked) -> dict:
    return {"user_id": state.user_id, "seconds": state.seconds, "event_at": state.event_at}


_IDS = bindparam("ids", type_=ARRAY(BigInteger))
# pg_advisory_xact_lock(ENTRY_LOCK, entry id), in id order: one entry's events apply one at a time
ENTRY_LOCK = 0x7E_0002
_LOCK_ENTRIES = select(func.pg_advisory_xact_lock(ENTRY_LOCK, func.unnest(bindparam("ids", type_=ARRAY(Integer)))))
_LOAD_TRACKED = select(TrackedEntry).where(TrackedEntry.entry_id == any_(_IDS))
_ADD_TO_TOTALS = text(
    "UPDATE users SET total_seconds = users.total_seconds + d.seconds "
    "FROM unnest(:user_ids, :seconds) AS d(id, seconds) WHERE users.id = d.id"
).bindparams(bindparam("user_ids", type_=ARRAY(Integer)), bindparam("seconds", type_=ARRAY(BigInteger)))


def apply_time_entry_events(session: Session, events: list[EventEnvelope]) -> None:
    """The batch's events, folded: the same totals and rows as `apply_time_entry_event` one
    by one, in order."""
    states = [entry_state(event) for event in events]  # a malformed event raises before any write
    ids = sorted({entry_id for entry_id, _ in states})
    session.execute(_LOCK_ENTRIES, {"ids": ids}).all()
    stored = {
        row.entry_id: Tracked(row.user_id, row.seconds, row.event_at)
        for row in session.execute(_LOAD_TRACKED, {"ids": ids}).scalars()
    }
    current: dict[int, Tracked] = dict(stored)
    changed: set[int] = set()
    for (entry_id, new), event in zip(states, events, strict=True):
        known = current.get(entry_id)
        if known is not None and known.event_at > event.occurred_at:
            continue
        current[entry_id] = new
        changed.add(entry_id)
    deltas: dict[int, int] = defaultdict(int)
    for entry_id in changed:
        if (old := stored.get(entry_id)) is not None:
            deltas[old.user_id] -= old.seconds
        new = current[entry_id]
        deltas[new.user_id] += new.seconds
    if changed:
        session.connection().execute(_UPSERT_TRACKED, [{"entry_id": i, **_row(current[i])} for i in sorted(changed)])
    totals = sorted((user_id, seconds) for user_id, seconds in deltas.items() if seconds)
    if totals:
        session.execute(_ADD_TO_TOTALS, {"user_ids": [u for u, _ in totals], "seconds": [s for _, s in totals]})


CONSUMERS = (
    ConsumerSpec(
        name="auth-time-entries",
        subject=TIME_ENTRY_EVENTS,
        handler=apply_time_entry_event,
        batch_handler=apply_time_entry_events,
    ),
)
