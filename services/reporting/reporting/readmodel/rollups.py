"""The time-entry replica and its rollups, changed together in the consumer's transaction.

Applying an entry's event takes the entry's old contribution out of its buckets and puts the
new one in, so an update that moves an entry to another day, project or user moves its time,
and a delete takes it away. An entry counts on the day it starts (app time zone), whole, also
when it runs past midnight: reporting.md selects and buckets entries by `start_time`. Events of
one entry are serialized by an advisory lock; an event older than the stored state changes
nothing, so a late or replayed event cannot undo a newer one.

`rebuild` recomputes every bucket from the replica; `differences` compares the two (the
correctness check of the incremental path)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from reporting.conventions.calendar import day_of, month_of
from reporting.conventions.display import hundredths_of_hour
from reporting.models import DayTotal, Entry, MonthTotal, ProjectDayTotal, ProjectMonthTotal
from shared.events import EventEnvelope, required

# pg_advisory_xact_lock(ENTRY_LOCK, entry id): one entry's events apply one at a time.
ENTRY_LOCK = 0x7E_0001
MEASURES = ("seconds", "billable_seconds", "entries", "centihours", "billable_centihours")


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one completed entry adds to its buckets."""

    user_id: int
    project_id: int
    task_id: int
    client_id: int
    day: date
    seconds: int
    billable: bool
    centihours: int

    def measures(self, sign: int) -> dict[str, int]:
        billable = 1 if self.billable else 0
        return {
            "seconds": sign * self.seconds,
            "billable_seconds": sign * self.seconds * billable,
            "entries": sign,
            "centihours": sign * self.centihours,
            "billable_centihours": sign * self.centihours * billable,
        }


def contribution(entry: dict[str, Any]) -> Contribution | None:
    """None for a running timer or a deleted entry: reports count completed entries only."""
    if entry["deleted"] or entry["end_time"] is None or entry["duration_seconds"] is None:
        return None
    return Contribution(
        user_id=entry["user_id"],
        project_id=entry["project_id"] or 0,
        task_id=entry["task_id"] or 0,
        client_id=entry["client_id"] or 0,
        day=entry["day"],
        seconds=entry["duration_seconds"],
        billable=entry["billable"],
        centihours=entry["centihours"],
    )


