"""The summary object of reporting.md §1 from the range's totals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reporting.conventions.display import UNKNOWN_PROJECT
from reporting.readmodel.totals import Totals
from shared.timefmt import iso_utc


def serialize_summary(start: datetime, end: datetime, totals: Totals, names: dict[int, str]) -> dict[str, Any]:
    """`by_project`: the project-based entries only (a client-only entry counts in the totals),
    most hours first, then by project id."""
    by_project = [
        {
            "project_id": pid,
            "project_name": names.get(pid, UNKNOWN_PROJECT),
            "hours": part.hours,
            "entries": part.entries,
        }
        for pid, part in totals.by_project.items()
        if pid
    ]
    by_project.sort(key=lambda row: (-row["hours"], row["project_id"]))
    overall = totals.overall
    return {
        "start_date": iso_utc(start),
        "end_date": iso_utc(end),
        "total_hours": overall.hours,
        "billable_hours": overall.billable_hours,
        "total_entries": overall.entries,
        "by_project": by_project,
    }
