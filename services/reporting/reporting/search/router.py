"""`GET /api/v1/search` and its legacy path `GET /api/search` (reporting.md §2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from reporting.legacy import deprecated_route
from reporting.routing import feature_router
from reporting.search import service
from shared.identity import Identity, requires

SUCCESSOR = "/api/v1/search"

router = feature_router("/api/v1", tags=["search"])
# CONVENTIONS §13: any valid token, no scope.
legacy_router = feature_router("/api", tags=["search"], route_class=deprecated_route(SUCCESSOR))
ROUTERS = (router, legacy_router)

Text = Annotated[str | None, Query()]


@router.get("/search")
async def search(
    request: Request,
    identity: Annotated[Identity, requires("read:projects")],
    q: Text = None,
    limit: Text = None,
    types: Text = None,
) -> dict:
    """Projects, tasks, clients and time entries matching `q` (at least 2 characters), at most
    `limit` (1–50, default 10) per domain; `types` narrows the domains. A domain that fails is
    reported in `errors` with `partial: true`."""
    state = request.app.state
    return await service.search(state.upstream, identity, state.settings, q=q, limit=limit, types=types)


@legacy_router.get("/search")
async def search_legacy(
    request: Request,
    identity: Annotated[Identity, requires()],
    q: Text = None,
    limit: Text = None,
    types: Text = None,
) -> dict:
    """Deprecated alias of `/api/v1/search`: a query shorter than 2 characters finds nothing
    instead of answering 400."""
    state = request.app.state
    return await service.search(state.upstream, identity, state.settings, q=q, limit=limit, types=types, legacy=True)
