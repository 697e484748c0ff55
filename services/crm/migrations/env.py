"""Alembic environment of the CRM service."""

from __future__ import annotations

from crm.models import metadata
from shared.alembic_env import run_migrations


def _settings_url() -> str:
    from crm.settings import CrmToolSettings
    from shared.config_errors import load_settings

    return load_settings(CrmToolSettings).database


run_migrations(metadata, _settings_url)
