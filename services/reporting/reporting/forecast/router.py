"""`GET /api/projects/{project_id}/forecast` (reporting.md §4.4; legacy path, any token) and the
same forecast at `GET /api/v1/reports/projects/{project_id}/forecast` (scope `read:reports`).

The spec gives this endpoint its own failure bodies, `{"ok": false, "error": …}`, for the
scope denial (403) and for an unexpected failure (500), instead of the standard error JSON."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from reporting.forecast import service
from reporting.readmodel.freshness import FreshDep, Freshness
from reporting.routing import feature_router
from shared.db import SessionDep
from shared.identity import Identity, requires

log = logging.getLogger(__name__)

legacy_router = feature_router("/api/projects", tags=["dashboards"])
router = feature_router("/api/v1/reports/projects", tags=["reports"])
ROUTERS = (legacy_router, router)

AnyToken = Annotated[Identity, requires()]
ReportsScope = Annotated[Identity, requires("read:reports")]
AiFlag = Annotated[str | None, Query(description="`1`, `true`, `yes` or `on`: add the `ai` object")]
RefreshFlag = Annotated[str | None, Query(description="Accepted; no cache is kept, every answer is fresh")]


def _answer(
    request: Request, session: Session, identity: Identity, fresh: Freshness, project_id: int, ai: str | None
) -> dict | JSONResponse:
    zone = request.app.state.settings.zone
    try:
        return service.project_forecast(session, identity, project_id=project_id, zone=zone, ai=ai)
    except service.ProjectAccessDenied:
        return JSONResponse({"ok": False, "error": "Access denied"}, status_code=403, headers=fresh.headers)
    except Exception:  # noqa: BLE001 - the spec's own 500 body, not the standard error JSON
        log.exception("forecast of project %s failed", project_id)
        session.rollback()
        return JSONResponse(
            {"ok": False, "error": "The forecast could not be computed"}, status_code=500, headers=fresh.headers
        )


@legacy_router.get("/{project_id:id}/forecast", response_model=None)
def legacy_project_forecast(
    request: Request,
    project_id: int,
    identity: AnyToken,
    fresh: FreshDep,
    session: SessionDep,
    ai: AiFlag = None,
    refresh: RefreshFlag = None,
) -> dict | JSONResponse:
    """Budget, velocity, timeline, task and burn-rate forecast of a project in the caller's scope."""
    return _answer(request, session, identity, fresh, project_id, ai)


@router.get("/{project_id:id}/forecast", response_model=None)
def project_forecast(
    request: Request,
    project_id: int,
    identity: ReportsScope,
    fresh: FreshDep,
    session: SessionDep,
    ai: AiFlag = None,
    refresh: RefreshFlag = None,
) -> dict | JSONResponse:
    """Budget, velocity, timeline, task and burn-rate forecast of a project in the caller's scope."""
    return _answer(request, session, identity, fresh, project_id, ai)
