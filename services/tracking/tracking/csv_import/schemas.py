"""Wire shapes of `POST /api/v1/time-entries/import-csv` (tracking.md §4.6)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class RowFailure(BaseModel):
    row: int
    error: str


class CsvImportResult(BaseModel):
    success: bool
    created: int
    failed: int
    errors: list[RowFailure]


_CSV_TEXT = {"type": "string", "description": "CSV text; the first row is the header"}

# The body is read by `inputs.read_csv_text`, not by FastAPI: document its three forms here.
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"csv": _CSV_TEXT, "data": _CSV_TEXT},
                }
            },
            "text/csv": {"schema": _CSV_TEXT},
        },
    }
}
