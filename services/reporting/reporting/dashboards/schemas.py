"""Wire shapes of the dashboards (reporting.md §4.1–4.3), fields in the order they are sent."""

from __future__ import annotations

from pydantic import BaseModel


class DateHoursRead(BaseModel):
    date: str
    hours: float


class ValueDashboardRead(BaseModel):
    total_hours: float
    entries_count: int
    active_days: int
    avg_session_length: float
    most_productive_day: str | None
    this_week_hours: float
    this_month_hours: float
    last_7_days: list[DateHoursRead]
    estimated_value_tracked: float | None
    estimated_value_currency: str


class DayHoursRead(BaseModel):
    """Keyed `day` here, `date` in the value dashboard (reporting.md §4.2)."""

    day: str
    hours: float


class WeekRead(BaseModel):
    total_hours: float
    by_day: list[DayHoursRead]


class WeekComparisonRead(BaseModel):
    current_week: WeekRead
    last_week: WeekRead
    change_percent: float | None


class ActiveTimerRead(BaseModel):
    id: int
    project_name: str | None
    task_name: str | None
    start_time: str
    duration_seconds: int


class TopProjectRead(BaseModel):
    name: str
    hours: float


class ProductivitySummaryRead(BaseModel):
    today_hours: float
    week_hours: float
    workday_today_hours: float
    workday_week_hours: float
    week_goal_hours: float
    week_goal_percent: int
    active_timer: ActiveTimerRead | None
    billable_percent_week: int
    top_project_week: TopProjectRead | None


class BreakdownDayRead(BaseModel):
    date: str
    hours: float
    billable_hours: float
    entry_count: int
    goal_hours: float


class StreakRead(BaseModel):
    current_streak: int
    longest_streak: int
    tracked_days_this_month: int
    total_days_this_month: int


class FocusRead(BaseModel):
    avg_session_length_minutes: float
    longest_session_hours: float
    entries_per_day: float
    most_productive_hour: int | None
    most_productive_day: str | None
    hour_distribution: list[float]


class ProjectTimeRead(BaseModel):
    project_id: int
    name: str
    hours: float
    billable_hours: float
    entry_count: int
    color: str


class HeatmapDayRead(BaseModel):
    date: str
    hours: float
    level: int


class ProductivityStatsRead(BaseModel):
    ok: bool
    period: int
    summary: ProductivitySummaryRead
    daily_breakdown: list[BreakdownDayRead]
    streak: StreakRead
    focus: FocusRead
    projects: list[ProjectTimeRead]
    heatmap: list[HeatmapDayRead]
    insights: list[str]
