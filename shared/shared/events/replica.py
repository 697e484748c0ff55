"""Replica rows kept from another service's events: an upsert guarded by the event time.

Each event carries the entity's whole new state, so applying it is an upsert; the row keeps
the time of the event it holds (`event_at`), and with several replicas consuming one durable,
an older event that arrives late changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.events.envelope import EventEnvelope


def upsert_replica(session: Session, model: type, values: dict[str, Any], event: EventEnvelope) -> None:
    """`model` has an `id` primary key and an `event_at` column."""
    stmt = insert(model).values(**values, event_at=event.occurred_at)
    changes = {key: stmt.excluded[key] for key in (*values, "event_at") if key != "id"}
    newer = stmt.excluded.event_at >= model.event_at
    session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=changes, where=newer))
