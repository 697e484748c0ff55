"""The exports (reporting.md §3 and the time-entry export, our addition).

- Payroll: weeks summed from the day rollups. An entry counts on its start date in the app time
  zone and a date range is a range of those days, so no entry is read.
- Time entries: every entry `GET /api/v1/time-entries` would list for the same filters
  (tracking.md §4.1), unpaginated, streamed. Entries come from the replica in keyset chunks of
  `export_chunk_rows`, so memory is bounded by the chunk size whatever the export's size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo

from sqlalchemy.orm import Session

from reporting.exports import payroll, repository
from reporting.exports.filters import ExportFilters
from reporting.exports.payroll import PayrollExport
from reporting.exports.time_entries import EntryExport, csv_header, csv_lines, entry_object, export_format, jsonl_lines
from shared.db import utcnow
from shared.identity import Identity
from shared.query import filter_id, is_true


def export_payroll(
    session: Session,
    identity: Identity,
    *,
    start_date: str | None,
    end_date: str | None,
    user_id: str | None,
    approved_only: str | None,
    closed_only: str | None,
) -> PayrollExport:
    first, last = payroll.required_range(start_date, end_date)
    # Non-admins always get their own rows; naming someone else is not an error here (§3).
    user = filter_id(user_id) if identity.is_admin else identity.user_id
    rows: list[list] = []
    # Timesheet periods are not implemented: no week is approved or closed (§3).
    if first <= last and not is_true(approved_only) and not is_true(closed_only):
        weeks = repository.week_totals(session, first, last, user)
        rows = payroll.week_rows(weeks, repository.usernames(session, {week.user_id for week in weeks}))
    return payroll.payroll_csv(first, last, rows)


def start_time_entries_export(
    session: Session,
    identity: Identity,
    query: dict[str, str | None],
    *,
    format_name: str | None,
    zone: tzinfo,
    chunk_rows: int,
) -> EntryExport:
    """Reads the first chunk, so that a refused filter or a failing database is an error
    response rather than a truncated file."""
    fmt = export_format(format_name)
    filters = ExportFilters.from_query(identity, zone, query)
    first = repository.entry_chunk(session, filters, None, chunk_rows)
    return EntryExport(fmt, filters, chunk_rows, first, utcnow())


def stream_time_entries(session: Session, export: EntryExport) -> Iterator[bytes]:
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