def _instant(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def entry_values(data: dict[str, Any], *, deleted: bool, zone: tzinfo) -> dict[str, Any]:
    """The replica row of an entry from its API object (tracking.md §1.3)."""
    required(data, "id", "user_id", "start_time")
    start = _instant(data["start_time"])
    duration = data.get("duration_seconds")
    return {
        "id": int(data["id"]),
        "user_id": int(data["user_id"]),
        "project_id": data.get("project_id"),
        "task_id": data.get("task_id"),
        "client_id": data.get("client_id"),
        "start_time": start,
        "end_time": _instant(data.get("end_time")),
        "duration_seconds": duration,
        "break_seconds": data.get("break_seconds") or 0,
        "paused_at": _instant(data.get("paused_at")),
        "billable": bool(data.get("billable", True)),
        "notes": data.get("notes"),
        "tags": data.get("tags"),
        "day": day_of(start, zone),
        "centihours": hundredths_of_hour(duration or 0),
        "doc": data,
        "deleted": deleted,
    }


def apply_entry_event(session: Session, event: EventEnvelope, zone: tzinfo) -> None:
    values = entry_values(event.data, deleted=event.type.endswith(".deleted"), zone=zone)
    params = {"id": values["id"]}
    session.execute(_LOCK_ENTRY, params)
    old = session.execute(_LOAD_ENTRY, params).mappings().first()
    if old is not None and old["event_at"] > event.occurred_at:
        return
    if old is not None:
        _add(session, contribution(dict(old)), -1)
    session.execute(UPSERT_ENTRY, {**values, "event_at": event.occurred_at})
    _add(session, contribution(values), +1)


# Every rollup level and how each key column is read from an entry: an entry's contribution
# goes to one bucket per level.
LEVELS = (DayTotal, MonthTotal, ProjectDayTotal, ProjectMonthTotal)
_KEY_SQL = {
    "user_id": "user_id",
    "project_id": "coalesce(project_id, 0)",
    "task_id": "coalesce(task_id, 0)",
    "client_id": "coalesce(client_id, 0)",
    "day": "day",
    "month": "date_trunc('month', day)::date",
}


def key_columns(model) -> list[str]:
    return [column.name for column in model.__table__.primary_key.columns]


def bucket_of(part: Contribution, model) -> dict[str, Any]:
    return {name: month_of(part.day) if name == "month" else getattr(part, name) for name in key_columns(model)}


# The statements of the apply path, built once (executed with parameters): building them per
# event cost more Python time than PostgreSQL spent running them.
_LOCK_ENTRY = select(func.pg_advisory_xact_lock(ENTRY_LOCK, bindparam("id")))
CONTRIBUTION_FIELDS = ("user_id", "project_id", "task_id", "client_id", "day", "end_time", "duration_seconds",
                        "billable", "centihours", "deleted", "event_at")  # fmt: skip
_LOAD_ENTRY = select(*(getattr(Entry, name) for name in CONTRIBUTION_FIELDS)).where(Entry.id == bindparam("id"))


def upsert_statement(model, set_, *, rows: Select | None = None) -> Any:
    """Insert into `model`, or update by its key with `set_(stmt)`; from `rows` (a SELECT of
    many rows) when given, else one row of parameters."""
    stmt = insert(model) if rows is None else insert(model).from_select(list(rows.selected_columns.keys()), rows)
    return stmt.on_conflict_do_update(index_elements=key_columns(model), set_=set_(stmt))


UPSERT_ENTRY = upsert_statement(
    Entry, lambda stmt: {c.name: stmt.excluded[c.name] for c in Entry.__table__.columns if c.name != "id"}
)


def add_to_bucket(model, *, rows: Select | None = None) -> Any:
    """The upsert adding measures to a bucket of `model` (created when missing)."""
    return upsert_statement(model, lambda stmt: {n: getattr(model, n) + stmt.excluded[n] for n in MEASURES}, rows=rows)


_ADD_TO_BUCKET = {model: add_to_bucket(model).returning(model.entries) for model in LEVELS}
DROP_EMPTY_BUCKET = {
    model: delete(model).where(*(getattr(model, k) == bindparam(k) for k in key_columns(model)), model.entries == 0)
    for model in LEVELS
}


def _add(session: Session, part: Contribution | None, sign: int) -> None:
    if part is None:
        return
    measures = part.measures(sign)
    for model in LEVELS:
        key = bucket_of(part, model)
        left = session.execute(_ADD_TO_BUCKET[model], {**key, **measures}).scalar_one()
        if left == 0:  # an emptied bucket goes, as a rebuild would never create it
            session.execute(DROP_EMPTY_BUCKET[model], key)


def _recomputed(model) -> tuple[str, str]:
    """(column list, SELECT recomputing the level's buckets from the replica)."""
    keys = key_columns(model)
    columns = ", ".join([*keys, *MEASURES])
    group = ", ".join(str(i) for i in range(1, len(keys) + 1))
    select_sql = (
        f"SELECT {', '.join(_KEY_SQL[k] for k in keys)}, sum(duration_seconds), "
        "sum(CASE WHEN billable THEN duration_seconds ELSE 0 END), count(*), sum(centihours), "
        "sum(CASE WHEN billable THEN centihours ELSE 0 END) "
        "FROM entries WHERE NOT deleted AND end_time IS NOT NULL AND duration_seconds IS NOT NULL "
        f"GROUP BY {group}"
    )
    return columns, select_sql


def _lock_rollups(session: Session) -> None:
    """Consumers wait while the buckets are recomputed or compared."""
    tables = ", ".join(["entries", *(model.__tablename__ for model in LEVELS)])
    session.execute(text(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE"))


def rebuild(session: Session, zone: tzinfo) -> dict[str, int]:
    """Recompute every entry's day (in `zone`) and every bucket from the replica."""
    _lock_rollups(session)
    redated = session.execute(
        text(
            "UPDATE entries SET day = (start_time AT TIME ZONE :zone)::date "
            "WHERE day <> (start_time AT TIME ZONE :zone)::date"
        ),
        {"zone": str(zone)},
    ).rowcount
    counts = {"entries_redated": redated}
    for model in LEVELS:
        columns, source = _recomputed(model)
        session.execute(delete(model))
        counts[model.__tablename__] = session.execute(
            text(f"INSERT INTO {model.__tablename__} ({columns}) {source}")
        ).rowcount
    return counts


def differences(session: Session) -> dict[str, int]:
    """Buckets that differ between the stored rollups and a recomputation (both directions)."""
    _lock_rollups(session)
    out = {}
    for model in LEVELS:
        columns, source = _recomputed(model)
        stored = f"SELECT {columns} FROM {model.__tablename__}"
        query = f"SELECT count(*) FROM (({stored} EXCEPT ALL {source}) UNION ALL ({source} EXCEPT ALL {stored})) d"
        out[model.__tablename__] = session.execute(text(query)).scalar_one()
    return out
