"""Wire shapes of the timer (tracking.md §6) and its admin setting."""

from __future__ import annotations

from pydantic import BaseModel

from shared.inputs import IntValue, text
from tracking.schemas import EntryRead

Notes = text(5000)


class TimerStart(BaseModel):
    """Ids may arrive as strings; `""` means none. A missing `project_id` is refused by the
    service, so its message is the spec's "project_id is required"."""

    project_id: IntValue = None
    task_id: IntValue = None
    notes: Notes = None


class TimerSettingsUpdate(BaseModel):
    """PUT and PATCH: a missing or null key leaves the setting unchanged."""

    single_active_timer: bool | None = None


class TimerStatus(BaseModel):
    active: bool
    timer: EntryRead | None


class TimerStarted(BaseModel):
    message: str
    timer: EntryRead


class TimerEntryEnvelope(BaseModel):
    message: str
    time_entry: EntryRead


class TimerSettingsRead(BaseModel):
    single_active_timer: bool


class TimerSettingsEnvelope(BaseModel):
    settings: TimerSettingsRead


class TimerSettingsUpdated(TimerSettingsEnvelope):
    message: str
