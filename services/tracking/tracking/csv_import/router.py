"""`POST /api/v1/time-entries/import-csv`: time entries from a CSV file (tracking.md §4.6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.db import SessionDep
from shared.identity import Identity, requires
from tracking.csv_import import service
from tracking.csv_import.inputs import read_csv_text
from tracking.csv_import.schemas import IMPORT_BODY, CsvImportResult
from tracking.deps import SettingsDep
from tracking.routing import feature_router

router = feature_router("/api/v1/time-entries", tags=["time entries"])
WriteScope = Annotated[Identity, requires("write:time_entries")]
# Declared after the scope in the endpoint, so a token without it gets 403 before its body is read.
CsvText = Annotated[str, Depends(read_csv_text)]


@router.post("/import-csv", response_model=CsvImportResult, openapi_extra=IMPORT_BODY)
def import_time_entries_csv(identity: WriteScope, text: CsvText, session: SessionDep, settings: SettingsDep) -> dict:
    """Create the caller's completed entries from CSV rows (header: project_id, start_time,
    end_time; optional task_id, notes, tags, billable). Send a multipart `file`, JSON
    `{"csv": …}` / `{"data": …}`, or the text itself (`text/csv`). Rows that fail are listed
    (the first 50) and the others imported."""
    return service.import_csv(session, text, actor=identity, settings=settings)
