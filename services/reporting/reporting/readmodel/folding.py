"""A fetched batch of entry events applied at once, ending where `rollups.apply_entry_event`
applied one by one, in order, would end.

The batch's entries are locked (advisory locks in id order, as the one-event path takes them,
so concurrent replicas cannot deadlock on them) and loaded in one query; each entry's events
are replayed in memory over its stored state with the same event-time guard (an event older
than the state so far changes nothing). The buckets then change by the net difference, old
contribution out and final one in, which is what the one-event steps add up to: one upsert
per level, rows in key order, and the buckets left empty deleted. The entry rows go in one
more upsert. Each upsert takes its rows as one array per column."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sqlalchemy import BigInteger, Integer, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from reporting.models import Entry
from reporting.readmodel.rollups import (
    CONTRIBUTION_FIELDS,
    DROP_EMPTY_BUCKET,
    ENTRY_LOCK,
    LEVELS,
    MEASURES,
    add_to_bucket,
    bucket_of,
    contribution,
    entry_values,
    key_columns,
    upsert_statement,
)
from shared.db import arrays_of, unnest_rows
from shared.events import EventEnvelope

_IDS = bindparam("ids", type_=ARRAY(BigInteger))
# The two-key lock takes int4 keys, as the one-event path's lock does.
_LOCK_ENTRIES = select(func.pg_advisory_xact_lock(ENTRY_LOCK, func.unnest(bindparam("ids", type_=ARRAY(Integer)))))
_LOAD_ENTRIES = select(Entry.id, *(getattr(Entry, name) for name in CONTRIBUTION_FIELDS)).where(Entry.id == any_(_IDS))
# Many rows, one statement each, with one array parameter per column (`shared.db.unnest_rows`).
_ENTRY_COLUMNS = [column.name for column in Entry.__table__.columns]
_UPSERT_ENTRIES = upsert_statement(
    Entry,
    lambda stmt: {name: stmt.excluded[name] for name in _ENTRY_COLUMNS if name != "id"},
    rows=unnest_rows(Entry.__table__, _ENTRY_COLUMNS),
)
_BUCKET_COLUMNS = {model: [*key_columns(model), *MEASURES] for model in LEVELS}
_ADD_TO_BUCKETS = {
    model: add_to_bucket(model, rows=unnest_rows(model.__table__, _BUCKET_COLUMNS[model])).returning(
        *(getattr(model, k) for k in key_columns(model)), model.entries
    )
    for model in LEVELS
}

Deltas = dict[type, dict[tuple, dict[str, int]]]


def apply_entry_events(session: Session, events: list[EventEnvelope], zone: tzinfo) -> None:
    if not events:
        return
    # Every event's row first: a malformed one raises before anything is written.
    news = [(entry_values(e.data, deleted=e.type.endswith(".deleted"), zone=zone), e.occurred_at) for e in events]
    ids = sorted({values["id"] for values, _ in news})
    session.execute(_LOCK_ENTRIES, {"ids": ids}).all()
    stored = {row["id"]: dict(row) for row in session.execute(_LOAD_ENTRIES, {"ids": ids}).mappings()}
    final: dict[int, dict[str, Any]] = {}
    for values, at in news:
        state = final.get(values["id"]) or stored.get(values["id"])
        if state is not None and state["event_at"] > at:
            continue  # older than what the entry holds by now
        final[values["id"]] = {**values, "event_at": at}
    if not final:
        return
    deltas: Deltas = {model: {} for model in LEVELS}
    for entry_id, row in final.items():
        if entry_id in stored:
            _fold(deltas, stored[entry_id], -1)
        _fold(deltas, row, +1)
    session.connection().execute(_UPSERT_ENTRIES, arrays_of([final[i] for i in sorted(final)], _ENTRY_COLUMNS))
    for model in LEVELS:
        _add_to_buckets(session, model, deltas[model])


def _fold(deltas: Deltas, entry: dict[str, Any], sign: int) -> None:
    part = contribution(entry)
    if part is None:
        return
    measures = part.measures(sign)
    for model, buckets in deltas.items():
        total = buckets.setdefault(tuple(bucket_of(part, model).values()), dict.fromkeys(MEASURES, 0))
        for name in MEASURES:
            total[name] += measures[name]


def _add_to_buckets(session: Session, model, deltas: dict[tuple, dict[str, int]]) -> None:
    keys = key_columns(model)
    rows = [{**dict(zip(keys, key, strict=True)), **d} for key, d in sorted(deltas.items()) if any(d.values())]
    if not rows:
        return
    added = session.connection().execute(_ADD_TO_BUCKETS[model], arrays_of(rows, _BUCKET_COLUMNS[model]))
    emptied = [{k: row[k] for k in keys} for row in added.mappings() if row["entries"] == 0]
    if emptied:  # an emptied bucket goes, as a rebuild would never create it
        session.connection().execute(DROP_EMPTY_BUCKET[model], emptied)
