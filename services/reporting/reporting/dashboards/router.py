"""Dashboard JSON (reporting.md §4.1–4.3), always about the token user. The legacy session
paths take any valid token (CONVENTIONS §13); the same handlers under `/api/v1/reports` need
`read:reports`."""

# No `from __future__ import annotations`: each router's handlers are built in `build_router`
# and FastAPI must read that router's identity dependency from their (evaluated) signatures.

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from reporting.dashboards import productivity, service
from reporting.readmodel.freshness import FreshDep
from reporting.routing import feature_router
from shared.db import SessionDep
from shared.identity import Identity, requires


def build_router(prefix: str, paths: tuple[str, str, str], scope: Any, *, suffix: str = "") -> APIRouter:
    """`paths`: value dashboard, week comparison, productivity; `scope`: a `requires(...)`."""
    Caller = Annotated[Identity, scope]
    router = feature_router(prefix, tags=["dashboards"], suffix=suffix)

    def value_dashboard(request: Request, identity: Caller, fresh: FreshDep, session: SessionDep) -> dict:
        """The token user's all-time totals, this week and month, the last 7 days and the
        estimated value of the tracked time."""
        return service.value_dashboard(session, identity.user_id, request.app.state.settings)

    def week_comparison(request: Request, identity: Caller, fresh: FreshDep, session: SessionDep) -> dict:
        """This week (Monday through now) against the same days of last week."""
        return service.week_comparison(session, identity.user_id, request.app.state.settings)

    def productivity_stats(
        request: Request,
        identity: Caller,
        fresh: FreshDep,
        session: SessionDep,
        period: Annotated[str | None, Query()] = None,
    ) -> dict:
        """Today, this week, streaks, focus, projects and a 12-week heatmap in the user's time
        zone; `period` (1–90 days, default 30) spans the focus and project sections."""
        return productivity.productivity(session, identity.user_id, request.app.state.settings.zone, period=period)

    value_path, week_path, productivity_path = paths
    router.add_api_route(value_path, value_dashboard, methods=["GET"])
    router.add_api_route(week_path, week_comparison, methods=["GET"])
    router.add_api_route(productivity_path, productivity_stats, methods=["GET"])
    return router


legacy_router = build_router(
    "/api", ("/stats/value-dashboard", "/reports/week-comparison", "/productivity/stats"), requires(), suffix="_legacy"
)
router = build_router(
    "/api/v1/reports", ("/value-dashboard", "/week-comparison", "/productivity"), requires("read:reports")
)

ROUTERS = (legacy_router, router)
