"""Alembic environment of the reporting service."""

from __future__ import annotations

from reporting.models import metadata
from shared.alembic_env import run_migrations


def _settings_url() -> str:
    from reporting.settings import ReportingToolSettings
    from shared.config_errors import load_settings

    return load_settings(ReportingToolSettings).database


run_migrations(metadata, _settings_url)
