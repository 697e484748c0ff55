"""Request-scoped dependencies of the reporting service, defined once as `Annotated` aliases
(fresh reads: `readmodel.freshness.FreshDep`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from reporting.settings import ReportingSettings
from shared.upstream import Upstream


async def get_settings(request: Request) -> ReportingSettings:
    return request.app.state.settings


async def get_upstream(request: Request) -> Upstream:
    """The signed client of other services' `/internal` routes (search)."""
    return request.app.state.upstream


SettingsDep = Annotated[ReportingSettings, Depends(get_settings)]
UpstreamDep = Annotated[Upstream, Depends(get_upstream)]
