"""`GET /api/v1/reports/summary` (reporting.md §1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from reporting.deps import SettingsDep
from reporting.readmodel.freshness import FreshDep
from reporting.routing import feature_router
from reporting.summary import service
from reporting.summary.schemas import SummaryReportRead
from shared.db import SessionDep
from shared.identity import IdentityDep

router = feature_router("/api/v1/reports", tags=["reports"], scope="read:reports")
ROUTERS = (router,)

Filter = Annotated[str | None, Query()]


@router.get("/summary", response_model=SummaryReportRead)
def get_summary_report(
    identity: IdentityDep,
    fresh: FreshDep,
    session: SessionDep,
    settings: SettingsDep,
    start_date: Filter = None,
    end_date: Filter = None,
    project_id: Filter = None,
    user_id: Filter = None,
) -> dict:
    """Hours of completed entries starting in the range, in total and by project."""
    return service.get_summary_report(
        session, identity, settings, start_date=start_date, end_date=end_date, project_id=project_id, user_id=user_id
    )
