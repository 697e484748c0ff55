"""Importing time entries from CSV (tracking.md §4.6). Each row goes through the API create's
rules (`create_entry`) for the caller, in its own savepoint: a refused row leaves nothing behind
(no entry, no event) and the valid rows are imported."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from shared.errors import ApiError
from shared.identity import Identity
from tracking.access import can_access_project
from tracking.csv_import import parsing
from tracking.csv_import.parsing import CsvRow, RowError
from tracking.entries import repository
from tracking.entries.creation import create_entry
from tracking.errors import InvalidProjectError
from tracking.settings import TrackingSettings

MAX_LISTED_ERRORS = 50
NO_ACCESS = "no access to project"
NOT_STORABLE = "A value in the row is out of range or cannot be stored"


def _create_from_row(session: Session, row: CsvRow, *, actor: Identity, settings: TrackingSettings) -> None:
    project_id = parsing.project_id_of(row)
    project = repository.get_project(session, project_id)
    if project is None:
        raise InvalidProjectError()
    if not can_access_project(actor, project):
        raise RowError(NO_ACCESS)
    fields = parsing.entry_fields(row, settings.zone)
    # Admins import history as it was: no requirement or overlap checks (§4.6).
    strict = not actor.is_admin
    create_entry(
        session,
        settings=settings,
        actor=actor,
        owner_id=actor.user_id,
        project_id=project.id,
        client_id=None,
        task_id=fields.task_id,
        start=fields.start,
        end=fields.end,
        notes=fields.notes,
        tags=fields.tags,
        billable=row.billable,
        paid=False,
        source="manual",
        check_overlap=strict,
        check_requirements=strict,
    )


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
