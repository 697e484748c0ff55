"""Configuration of the tracking service process (`TT_` environment variables)."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr

from shared.settings import PlatformSettings


class TrackingSettings(PlatformSettings):
    service_name: str = "tracking"
    # The service's own database; default `tt_tracking` on TT_DATABASE_URL's server.
    tracking_database_url: str | None = None
    # App time zone: naive datetimes, date-only filters and "today" (CONVENTIONS §6).
    timezone: str = "Europe/Rome"
    # Seeds the persisted single-active-timer setting on first start (tracking.md §6.2).
    single_active_timer: bool = True
    # Entry requirements (tracking.md §4.3 rule 7); the auth service publishes the same values.
    time_entry_require_task: bool = False
    time_entry_require_description: bool = False
    time_entry_description_min_length: int = 20
    # Idempotency-Key: how long a stored response replays, and how long a duplicate waits.
    idempotency_ttl_seconds: int = 86400
    idempotency_wait_seconds: float = 10.0

    @property
    def database(self) -> str:
        """URL of the tracking service's own database."""
        return self.service_database_url(self.tracking_database_url)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class TrackingToolSettings(TrackingSettings):
    """Settings for Alembic: it never verifies gateway identities, so the secret is optional."""

    identity_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(48)))
