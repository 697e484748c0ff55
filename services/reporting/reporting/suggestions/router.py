"""`GET /api/ai/suggest` (reporting.md §4.5; legacy path, any token, deprecation headers) and its
announced successor `GET /api/v1/ai/suggest` (scope `read:time_entries`), one use case."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from reporting.legacy import deprecated_route
from reporting.readmodel.freshness import FreshDep
from reporting.routing import feature_router
from reporting.suggestions import service
from shared.db import SessionDep
from shared.identity import Identity, requires

legacy_router = feature_router("/api/ai", tags=["suggestions"], route_class=deprecated_route("/api/v1/ai/suggest"))
router = feature_router("/api/v1/ai", tags=["suggestions"])
ROUTERS = (legacy_router, router)

AnyToken = Annotated[Identity, requires()]
EntriesScope = Annotated[Identity, requires("read:time_entries")]
QueryText = Annotated[str | None, Query(description="Keep suggestions whose project name or notes contain this")]
RichFlag = Annotated[str | None, Query(description="Ask the LLM helper too; ignored, none is configured")]


@legacy_router.get("/suggest")
def legacy_suggest_time_entries(
    request: Request,
    identity: AnyToken,
    fresh: FreshDep,
    session: SessionDep,
    q: QueryText = None,
    rich: RichFlag = None,
) -> dict:
    """Up to 5 time-entry suggestions for the token user (deprecated path; see the successor)."""
    return service.suggest_time_entries(session, identity, zone=request.app.state.settings.zone, q=q)


@router.get("/suggest")
def suggest_time_entries(
    request: Request,
    identity: EntriesScope,
    fresh: FreshDep,
    session: SessionDep,
    q: QueryText = None,
    rich: RichFlag = None,
) -> dict:
    """Up to 5 time-entry suggestions for the token user from their recent work, open tasks and
    deadlines."""
    return service.suggest_time_entries(session, identity, zone=request.app.state.settings.zone, q=q)
