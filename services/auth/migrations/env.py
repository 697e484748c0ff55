"""Alembic environment of the auth service."""

from __future__ import annotations

from auth.models import metadata
from shared.alembic_env import run_migrations


def _settings_url() -> str:
    from auth.settings import AuthToolSettings
    from shared.config_errors import load_settings

    return load_settings(AuthToolSettings).database


run_migrations(metadata, _settings_url)
