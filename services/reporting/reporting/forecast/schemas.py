"""Wire shapes of the project forecast (reporting.md §4.4), fields in the order they are sent."""

from __future__ import annotations

from pydantic import BaseModel


class DailyHoursRead(BaseModel):
    date: str
    hours: float


class ForecastRead(BaseModel):
    has_data: bool
    total_logged_hours: float
    days_with_entries: int
    avg_hours_per_active_day: float
    first_entry_date: str | None
    last_entry_date: str | None
    elapsed_calendar_days: int
    avg_hours_per_calendar_day: float
    velocity_hours_per_day: float
    budget_hours: float
    budget_amount: float
    hourly_rate: float
    hours_remaining: float
    budget_used_percent: int
    budget_amount_used: float
    budget_amount_remaining: float
    at_risk: bool
    days_to_completion: int | None
    projected_completion_date: str | None
    project_deadline: str | None
    days_until_deadline: int | None
    deadline_risk: str
    total_tasks: int
    completed_tasks: int
    open_tasks: int
    overdue_tasks: int
    task_completion_percent: int
    recent_hours_7d: float
    prior_hours_7d: float
    burn_rate_trend: str
    daily_hours: list[DailyHoursRead]
    generated_at: str
    today: str


class AiNarrativeRead(BaseModel):
    ok: bool
    narrative: str | None
    risks: list[str]
    recommendations: list[str]
    error: str | None
    error_code: str | None


class ProjectForecastRead(BaseModel):
    """`ai` only when asked for: the route drops unset fields, so it is absent, not null."""

    ok: bool
    project_id: int
    ai_enabled: bool
    forecast: ForecastRead
    ai: AiNarrativeRead | None = None


class ForecastErrorRead(BaseModel):
    """The forecast's own failure body (403, 500), not the standard error JSON."""

    ok: bool
    error: str
