"""The time-entry export: every entry `GET /api/v1/time-entries` would list for the same
filters (tracking.md §4.1), unpaginated, streamed as CSV or JSON Lines.

Entries come from the replica in keyset chunks of `export_chunk_rows`, so memory is bounded by
the chunk size whatever the export's size. Each entry is its API object as the last event
carried it (`Entry.doc`), with the display names refreshed from the replicas."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from reporting.conventions.display import hours
from reporting.exports import repository
from reporting.exports.repository import Names
from shared.db import utcnow
from shared.entry_filters import EntryFilters, RawEntryFilters, entry_filters
from shared.errors import ValidationError
from shared.identity import Identity

CSV_COLUMNS = (
    "id",
    "user_id",
    "user",
    "project_id",
    "project",
    "task_id",
    "task",
    "client_id",
    "client",
    "start_time",
    "end_time",
    "duration_seconds",
    "duration_hours",
    "break_seconds",
    "billable",
    "paid",
    "notes",
    "tags",
    "source",
)


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    media_type: str


FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8"),
    "jsonl": ExportFormat("jsonl", "application/x-ndjson"),
}


def export_format(raw: str | None) -> ExportFormat:
    """`csv` (default) or `jsonl`, any case; anything else is `400 validation_error`."""
    name = (raw or "").strip().lower() or "csv"
    if name not in FORMATS:
        raise ValidationError({"format": ["Must be one of: csv, jsonl"]}, "format must be csv or jsonl")
    return FORMATS[name]


def hms(seconds: int) -> str:
    """`HH:MM:SS`, hours at least two digits (tracking.md §1.3)."""
    whole, rest = divmod(max(0, seconds), 3600)
    return f"{whole:02d}:{rest // 60:02d}:{rest % 60:02d}"


def live_seconds(start: datetime, break_seconds: int, paused_at: datetime | None, now: datetime) -> int:
    """A running timer's worked seconds: `(paused_at or now) − start − break`, floored at 0."""
    return max(0, math.floor(((paused_at or now) - start).total_seconds()) - break_seconds)


def _named(names: dict[int, str], row_id: int | None, carried: str | None) -> str | None:
    if row_id is None:
        return None
    return names.get(row_id, carried)


def entry_object(row: Row, names: Names, now: datetime) -> dict[str, Any]:
    """The entry's API object: the event's, names refreshed where a replica knows them."""
    data = dict(row.doc)
    task_id = None if row.task_id in names.gone_tasks else row.task_id
    data["task_id"] = task_id
    data["user"] = names.users.get(row.user_id, data.get("user"))
    data["project"] = _named(names.projects, row.project_id, data.get("project"))
    data["task"] = _named(names.tasks, task_id, data.get("task"))
    data["client"] = _named(names.clients, row.client_id, data.get("client"))
    data.setdefault("duration_hours", hours(data.get("duration_seconds") or 0))
    data.setdefault("paid", False)
    if row.end_time is None:  # a running timer's display duration is live, as the list shows it
        data["duration_formatted"] = hms(live_seconds(row.start_time, row.break_seconds, row.paused_at, now))
    return data


def _cell(value: Any) -> Any:
    """CSV cells as the API object's values: null → empty, booleans as JSON spells them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_header() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(CSV_COLUMNS)
    return out.getvalue().encode()


def csv_lines(objects: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([_cell(obj.get(column)) for column in CSV_COLUMNS] for obj in objects)
    return out.getvalue().encode()


def jsonl_lines(objects: Sequence[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects).encode()


@dataclass(frozen=True, slots=True)
class EntryExport:
    """A started export: the first chunk is read by the handler, before the response starts,
    so a failing database is an error response rather than a truncated file."""

    format: ExportFormat
    filters: EntryFilters
    chunk_rows: int
    first_chunk: list[Row]
    started_at: datetime

    @property
    def filename(self) -> str:
        return f"time_entries_{self.started_at.strftime('%Y%m%d_%H%M%S')}.{self.format.name}"


def start_export(
    session: Session,
    identity: Identity,
    raw: RawEntryFilters,
    *,
    format_name: str | None,
    zone: tzinfo,
    chunk_rows: int,
) -> EntryExport:
    fmt = export_format(format_name)
    filters = entry_filters(identity, raw, zone)
    first = repository.entry_chunk(session, filters, None, chunk_rows)
    return EntryExport(fmt, filters, chunk_rows, first, utcnow())


def stream(session: Session, export: EntryExport) -> Iterator[bytes]:
    """The export's bytes, one chunk of entries at a time; `session` reads every chunk after
    the first, and must stay open until the body has been sent."""
    encode = csv_lines if export.format.name == "csv" else jsonl_lines
    if export.format.name == "csv":
        yield csv_header()
    chunk = export.first_chunk
    while chunk:
        names = repository.names_for(session, chunk)
        yield encode([entry_object(row, names, export.started_at) for row in chunk])
        if len(chunk) < export.chunk_rows:
            return
        last = chunk[-1]
        chunk = repository.entry_chunk(session, export.filters, (last.start_time, last.id), export.chunk_rows)
