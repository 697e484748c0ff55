"""Importing time entries from CSV (tracking.md §4.6). Each row is created for the caller like
every entry (`entries.create_entry`, the API create's rules), in its own savepoint: a refused row
leaves nothing behind (no entry, no event) and the valid rows are imported."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from shared.errors import ApiError
from shared.identity import Identity
from tracking.access import can_access_project
from tracking.csv_import import parsing
from tracking.csv_import.parsing import CsvRow, RowError
from tracking.entries import service as entries
from tracking.settings import TrackingSettings

MAX_LISTED_ERRORS = 50
NO_ACCESS = "no access to project"
NOT_STORABLE = "A value in the row is out of range or cannot be stored"


def _create_from_row(session: Session, row: CsvRow, *, actor: Identity, settings: TrackingSettings) -> None:
    # The project and its access come before the row's other cells are read (§4.6).
    project = entries.existing_project(session, parsing.project_id_of(row))
    if not can_access_project(actor, project):
        raise RowError(NO_ACCESS)
    fields = parsing.entry_fields(row, settings.zone)
    new = entries.NewEntry(
        user_id=actor.user_id,
        start_time=fields.start,
        end_time=fields.end,
        project_id=project.id,
        task_id=fields.task_id,
        notes=fields.notes,
        tags=fields.tags,
        billable=row.billable,
    )
    entries.create_entry(session, new, via=entries.EntryPath.IMPORT, actor=actor, settings=settings)


def _import_row(session: Session, row: CsvRow, *, actor: Identity, settings: TrackingSettings) -> str | None:
    """None when the row became an entry, else the reason it did not."""
    try:
        with session.begin_nested():
            _create_from_row(session, row, actor=actor, settings=settings)
    except (RowError, ApiError) as exc:
        return str(exc)
    except DataError:
        return NOT_STORABLE
    return None


def import_csv(session: Session, text: str, *, actor: Identity, settings: TrackingSettings) -> dict[str, Any]:
    """Every row is tried; `errors` lists the first 50 failures, `failed` counts them all."""
    rows = parsing.read_csv(text)
    created = failed = 0
    errors: list[dict[str, Any]] = []
    for row in rows:
        error = _import_row(session, row, actor=actor, settings=settings)
        if error is None:
            created += 1
            continue
        failed += 1
        if len(errors) < MAX_LISTED_ERRORS:
            errors.append({"row": row.number, "error": error})
    return {"success": True, "created": created, "failed": failed, "errors": errors}
