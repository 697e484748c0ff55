"""Replica rows kept from another service's events: an upsert guarded by the event time, and
a read that catches up with the owner before it takes "no such row" for an answer.

Each event carries the entity's whole new state, so applying it is an upsert; the row keeps
the time of the event it holds (`event_at`), and with several replicas consuming one durable,
an older event that arrives late changes nothing. `upsert_replicas` applies a batch's events
with multi-row statements and the same result."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.consistency import catch_up
from shared.events.envelope import EventEnvelope

Row = TypeVar("Row")


def upsert_replica(session: Session, model: type, values: dict[str, Any], event: EventEnvelope) -> None:
    """`model` has an `id` primary key and an `event_at` column."""
    session.execute(_upsert(model, tuple(values)), {**values, "event_at": event.occurred_at})


def upsert_replicas(session: Session, model: type, events: Iterable[tuple[dict[str, Any], EventEnvelope]]) -> None:
    """`upsert_replica` for each (values, event) in order, in a few multi-row statements.

    A statement can change a row once only, so a row's events go in rounds: the k-th event of
    every row in the k-th round (in order within a row, and rows are independent). A round is
    one statement per set of columns (an event may leave a column out), its rows sorted by id
    (concurrent replicas lock them in one order)."""
    rounds: list[dict[tuple[str, ...], list[dict[str, Any]]]] = []
    seen: dict[Any, int] = {}
    for values, event in events:
        k = seen.get(values["id"], 0)
        seen[values["id"]] = k + 1
        if k == len(rounds):
            rounds.append({})
        rounds[k].setdefault(tuple(values), []).append({**values, "event_at": event.occurred_at})
    for round_ in rounds:
        for columns, rows in round_.items():
            session.connection().execute(_upsert(model, columns), sorted(rows, key=lambda row: row["id"]))


@functools.cache
def _upsert(model: type, columns: tuple[str, ...]) -> Any:
    """Built once per column set. RETURNING makes SQLAlchemy send many rows as one multi-row
    VALUES statement (insertmanyvalues) instead of one statement per row."""
    stmt = insert(model)
    changes = {key: stmt.excluded[key] for key in (*columns, "event_at") if key != "id"}
    newer = stmt.excluded.event_at >= model.event_at
    return stmt.on_conflict_do_update(index_elements=["id"], set_=changes, where=newer).returning(model.id)


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
