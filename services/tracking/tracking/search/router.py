"""`/internal/search/{projects,tasks,entries}`: the tracking domains of the global search, for
the reporting service. The caller signs a platform identity that also carries the searching
user; each domain returns at most `limit` (1–50) hits in the search result shape."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from shared.db import SessionDep
from shared.identity import Identity, internal
from tracking.routing import feature_router
from tracking.search import service

router = feature_router("/internal/search", tags=["internal"], include_in_schema=False)
Caller = Annotated[Identity, internal()]
Q = Annotated[str, Query()]
Limit = Annotated[int, Query()]


@router.get("/projects")
def search_projects(session: SessionDep, identity: Caller, q: Q = "", limit: Limit = 10) -> dict:
    """Active projects in the user's project scope whose name or description matches."""
    return service.search_projects(session, identity, query=q, limit=limit)


@router.get("/tasks")
def search_tasks(session: SessionDep, identity: Caller, q: Q = "", limit: Limit = 10) -> dict:
    """Tasks of active projects in scope (standard users and viewers: assigned or created)."""
    return service.search_tasks(session, identity, query=q, limit=limit)


@router.get("/entries")
def search_entries(session: SessionDep, identity: Caller, q: Q = "", limit: Limit = 10) -> dict:
    """Completed entries (non-admins: their own) whose notes or tags match, newest first."""
    return service.search_entries(session, identity, query=q, limit=limit)
