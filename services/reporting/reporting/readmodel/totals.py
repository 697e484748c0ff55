"""Sums of completed entries whose `start_time` lies in an arbitrary instant range, per
project, from the rollups: whole months from the month buckets, the remaining whole days from
the day buckets (one user's, or everyone's per project), and the partial days at either end from
the entries themselves. The cost depends on the range's shape, not on how many entries it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import Select, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from reporting.conventions.calendar import day_of, day_start, month_of, next_month
from reporting.models import DayTotal, Entry, MonthTotal, ProjectDayTotal, ProjectMonthTotal
from reporting.readmodel.rollups import MEASURES

_ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(slots=True)
class Measures:
    seconds: int = 0
    billable_seconds: int = 0
    entries: int = 0
    centihours: int = 0
    billable_centihours: int = 0

    def add(self, other: Measures) -> None:
        for name in MEASURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def hours(self) -> float:
        """Σ of per-entry rounded hours (reporting.md §1)."""
        return round(self.centihours / 100, 2)

    @property
    def billable_hours(self) -> float:
        return round(self.billable_centihours / 100, 2)


@dataclass(slots=True)
class Totals:
    by_project: dict[int, Measures] = field(default_factory=dict)  # 0 = entries without a project

    @property
    def overall(self) -> Measures:
        total = Measures()
        for part in self.by_project.values():
            total.add(part)
        return total


@dataclass(frozen=True, slots=True)
class RangePlan:
    """How [start, end] splits: entry ranges (partial days), day ranges and month ranges."""

    entry_ranges: tuple[tuple[datetime, datetime], ...]
    day_ranges: tuple[tuple[date, date], ...]
    month_ranges: tuple[tuple[date, date], ...]


def plan(start: datetime, end: datetime, zone: tzinfo) -> RangePlan:
    """Both ends inclusive. Whole days are those whose every instant is in the range."""
    if start > end:
        return RangePlan((), (), ())
    first_day = day_of(start, zone)
    if day_start(first_day, zone) < start:
        first_day += timedelta(days=1)
    last_day = day_of(end, zone)
    if day_start(last_day + timedelta(days=1), zone) - _ONE_MICROSECOND > end:
        last_day -= timedelta(days=1)
    if first_day > last_day:
        return RangePlan(((start, end),), (), ())
    entries = []
    if start < day_start(first_day, zone):
        entries.append((start, day_start(first_day, zone) - _ONE_MICROSECOND))
    after = day_start(last_day + timedelta(days=1), zone)
    if after <= end:
        entries.append((after, end))
    first_month = month_of(first_day) if first_day.day == 1 else next_month(month_of(first_day))
    after_last_month = month_of(last_day + timedelta(days=1))  # first month not wholly inside
    if first_month >= after_last_month:
        return RangePlan(tuple(entries), ((first_day, last_day),), ())
    days = []
    if first_day < first_month:
        days.append((first_day, first_month - timedelta(days=1)))
    if after_last_month <= last_day:
        days.append((after_last_month, last_day))
    last_month = month_of(after_last_month - timedelta(days=1))
    return RangePlan(tuple(entries), tuple(days), ((first_month, last_month),))


def _sums(model) -> list:
    return [func.sum(getattr(model, name)) for name in MEASURES]


def _entry_sums(low: datetime, high: datetime, user_id: int | None, project_id: int | None) -> Select:
    """Per-project sums of the completed entries starting in [low, high] (a partial day)."""
    # A literal (not a bound parameter) so the select list and GROUP BY are the same expression.
    project = func.coalesce(Entry.project_id, literal_column("0"))
    stmt = select(
        project,
        func.sum(Entry.duration_seconds),
        func.coalesce(func.sum(Entry.duration_seconds).filter(Entry.billable), 0),
        func.count(),
        func.sum(Entry.centihours),
        func.coalesce(func.sum(Entry.centihours).filter(Entry.billable), 0),
    ).where(
        ~Entry.deleted,
        Entry.end_time.is_not(None),
        Entry.duration_seconds.is_not(None),
        Entry.start_time.between(low, high),
    )
    if user_id is not None:
        stmt = stmt.where(Entry.user_id == user_id)
    if project_id is not None:
        stmt = stmt.where(Entry.project_id == project_id)
    return stmt.group_by(project)


def _bucket_sums(model, column, low: date, high: date, user_id: int | None, project_id: int | None) -> Select:
    """Per-project sums of a rollup level's buckets whose `column` (day or month) is in [low, high]."""
    stmt = select(model.project_id, *_sums(model)).where(column.between(low, high))
    if user_id is not None:
        stmt = stmt.where(model.user_id == user_id)
    if project_id is not None:
        stmt = stmt.where(model.project_id == project_id)
    return stmt.group_by(model.project_id)


def range_totals(
    session: Session,
    start: datetime,
    end: datetime,
    zone: tzinfo,
    *,
    user_id: int | None = None,
    project_id: int | None = None,
) -> Totals:
    """Per-project sums over completed entries starting in [start, end]; `user_id` / `project_id`
    None = every user / project."""
    shape = plan(start, end, zone)
    parts = [_entry_sums(low, high, user_id, project_id) for low, high in shape.entry_ranges]
    # One user's buckets, or everyone's summed per project (a few rows a day, not one per user).
    day, month = (DayTotal, MonthTotal) if user_id is not None else (ProjectDayTotal, ProjectMonthTotal)
    for model, column, ranges in ((day, day.day, shape.day_ranges), (month, month.month, shape.month_ranges)):
        parts += [_bucket_sums(model, column, low, high, user_id, project_id) for low, high in ranges]
    totals = Totals()
    if not parts:
        return totals
    for row in session.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
        measures = Measures(*(int(value or 0) for value in row[1:]))
        totals.by_project.setdefault(row[0], Measures()).add(measures)
    return totals
