"""Wire shapes of the connector routes (the integrations service's contract with tracking)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from shared.inputs import Text

# Google event ids are at most 1024 characters.
MAX_EVENT_ID = 1024
MAX_EVENTS = 500

Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TaskName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Priority = Literal["low", "medium", "high", "urgent"]


class TaskUpsert(BaseModel):
    project_id: int
    external_ref: Ref
    name: TaskName
    description: Text = None
    priority: Priority
    update_existing: bool


class TaskUpsertResult(BaseModel):
    task_id: int
    created: bool
    updated: bool


class TaskComplete(BaseModel):
    external_ref: Ref


class TaskCompleteResult(BaseModel):
    task_id: int | None


class CalendarEvent(BaseModel):
    """One timed event; naive datetimes are UTC (platform callers)."""

    event_id: Annotated[str, StringConstraints(min_length=1, max_length=MAX_EVENT_ID)]
    summary: str | None = None
    start: datetime
    end: datetime


class EntriesImport(BaseModel):
    project_id: int
    events: list[CalendarEvent] = Field(max_length=MAX_EVENTS)


class EntriesImportResult(BaseModel):
    imported: int
    skipped: int
    entry_ids: list[int]


class ExportedEntry(BaseModel):
    id: int
    start_time: str
    end_time: str
    duration_seconds: int
    notes: str | None
    project_name: str | None
    task_name: str | None


class EntriesExport(BaseModel):
    entries: list[ExportedEntry]


class TodaySummary(BaseModel):
    date: str
    hours: float
    projects: int


class ResolvedProject(BaseModel):
    id: int
    name: str


class ProjectResolution(BaseModel):
    project: ResolvedProject | None
