"""`GET /api/projects/{project_id}/forecast` (reporting.md §4.4; legacy path, any token) and the
same forecast at `GET /api/v1/reports/projects/{project_id}/forecast` (scope `read:reports`).

The spec gives this endpoint its own failure bodies, `{"ok": false, "error": …}`, for a project
outside the caller's scope (403) and an unexpected failure (500): `errors.OwnBodyError`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from sqlalchemy.orm import Session

from reporting.forecast import service
from reporting.readmodel.freshness import FreshDep
from reporting.routing import feature_router
from shared.db import SessionDep
from shared.identity import Identity, requires

legacy_router = feature_router("/api/projects", tags=["dashboards"])
router = feature_router("/api/v1/reports/projects", tags=["reports"])
ROUTERS = (legacy_router, router)

AnyToken = Annotated[Identity, requires()]
ReportsScope = Annotated[Identity, requires("read:reports")]
AiFlag = Annotated[str | None, Query(description="`1`, `true`, `yes` or `on`: add the `ai` object")]
RefreshFlag = Annotated[str | None, Query(description="Accepted; no cache is kept, every answer is fresh")]


def _answer(request: Request, session: Session, identity: Identity, project_id: int, ai: str | None) -> dict:
    zone = request.app.state.settings.zone
    return service.get_project_forecast(session, identity, project_id=project_id, zone=zone, ai=ai)


@legacy_router.get("/{project_id:id}/forecast", response_model=None)
def legacy_project_forecast(
    request: Request,
    project_id: int,
    identity: AnyToken,
    fresh: FreshDep,
    session: SessionDep,
    ai: AiFlag = None,
    refresh: RefreshFlag = None,
) -> dict:
    """Budget, velocity, timeline, task and burn-rate forecast of a project in the caller's scope."""
    return _answer(request, session, identity, project_id, ai)


@router.get("/{project_id:id}/forecast", response_model=None)
def project_forecast(
    request: Request,
    project_id: int,
    identity: ReportsScope,
    fresh: FreshDep,
    session: SessionDep,
    ai: AiFlag = None,
    refresh: RefreshFlag = None,
) -> dict:
    """Budget, velocity, timeline, task and burn-rate forecast of a project in the caller's scope."""
    return _answer(request, session, identity, project_id, ai)
