"""Request-scoped dependencies of the inventory service, defined once as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from inventory.settings import InventorySettings
from shared.identity import Identity, requires

MODULE = "inventory"


async def get_settings(request: Request) -> InventorySettings:
    return request.app.state.settings


SettingsDep = Annotated[InventorySettings, Depends(get_settings)]

# inventory.md §0: the `projects` scopes are a backward-compatible alias of the inventory ones,
# and the module switch guards every endpoint (checked after the scope).
ReadScope = Annotated[Identity, requires("read:inventory", "read:projects", module=MODULE)]
WriteScope = Annotated[Identity, requires("write:inventory", "write:projects", module=MODULE)]
