"""Configuration of the integrations service process (`TT_` environment variables, plus the two
`SETTINGS_ENCRYPTION_KEY*` names integrations.md §2.3 gives)."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator

from shared.settings import PlatformSettings


class IntegrationsSettings(PlatformSettings):
    service_name: str = "integrations"
    # The service's own database; default `tt_integrations` on TT_DATABASE_URL's server.
    integrations_database_url: str | None = None

    # Keys of the secrets at rest (integrations.md §2.3): Fernet keys (URL-safe base64 of 32
    # bytes), comma-separated; the first encrypts, every one decrypts (rotation). The spec's
    # SETTINGS_ENCRYPTION_KEY and the first line of SETTINGS_ENCRYPTION_KEY_FILE are accepted too,
    # after them. None configured: the service refuses to store a secret (503).
    encryption_keys: SecretStr = SecretStr("")
    settings_encryption_key: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("SETTINGS_ENCRYPTION_KEY", "settings_encryption_key"),
    )
    settings_encryption_key_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("SETTINGS_ENCRYPTION_KEY_FILE", "settings_encryption_key_file"),
    )

    # Outbound webhooks (integrations.md §1).
    # Off: no request reaches a private, loopback, link-local, multicast, reserved or unspecified
    # address, checked after DNS resolution and on every redirect hop.
    webhook_allow_private_targets: bool = False
    # Run the delivery worker in this process (a replica may serve the API only).
    webhook_worker_enabled: bool = True
    # Attempts in flight at once per process; a slow receiver holds one slot, never the others.
    webhook_max_concurrent_deliveries: int = Field(default=20, ge=1)
    # The worker sleeps until the earliest due attempt, at most this long (it is also woken when
    # the consumer commits new deliveries in this process).
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    # A claimed attempt's lease lasts the subscription's timeout plus this margin; a replica
    # killed mid-attempt leaves a lease that expires, and anyone retries the attempt.
    webhook_lease_margin_seconds: float = Field(default=30.0, ge=0)
    # Redirects followed per attempt (each hop checked like the first).
    webhook_max_redirects: int = Field(default=5, ge=0)
    # On shutdown, attempts in flight get this long to finish before they are abandoned (their
    # leases then expire and the attempts are retried).
    webhook_shutdown_grace_seconds: float = Field(default=5.0, ge=0)

    # Connectors (integrations.md §2–§5). Provider base URLs default to the real providers; tests
    # point them at local fakes speaking the same wire format.
    github_api_url: str = "https://api.github.com"
    slack_api_url: str = "https://slack.com/api"
    google_auth_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    google_revoke_url: str = "https://oauth2.googleapis.com/revoke"
    google_userinfo_url: str = "https://openidconnect.googleapis.com/v1/userinfo"
    google_calendar_url: str = "https://www.googleapis.com/calendar/v3"
    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    # Where clients reach the platform (the gateway): the base of the webhook/events URLs shown in
    # the status answers and of the OAuth redirect_uri.
    public_url: str = "http://127.0.0.1:8000"
    # The UI page the OAuth callback ends on (`?google=connected|error`); default: the platform's
    # integrations page under public_url.
    integrations_ui_url: str | None = None
    # Every provider call: this timeout per attempt (§2.2), retried on 429/5xx and connection
    # failures with backoff (Retry-After honoured) at most this many attempts and this long in all.
    provider_timeout_seconds: float = Field(default=10.0, gt=0)
    provider_max_attempts: int = Field(default=3, ge=1)
    provider_max_total_seconds: float = Field(default=30.0, gt=0)
    provider_backoff_seconds: float = Field(default=0.5, ge=0)
    # Calls to the platform's own services (tracking, auth) made for a connector.
    platform_timeout_seconds: float = Field(default=5.0, gt=0)
    # The scheduled jobs (Google sync, Slack daily summary) run in this process; every replica
    # may run them, a row lock keeps each integration's job to one replica at a time. Each tick
    # every job does what is due: a Google sync once its last one is `connector_job_interval_seconds`
    # old (§5.5: 30 minutes), a daily summary once its local time has come (§4.5).
    connector_jobs_enabled: bool = True
    connector_job_tick_seconds: float = Field(default=60.0, gt=0)
    connector_job_interval_seconds: float = Field(default=1800.0, gt=0)
    oauth_state_ttl_seconds: int = Field(default=600, ge=1)
    # Slack `/tt` (§4.4) must answer within Slack's 3 s: the platform calls one command makes
    # (owner lookup, project resolution, timer) share this budget; past it the reply says to try
    # again instead of Slack showing a timeout.
    slack_command_deadline_seconds: float = Field(default=2.0, gt=0)
    # The zone of an owner whose time zone auth does not know (tracking's app zone, its default).
    timezone: str = "Europe/Rome"

    @field_validator("github_api_url", "slack_api_url", "google_calendar_url", "public_url", "integrations_ui_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return None if value is None else value.strip().rstrip("/") or None

    @property
    def ui_integrations_url(self) -> str:
        return self.integrations_ui_url or f"{self.public_url}/integrations"

    @field_validator("settings_encryption_key_file", mode="before")
    @classmethod
    def _empty_path_is_none(cls, value):
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    @property
    def database(self) -> str:
        """URL of the integrations service's own database."""
        return self.service_database_url(self.integrations_database_url)

    def encryption_key_list(self) -> list[str]:
        """Every configured key, the encrypting one first. A key file that cannot be read fails
        start-up: a missing key would silently refuse every secret."""
        keys = [k.strip() for k in self.encryption_keys.get_secret_value().split(",") if k.strip()]
        if self.settings_encryption_key.get_secret_value().strip():
            keys.append(self.settings_encryption_key.get_secret_value().strip())
        if self.settings_encryption_key_file is not None:
            lines = self.settings_encryption_key_file.read_text().splitlines()
            if lines and lines[0].strip():
                keys.append(lines[0].strip())
        return list(dict.fromkeys(keys))


class IntegrationsToolSettings(IntegrationsSettings):
    """Settings for Alembic: it never verifies gateway identities, so the secret is optional."""

    identity_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(48)))
