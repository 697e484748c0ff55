"""`GET /api/v1/ai/suggest` (reporting.md §4.5, scope `read:time_entries`) and its legacy path
`GET /api/ai/suggest` (any valid token, announcing the successor), one use case."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from reporting.deps import SettingsDep
from reporting.readmodel.freshness import FreshDep
from reporting.routing import feature_router, legacy_router
from reporting.suggestions import service
from reporting.suggestions.schemas import SuggestionList
from shared.db import SessionDep
from shared.identity import IdentityDep

router = feature_router("/api/v1/ai", tags=["suggestions"], scope="read:time_entries")
legacy = legacy_router("/api/ai", tags=["suggestions"], successor="/api/v1/ai/suggest")
ROUTERS = (legacy, router)

QueryText = Annotated[str | None, Query(description="Keep suggestions whose project name or notes contain this")]
RichFlag = Annotated[str | None, Query(description="Ask the LLM helper too; ignored, none is configured")]


@legacy.get("/suggest", response_model=SuggestionList)
@router.get("/suggest", response_model=SuggestionList)
def list_time_entry_suggestions(
    identity: IdentityDep,
    fresh: FreshDep,
    session: SessionDep,
    settings: SettingsDep,
    q: QueryText = None,
    rich: RichFlag = None,
) -> dict:
    """Up to 5 time-entry suggestions for the token user from their recent work, open tasks and
    deadlines."""
    return service.suggest_time_entries(session, identity, zone=settings.zone, q=q)
