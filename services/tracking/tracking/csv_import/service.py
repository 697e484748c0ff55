"""Importing time entries from CSV (tracking.md §4.6). Each row is judged for the caller like
every entry (the entries feature's checks on the import path), in row order, with each row's
own error; valid rows are imported and refused ones leave nothing behind (no entry, no event).

Set-based: the rows' projects and tasks are read in one query each, and the entries feature
checks and inserts the chunk as a batch (`entries.create_entries`: one lock, one read of the
owner's entries, one insert, one outbox statement). A value the database still refuses at that
insert (rare: the parser checks what it can) sends the chunk down the row-by-row path, each row
in its own savepoint, so even then only that row fails."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from shared.errors import ApiError
from shared.identity import Identity
from tracking.access import can_access_project
from tracking.csv_import import parsing
from tracking.csv_import.parsing import CsvRow, RowError
from tracking.entries import service as entries
from tracking.models import Project, Task
from tracking.settings import TrackingSettings

MAX_LISTED_ERRORS = 50
NO_ACCESS = "no access to project"
NOT_STORABLE = "A value in the row is out of range or cannot be stored"


def _new_entry(session: Session, row: CsvRow, *, actor: Identity, settings: TrackingSettings) -> entries.NewEntry:
    # The project and its access come before the row's other cells are read (§4.6).
    project = entries.existing_project(session, parsing.project_id_of(row))
    if not can_access_project(actor, project):
        raise RowError(NO_ACCESS)
    fields = parsing.entry_fields(row, settings.zone)
    return entries.NewEntry(
        user_id=actor.user_id,
        start_time=fields.start,
        end_time=fields.end,
        project_id=project.id,
        task_id=fields.task_id,
        notes=fields.notes,
        tags=fields.tags,
        billable=row.billable,
    )


def _preload(session: Session, rows: list[CsvRow]) -> list[Project | Task]:
    """The rows' projects and tasks into the session, one query each: the checks' lookups of
    them then cost no query. The caller keeps the returned rows referenced while it imports
    (the session's identity map holds its objects weakly)."""
    project_ids, task_ids = set(), set()
    for row in rows:
        for column, wanted in (("project_id", project_ids), ("task_id", task_ids)):
            try:
                value = parsing.row_id_of(row, column)
            except RowError:
                continue
            if value is not None:
                wanted.add(value)
    loaded: list[Project | Task] = []
    if project_ids:
        loaded += session.scalars(select(Project).where(Project.id.in_(project_ids))).all()
    if task_ids:
        loaded += session.scalars(select(Task).where(Task.id.in_(task_ids))).all()
    return loaded


def _judged_rows(
    session: Session, rows: list[CsvRow], *, actor: Identity, settings: TrackingSettings
) -> dict[int, str | None]:
    """Row number → None (imported) or its error, the whole chunk at once."""
    outcome: dict[int, str | None] = {}
    candidates: list[tuple[CsvRow, entries.NewEntry]] = []
    for row in rows:
        try:
            candidates.append((row, _new_entry(session, row, actor=actor, settings=settings)))
        except (RowError, ApiError) as exc:
            outcome[row.number] = str(exc)
    news = [new for _, new in candidates]
    with session.begin_nested():
        results = entries.create_entries(session, news, via=entries.EntryPath.IMPORT, actor=actor, settings=settings)
    for (row, _), error in zip(candidates, results, strict=True):
        outcome[row.number] = None if error is None else str(error)
    return outcome


def _import_row(session: Session, row: CsvRow, *, actor: Identity, settings: TrackingSettings) -> str | None:
    """The row-by-row path: None when the row became an entry, else the reason it did not."""
    try:
        with session.begin_nested():
            new = _new_entry(session, row, actor=actor, settings=settings)
            entries.create_entry(session, new, via=entries.EntryPath.IMPORT, actor=actor, settings=settings)
    except (RowError, ApiError) as exc:
        return str(exc)
    except DataError:
        return NOT_STORABLE
    return None


def import_csv(session: Session, text: str, *, actor: Identity, settings: TrackingSettings) -> dict[str, Any]:
    """Every row is tried; `errors` lists the first 50 failures, `failed` counts them all."""
    rows = parsing.read_csv(text)
    loaded = _preload(session, rows)  # noqa: F841 - held for the identity map
    try:
        outcome = _judged_rows(session, rows, actor=actor, settings=settings)
    except DataError:
        outcome = {row.number: _import_row(session, row, actor=actor, settings=settings) for row in rows}
    created = failed = 0
    errors: list[dict[str, Any]] = []
    for row in rows:
        error = outcome[row.number]
        if error is None:
            created += 1
            continue
        failed += 1
        if len(errors) < MAX_LISTED_ERRORS:
            errors.append({"row": row.number, "error": error})
    return {"success": True, "created": created, "failed": failed, "errors": errors}
