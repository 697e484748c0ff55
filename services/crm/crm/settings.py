"""Configuration of the CRM service process (`TT_` environment variables)."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr

from shared.settings import PlatformSettings


class CrmSettings(PlatformSettings):
    service_name: str = "crm"
    # The service's own database; default `tt_crm` on TT_DATABASE_URL's server.
    crm_database_url: str | None = None
    # App time zone: "today" for quote numbers and quote expiry (CONVENTIONS §6.1).
    timezone: str = "Europe/Rome"
    # Quote numbering (crm.md §6.4).
    quote_number_pattern: str = "{PREFIX}-{YYYY}{MM}{DD}-{SEQ}"
    quote_prefix: str = "QUO"
    quote_start_number: int = Field(default=1, ge=1)

    @property
    def database(self) -> str:
        """URL of the CRM service's own database."""
        return self.service_database_url(self.crm_database_url)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class CrmToolSettings(CrmSettings):
    """Settings for Alembic: it never verifies gateway identities, so the secret is optional."""

    identity_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(48)))
