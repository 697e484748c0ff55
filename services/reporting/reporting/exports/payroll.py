"""The payroll export's rules (reporting.md §3): its required date range, one CSV row per user and
ISO week, the file. No I/O (the use case: `exports.service.export_payroll`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Row

from reporting.conventions.display import hours
from shared.errors import ValidationError

COLUMNS = (
    "user_id",
    "username",
    "week_year",
    "week_number",
    "period_start",
    "period_end",
    "hours",
    "billable_hours",
    "non_billable_hours",
)
DATE_FORMAT = "%Y-%m-%d"
DATES_REQUIRED = "start_date and end_date are required (YYYY-MM-DD)"


@dataclass(frozen=True, slots=True)
class PayrollExport:
    filename: str
    csv: str


def parse_day(raw: str | None) -> date | None:
    """A required `YYYY-MM-DD` parameter; None when missing or not such a date."""
    if raw is None:
        return None
    try:
        return datetime.strptime(raw.strip(), DATE_FORMAT).date()
    except ValueError:
        return None


def required_range(start_date: str | None, end_date: str | None) -> tuple[date, date]:
    """Both dates, or `400 validation_error` naming both parameters."""
    start, end = parse_day(start_date), parse_day(end_date)
    errors = {
        name: [f"{name} is required (YYYY-MM-DD)" if raw is None else f"{name} must be a date (YYYY-MM-DD)"]
        for name, raw, day in (("start_date", start_date, start), ("end_date", end_date, end))
        if day is None
    }
    if start is None or end is None:
        raise ValidationError(errors, DATES_REQUIRED)
    return start, end


def week_row(user_id: int, username: str, monday: date, seconds: int, billable_seconds: int) -> list:
    """One CSV row; `monday` starts the ISO week."""
    iso = monday.isocalendar()
    return [
        user_id,
        username,
        iso.year,
        iso.week,
        monday.isoformat(),
        (monday + timedelta(days=6)).isoformat(),
        hours(seconds),
        hours(billable_seconds),
        hours(seconds - billable_seconds),
    ]


def fallback_username(user_id: int) -> str:
    """For a user the replica does not know (yet): the auth service's default username form."""
    return f"user{user_id}"


def week_rows(weeks: Iterable[Row], names: dict[int, str]) -> list[list]:
    """The CSV rows of `(user_id, monday, seconds, billable_seconds)` weeks, sorted by week
    then username."""
    rows = [
        week_row(uid, names.get(uid) or fallback_username(uid), monday, int(seconds), int(billable_seconds))
        for uid, monday, seconds, billable_seconds in weeks
    ]
    return sorted(rows, key=lambda row: (row[2], row[3], row[1], row[0]))


def payroll_csv(first: date, last: date, rows: list[list]) -> PayrollExport:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return PayrollExport(f"payroll_export_{first.isoformat()}_{last.isoformat()}.csv", out.getvalue())
