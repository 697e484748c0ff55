"""Wire shapes of the summary report (reporting.md §1)."""

from __future__ import annotations

from pydantic import BaseModel


class ProjectHoursRead(BaseModel):
    project_id: int
    project_name: str
    hours: float
    entries: int


class SummaryRead(BaseModel):
    start_date: str
    end_date: str
    total_hours: float
    billable_hours: float
    total_entries: int
    by_project: list[ProjectHoursRead]


class SummaryReportRead(BaseModel):
    summary: SummaryRead
