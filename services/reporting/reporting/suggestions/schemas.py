"""Wire shapes of the time-entry suggestions (reporting.md §4.5)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class SuggestionRead(BaseModel):
    project_id: int
    project_name: str | None
    task_id: int | None
    task_name: str | None
    notes: str
    tags: str
    billable: bool
    confidence: Literal["high", "medium", "low"]
    source: Literal["deterministic", "ai"]


class SuggestionList(BaseModel):
    ok: bool
    suggestions: list[SuggestionRead]
