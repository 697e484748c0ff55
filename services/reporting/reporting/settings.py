"""Configuration of the reporting service process (`TT_` environment variables)."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr

from shared.settings import PlatformSettings


class ReportingSettings(PlatformSettings):
    service_name: str = "reporting"
    # The service's own database; default `tt_reporting` on TT_DATABASE_URL's server.
    reporting_database_url: str | None = None
    # App time zone: day buckets, date-only filters, "today" (CONVENTIONS §6). Day buckets are
    # computed when an event is applied: after changing it, run `python -m reporting.cli rebuild`.
    timezone: str = "Europe/Rome"
    # System currency of the value dashboard (reporting.md §4.1).
    currency: str = "EUR"
    # Each search domain's budget: a slower domain is reported in `errors` with `partial: true`.
    search_timeout_seconds: float = Field(default=2.0, gt=0)
    # Read-your-writes (reporting.md preamble): before answering, wait until every event tracking
    # committed before the request has been applied here, at most this long.
    read_your_writes: bool = True
    freshness_timeout_seconds: float = Field(default=2.0, ge=0)
    # Rows per chunk of a streamed export: memory stays bounded by this, not by the export's size.
    export_chunk_rows: int = Field(default=2000, ge=1)

    @property
    def database(self) -> str:
        """URL of the reporting service's own database."""
        return self.service_database_url(self.reporting_database_url)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ReportingToolSettings(ReportingSettings):
    """Settings for Alembic and the CLI: neither verifies gateway identities."""

    identity_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(48)))
