"""`/internal/search/clients`: the client domain of the global search, for the reporting
service. The caller signs a platform identity that also carries the searching user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from crm.routing import feature_router
from crm.search import service
from shared.db import SessionDep
from shared.identity import Identity, internal

router = feature_router("/internal/search", tags=["internal"], include_in_schema=False)


@router.get("/clients")
def search_clients(
    session: SessionDep,
    identity: Annotated[Identity, internal()],
    q: Annotated[str, Query()] = "",
    limit: Annotated[int, Query()] = 10,
) -> dict:
    """At most `limit` (1–50) hits ordered by name, in the search result shape."""
    return service.search_clients(session, identity, query=q, limit=limit)
