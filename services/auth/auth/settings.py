"""Configuration of the auth service process (`TT_` environment variables)."""

from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from shared.settings import PlatformSettings


class AuthSettings(PlatformSettings):
    service_name: str = "auth"
    # The service's own database; default `tt_auth` on TT_DATABASE_URL's server.
    auth_database_url: str | None = None

    # Bootstrap admin (created at start-up and by `tt-admin bootstrap` when both are set).
    admin_username: str | None = None
    admin_password: SecretStr | None = None

    # Lifetime of login-issued tokens; 0 (or empty) = never expires (CONVENTIONS §10.4).
    api_token_default_expiry_days: int = 90

    timezone: str = "Europe/Rome"
    # System defaults for the user's display preferences (auth.md §1.2).
    date_format: str | None = None
    time_format: str | None = None

    # Admin-disabled module ids, comma separated (CONVENTIONS §9).
    disabled_modules: Annotated[tuple[str, ...], NoDecode] = ()

    # Time-entry requirements published by /users/me (tracking enforces them).
    time_entry_require_task: bool = False
    time_entry_require_description: bool = False
    time_entry_description_min_length: int = 20

    # Version check against GitHub releases (auth.md §6).
    version_check_github_api_url: str = "https://api.github.com"
    version_check_github_repo: str = "DRYTRIX/TimeTracker"
    github_releases_token: SecretStr | None = None
    version_check_http_timeout: float = 10.0
    version_check_github_cache_ttl: int = 43200
    version_check_github_stale_ttl: int = 604800
    enable_pre_release_notifications: bool = False

    @field_validator("api_token_default_expiry_days", mode="before")
    @classmethod
    def _empty_means_never(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return 0
        return value

    @field_validator("disabled_modules", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("admin_username", "date_format", "time_format", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @property
    def database(self) -> str:
        """URL of the auth service's own database."""
        return self.service_database_url(self.auth_database_url)

    @property
    def login_token_expiry_days(self) -> int | None:
        days = self.api_token_default_expiry_days
        return days if days > 0 else None


class AuthToolSettings(AuthSettings):
    """Settings for the operator CLI and Alembic: they never sign or verify gateway identities,
    so the identity secret is optional there (a throwaway value when unset)."""

    identity_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(48)))
