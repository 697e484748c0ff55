"""`users.total_seconds` (the `total_hours` of `/users/me`) from tracking's time-entry events.

Each event carries the entry's state; the entry's last known seconds are kept per entry, so
an event changes the owner's total by the difference it makes (a running timer counts 0, a
deleted entry drops out, an entry moved to another user moves its seconds)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from auth.models import TrackedEntry, User
from shared.app import ConsumerSpec
from shared.events import EventEnvelope

TIME_ENTRY_EVENTS = "tt.tracking.time_entry.>"


def _add(session: Session, user_id: int, seconds: int) -> None:
    if seconds:
        session.execute(update(User).where(User.id == user_id).values(total_seconds=User.total_seconds + seconds))


def apply_time_entry_event(session: Session, event: EventEnvelope) -> None:
    data = event.data
    entry_id = int(data.get("id") or event.entity_id)
    known = session.execute(select(TrackedEntry).where(TrackedEntry.entry_id == entry_id).with_for_update()).scalar()
    if known is not None and known.event_at > event.occurred_at:
        return  # an older state arriving late
    if known is not None:
        _add(session, known.user_id, -known.seconds)
    if event.type.endswith(".deleted"):
        session.execute(delete(TrackedEntry).where(TrackedEntry.entry_id == entry_id))
        return
    user_id = int(data["user_id"])
    seconds = int(data.get("duration_seconds") or 0) if data.get("end_time") else 0
    stmt = insert(TrackedEntry).values(entry_id=entry_id, user_id=user_id, seconds=seconds, event_at=event.occurred_at)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["entry_id"],
            set_={"user_id": user_id, "seconds": seconds, "event_at": event.occurred_at},
        )
    )
    _add(session, user_id, seconds)


CONSUMERS = (ConsumerSpec(name="auth-time-entries", subject=TIME_ENTRY_EVENTS, handler=apply_time_entry_event),)
