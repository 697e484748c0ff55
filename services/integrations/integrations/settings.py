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
