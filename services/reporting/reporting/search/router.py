"""`GET /api/v1/search` (reporting.md §2, scope `read:projects`) and its legacy path
`GET /api/search` (any valid token, announcing the successor), whose short query finds nothing
instead of answering 400."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from reporting.deps import SettingsDep, UpstreamDep
from reporting.routing import feature_router, legacy_router
from reporting.search import service
from reporting.search.schemas import SearchResultList
from reporting.search.service import RawSearch
from shared.identity import IdentityDep

router = feature_router("/api/v1", tags=["search"], scope="read:projects")
legacy = legacy_router("/api", tags=["search"], successor="/api/v1/search")
ROUTERS = (router, legacy)

SearchQuery = Annotated[RawSearch, Depends()]


@router.get("/search", response_model=SearchResultList)
async def get_search_results(
    identity: IdentityDep, upstream: UpstreamDep, settings: SettingsDep, query: SearchQuery
) -> dict:
    """Projects, tasks, clients and time entries matching `q` (at least 2 characters), at most
    `limit` (1–50, default 10) per domain; `types` narrows the domains. A domain that fails is
    reported in `errors` with `partial: true`."""
    return await service.search_domains(upstream, identity, settings, query)


@legacy.get("/search", response_model=SearchResultList)
async def get_lenient_search_results(
    identity: IdentityDep, upstream: UpstreamDep, settings: SettingsDep, query: SearchQuery
) -> dict:
    """Deprecated alias of `/api/v1/search`: a query shorter than 2 characters finds nothing
    instead of answering 400."""
    return await service.search_domains(upstream, identity, settings, query, legacy=True)
