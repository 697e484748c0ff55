"""Request-scoped dependencies of the auth service, defined once as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from auth.settings import AuthSettings
from auth.version.releases import ReleaseChecker


async def get_settings(request: Request) -> AuthSettings:
    return request.app.state.settings


async def get_release_checker(request: Request) -> ReleaseChecker:
    return request.app.state.releases


SettingsDep = Annotated[AuthSettings, Depends(get_settings)]
ReleasesDep = Annotated[ReleaseChecker, Depends(get_release_checker)]
