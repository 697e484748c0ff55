"""Alembic environment of the integrations service."""

from __future__ import annotations

from integrations.models import metadata
from shared.alembic_env import run_migrations


def _settings_url() -> str:
    from integrations.settings import IntegrationsToolSettings
    from shared.config_errors import load_settings

    return load_settings(IntegrationsToolSettings).database


run_migrations(metadata, _settings_url)
