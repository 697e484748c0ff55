"""Dashboard JSON (reporting.md §4.1–4.3), always about the token user: under `/api/v1/reports`
with `read:reports`, and at the legacy session paths with any valid token (CONVENTIONS §13)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from reporting.dashboards import service
from reporting.dashboards.schemas import ProductivityStatsRead, ValueDashboardRead, WeekComparisonRead
from reporting.deps import SettingsDep
from reporting.readmodel.freshness import FreshDep
from reporting.routing import feature_router, legacy_router
from shared.db import SessionDep
from shared.identity import IdentityDep

router = feature_router("/api/v1/reports", tags=["dashboards"], scope="read:reports")
legacy = legacy_router("/api", tags=["dashboards"])
ROUTERS = (legacy, router)


@legacy.get("/stats/value-dashboard", response_model=ValueDashboardRead)
@router.get("/value-dashboard", response_model=ValueDashboardRead)
def get_value_dashboard(identity: IdentityDep, fresh: FreshDep, session: SessionDep, settings: SettingsDep) -> dict:
    """The token user's all-time totals, this week and month, the last 7 days and the
    estimated value of the tracked time."""
    return service.get_value_dashboard(session, identity.user_id, settings)


@legacy.get("/reports/week-comparison", response_model=WeekComparisonRead)
@router.get("/week-comparison", response_model=WeekComparisonRead)
def get_week_comparison(identity: IdentityDep, fresh: FreshDep, session: SessionDep, settings: SettingsDep) -> dict:
    """This week (Monday through now) against the same days of last week."""
    return service.get_week_comparison(session, identity.user_id, settings)


@legacy.get("/productivity/stats", response_model=ProductivityStatsRead)
@router.get("/productivity", response_model=ProductivityStatsRead)
def get_productivity_stats(
    identity: IdentityDep,
    fresh: FreshDep,
    session: SessionDep,
    settings: SettingsDep,
    period: Annotated[str | None, Query()] = None,
) -> dict:
    """Today, this week, streaks, focus, projects and a 12-week heatmap in the user's time
    zone; `period` (1–90 days, default 30) spans the focus and project sections."""
    return service.get_productivity_stats(session, identity.user_id, settings.zone, period=period)
