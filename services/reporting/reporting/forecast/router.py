"""`GET /api/v1/reports/projects/{project_id}/forecast` (reporting.md §4.4, scope `read:reports`)
and its legacy path `GET /api/projects/{project_id}/forecast` (any valid token).

The spec gives this endpoint its own failure bodies, `{"ok": false, "error": …}`, for a project
outside the caller's scope (403) and an unexpected failure (500): `errors.OwnBodyError`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from reporting.deps import SettingsDep
from reporting.forecast import service
from reporting.forecast.schemas import ForecastErrorRead, ProjectForecastRead
from reporting.readmodel.freshness import FreshDep
from reporting.routing import feature_router, legacy_router
from shared.db import SessionDep
from shared.identity import IdentityDep

router = feature_router("/api/v1/reports/projects", tags=["reports"], scope="read:reports")
legacy = legacy_router("/api/projects", tags=["dashboards"])
ROUTERS = (legacy, router)

AiFlag = Annotated[str | None, Query(description="`1`, `true`, `yes` or `on`: add the `ai` object")]
RefreshFlag = Annotated[str | None, Query(description="Accepted; no cache is kept, every answer is fresh")]

PATH = "/{project_id:id}/forecast"
FORECAST_ROUTE = {
    "response_model": ProjectForecastRead,
    "response_model_exclude_unset": True,  # `ai` only when asked for
    "responses": {
        403: {"model": ForecastErrorRead, "description": "The project is outside the caller's project scope"},
        500: {"model": ForecastErrorRead, "description": "The forecast could not be computed"},
    },
}


@legacy.get(PATH, **FORECAST_ROUTE)
@router.get(PATH, **FORECAST_ROUTE)
def get_project_forecast(
    project_id: int,
    identity: IdentityDep,
    fresh: FreshDep,
    session: SessionDep,
    settings: SettingsDep,
    ai: AiFlag = None,
    refresh: RefreshFlag = None,
) -> dict:
    """Budget, velocity, timeline, task and burn-rate forecast of a project in the caller's scope."""
    return service.get_project_forecast(session, identity, project_id=project_id, zone=settings.zone, ai=ai)
