"""Wire shapes of the timer (tracking.md §6) and its admin setting."""

from __future__ import annotations

from pydantic import BaseModel

from shared.inputs import IntValue, text

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


class TimerEntryRead(BaseModel):
    """The time entry object of tracking.md §1.3 (also the `timer`)."""

    id: int
    user_id: int
    project_id: int | None
    client_id: int | None
    task_id: int | None
    start_time: str
    end_time: str | None
    duration_seconds: int | None
    break_seconds: int
    paused_at: str | None
    duration_hours: float
    duration_formatted: str
    notes: str | None
    tags: str | None
    tag_list: list[str]
    source: str
    billable: bool
    paid: bool
    invoice_number: str | None
    is_active: bool
    created_at: str
    updated_at: str
    user: str | None
    project: str | None
    client: str | None
    task: str | None


class TimerStatus(BaseModel):
    active: bool
    timer: TimerEntryRead | None


class TimerStarted(BaseModel):
    message: str
    timer: TimerEntryRead


class TimerEntryEnvelope(BaseModel):
    message: str
    time_entry: TimerEntryRead


class TimerSettingsRead(BaseModel):
    single_active_timer: bool


class TimerSettingsEnvelope(BaseModel):
    settings: TimerSettingsRead


class TimerSettingsUpdated(TimerSettingsEnvelope):
    message: str
