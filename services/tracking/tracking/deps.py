"""Request-scoped dependencies of the tracking service, defined once as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tracking.settings import TrackingSettings


async def get_settings(request: Request) -> TrackingSettings:
    return request.app.state.settings


SettingsDep = Annotated[TrackingSettings, Depends(get_settings)]
