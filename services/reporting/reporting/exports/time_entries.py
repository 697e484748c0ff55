"""The time-entry export's formats: each entry's API object as the last event carried it
(`Entry.doc`) with the display names refreshed from the replicas, encoded as CSV or JSON Lines.
No I/O (the use case: `exports.service`)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from reporting.conventions.display import hours
from reporting.exports.filters import ExportFilters
from reporting.exports.repository import Names
from shared.errors import ValidationError

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
    filters: ExportFilters
    chunk_rows: int
    first_chunk: list[Row]
    started_at: datetime

    @property
    def filename(self) -> str:
        return f"time_entries_{self.started_at.strftime('%Y%m%d_%H%M%S')}.{self.format.name}"
