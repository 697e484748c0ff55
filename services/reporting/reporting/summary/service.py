"""The summary report (reporting.md §1) from the rollups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.conventions.display import UNKNOWN_PROJECT
from reporting.models import KnownProject
from reporting.readmodel.totals import range_totals
from reporting.settings import ReportingSettings
from shared.db import utcnow
from shared.entry_filters import visible_user
from shared.identity import Identity
from shared.query import filter_id, filter_instant
from shared.timefmt import iso_utc

DEFAULT_DAYS = 30


def get_summary_report(
    session: Session,
    identity: Identity,
    settings: ReportingSettings,
    *,
    start_date: str | None,
    end_date: str | None,
    project_id: str | None,
    user_id: str | None,
) -> dict[str, Any]:
    user = visible_user(identity, filter_id(user_id))
    zone = settings.zone
    end = filter_instant(end_date, zone, end_of_day=True) or utcnow()
    start = filter_instant(start_date, zone) or end - timedelta(days=DEFAULT_DAYS)
    totals = range_totals(session, start, end, zone, user_id=user, project_id=filter_id(project_id))
    projects = {pid: part for pid, part in totals.by_project.items() if pid}
    names = dict(session.execute(select(KnownProject.id, KnownProject.name).where(KnownProject.id.in_(projects))).all())
    by_project = [
        {
            "project_id": pid,
            "project_name": names.get(pid, UNKNOWN_PROJECT),
            "hours": part.hours,
            "entries": part.entries,
        }
        for pid, part in projects.items()
    ]
    by_project.sort(key=lambda row: (-row["hours"], row["project_id"]))
    overall = totals.overall
    return {
        "summary": {
            "start_date": iso_utc(start),
            "end_date": iso_utc(end),
            "total_hours": overall.hours,
            "billable_hours": overall.billable_hours,
            "total_entries": overall.entries,
            "by_project": by_project,
        }
    }
