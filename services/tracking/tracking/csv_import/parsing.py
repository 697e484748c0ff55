"""Reading a time-entry import CSV (tracking.md §4.6): header columns and their aliases, row
numbers, the `billable` cell rule and each row's values. Pure: no database, no HTTP.

Rows are numbered as a spreadsheet shows them: the header is row 1, and blank rows keep their
number (they are skipped, not reported). A quoted cell spanning lines is one row."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from shared.errors import ValidationError
from shared.inputs import row_id, to_int
from shared.timefmt import parse_instant

EMPTY_CSV = "Empty CSV"
NO_HEADER = "CSV must include a header row"
INVALID_CSV = "Invalid CSV"
PROJECT_REQUIRED = "project_id is required"
TIMES_REQUIRED = "start_time and end_time required (ISO 8601)"
NOT_STORABLE = "contains a NUL character, which cannot be stored"

# Normalised header name → column; the column's own name wins over an alias when both are present.
ALIASES = {
    "project_id": "project_id",
    "start_time": "start_time",
    "start": "start_time",
    "end_time": "end_time",
    "end": "end_time",
    "task_id": "task_id",
    "notes": "notes",
    "description": "notes",
    "tags": "tags",
    "billable": "billable",
}
TRUE_CELLS = frozenset({"1", "true", "yes", "y"})
# The same limits as the API create (§4.3 rule 1).
MAX_LENGTHS = {"notes": 5000, "tags": 500}


class RowError(ValueError):
    """Why one row was not imported; its text is the row's `error`."""


@dataclass(frozen=True)
class CsvRow:
    """One data row: its number and each known column's cell, trimmed (`""` when blank or absent)."""

    number: int
    cells: Mapping[str, str]
    billable: bool

    def cell(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class EntryFields:
    """A row's values besides the project, ready for `create_entry`."""

    task_id: int | None
    start: datetime
    end: datetime
    notes: str | None
    tags: str | None


def normalise(name: str) -> str:
    """Header matching: case-insensitive, spaces (any run of whitespace) as underscores."""
    return re.sub(r"\s+", "_", name.replace("\ufeff", "").strip().lower())


def header_columns(header: list[str]) -> dict[str, list[int]]:
    """Column → indexes of the header cells naming it, its own name before its aliases."""
    found: dict[str, list[tuple[bool, int]]] = {}
    for index, name in enumerate(header):
        key = normalise(name)
        column = ALIASES.get(key)
        if column is not None:
            found.setdefault(column, []).append((key != column, index))
    return {column: [index for _, index in sorted(places)] for column, places in found.items()}


def billable_cell(value: str | None, *, column_present: bool) -> bool:
    """No column: billable. A column: only 1/true/yes/y (any case) are; an empty cell is not."""
    if not column_present:
        return True
    return (value or "").strip().lower() in TRUE_CELLS


def _invalid(message: str, *, error: str) -> ValidationError:
    return ValidationError({"csv": [message]}, message, error=error)


def _records(text: str) -> list[list[str]]:
    """Every record, read before anything is imported (a broken file imports nothing)."""
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _invalid(f"{INVALID_CSV}: {exc}", error=INVALID_CSV) from None


def _row(number: int, record: list[str], columns: dict[str, list[int]]) -> CsvRow:
    cells = {}
    for column, indexes in columns.items():
        values = (record[i].strip() for i in indexes if i < len(record))
        cells[column] = next((v for v in values if v), "")
    return CsvRow(number, cells, billable_cell(cells.get("billable"), column_present="billable" in columns))


def read_csv(text: str) -> list[CsvRow]:
    """The data rows of `text`, blank ones left out; 400 for empty input or a missing header."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _invalid(EMPTY_CSV, error=EMPTY_CSV)
    records = _records(text)
    header = records[0] if records else []
    if not any(cell.strip() for cell in header):
        raise _invalid(NO_HEADER, error=NO_HEADER)
    columns = header_columns(header)
    return [
        _row(number, record, columns)
        for number, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)
    ]


def _row_id(value: str, column: str) -> int | None:
    try:
        return row_id(to_int(value))
    except ValueError:
        raise RowError(f"{column} must be an integer") from None


def row_id_of(row: CsvRow, column: str) -> int | None:
    """The row's id in `column` (None when blank); RowError when it is not an integer."""
    return _row_id(row.cell(column), column)


def project_id_of(row: CsvRow) -> int:
    project_id = _row_id(row.cell("project_id"), "project_id")
    if project_id is None:
        raise RowError(PROJECT_REQUIRED)
    return project_id


def _instant(value: str, zone: tzinfo) -> datetime:
    if not value:
        raise RowError(TIMES_REQUIRED)
    try:
        return parse_instant(value, zone)
    except (ValueError, OverflowError):
        raise RowError(TIMES_REQUIRED) from None


def _text(row: CsvRow, column: str) -> str | None:
    value = row.cell(column)
    if len(value) > MAX_LENGTHS[column]:
        raise RowError(f"{column} must be at most {MAX_LENGTHS[column]} characters")
    if "\x00" in value:
        raise RowError(f"{column} {NOT_STORABLE}")
    return value or None


def entry_fields(row: CsvRow, zone: tzinfo) -> EntryFields:
    """Times (CONVENTIONS §6.2, naive = `zone`), the optional task and texts; RowError otherwise."""
    start = _instant(row.cell("start_time"), zone)
    end = _instant(row.cell("end_time"), zone)
    return EntryFields(
        task_id=_row_id(row.cell("task_id"), "task_id"),
        start=start,
        end=end,
        notes=_text(row, "notes"),
        tags=_text(row, "tags"),
    )
