"""Request-scoped dependencies of the CRM service, defined once as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from crm.settings import CrmSettings


async def get_settings(request: Request) -> CrmSettings:
    return request.app.state.settings


SettingsDep = Annotated[CrmSettings, Depends(get_settings)]
