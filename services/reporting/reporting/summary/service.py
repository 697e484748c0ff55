"""The summary report (reporting.md §1) from the rollups: the caller's own entries unless
admin, over `[start, end]` (date-only bounds in the app time zone; the last 30 days by default)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from reporting.readmodel.names import project_names
from reporting.readmodel.totals import range_totals
from reporting.settings import ReportingSettings
from reporting.summary.serializers import serialize_summary
from shared.db import utcnow
from shared.identity import Identity
from shared.query import filter_id, filter_instant
from shared.visibility import own_data_user

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
    user = own_data_user(identity, filter_id(user_id))
    zone = settings.zone
    end = filter_instant(end_date, zone, end_of_day=True) or utcnow()
    start = filter_instant(start_date, zone) or end - timedelta(days=DEFAULT_DAYS)
    totals = range_totals(session, start, end, zone, user_id=user, project_id=filter_id(project_id))
    names = project_names(session, (pid for pid in totals.by_project if pid))
    return {"summary": serialize_summary(start, end, totals, names)}
