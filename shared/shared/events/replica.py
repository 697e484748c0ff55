"""Replica rows kept from another service's events: an upsert guarded by the event time, and
a read that catches up with the owner before it takes "no such row" for an answer.

Each event carries the entity's whole new state, so applying it is an upsert; the row keeps
the time of the event it holds (`event_at`), and with several replicas consuming one durable,
an older event that arrives late changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.consistency import catch_up
from shared.events.envelope import EventEnvelope

Row = TypeVar("Row")


def upsert_replica(session: Session, model: type, values: dict[str, Any], event: EventEnvelope) -> None:
    """`model` has an `id` primary key and an `event_at` column."""
    stmt = insert(model).values(**values, event_at=event.occurred_at)
    changes = {key: stmt.excluded[key] for key in (*values, "event_at") if key != "id"}
    newer = stmt.excluded.event_at >= model.event_at
    session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=changes, where=newer))


def confirmed_row(
    session: Session, model: type[Row], row_id: int, *, owner: str, usable: Callable[[Row], bool] = lambda _: True
) -> Row | None:
    """The replica row when it is there and `usable`; otherwise the replica first catches up
    with `owner` (the row may be on its way: a client's last request created it) and is read
    again. None only when the owner's committed state, or a replica that could not catch up
    in time, has no usable row. A hit costs one primary-key read, as before."""
    row = session.get(model, row_id)
    if row is not None and usable(row):
        return row
    if not catch_up(owner):
        return None
    row = session.get(model, row_id, populate_existing=True)
    return row if row is not None and usable(row) else None
