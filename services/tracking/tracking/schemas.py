"""Response shapes every tracking feature shares: a bare message, and the time entry object
(tracking.md §1.3) that entries and the timer answer."""

from __future__ import annotations

from pydantic import BaseModel


class MessageResponse(BaseModel):
    message: str


class EntryRead(BaseModel):
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
