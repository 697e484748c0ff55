"""`GET /api/v1/reports/summary` (reporting.md §1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from reporting.readmodel.freshness import FreshDep
from reporting.routing import feature_router
from reporting.summary import service
from shared.db import SessionDep
from shared.identity import Identity, requires

router = feature_router("/api/v1/reports", tags=["reports"])


@router.get("/summary")
def summary(
    request: Request,
    identity: Annotated[Identity, requires("read:reports")],
    fresh: FreshDep,
    session: SessionDep,
    start_date: Annotated[str | None, Query()] = None,
    end_date: Annotated[str | None, Query()] = None,
    project_id: Annotated[str | None, Query()] = None,
    user_id: Annotated[str | None, Query()] = None,
) -> dict:
    """Hours of completed entries starting in the range, in total and by project."""
    return service.summary(
        session,
        identity,
        request.app.state.settings,
        start_date=start_date,
        end_date=end_date,
        project_id=project_id,
        user_id=user_id,
    )
