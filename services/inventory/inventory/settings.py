"""Configuration of the inventory service process (`TT_` environment variables)."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr

from shared.settings import PlatformSettings


class InventorySettings(PlatformSettings):
    service_name: str = "inventory"
    # The service's own database; default `tt_inventory` on TT_DATABASE_URL's server.
    inventory_database_url: str | None = None
    # App time zone: wall-clock and date-only filters (CONVENTIONS §6.1).
    timezone: str = "Europe/Rome"

    @property
    def database(self) -> str:
        """URL of the inventory service's own database."""
        return self.service_database_url(self.inventory_database_url)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class InventoryToolSettings(InventorySettings):
    """Settings for Alembic: it never verifies gateway identities, so the secret is optional."""

    identity_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(48)))
