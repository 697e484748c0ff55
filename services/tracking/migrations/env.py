"""Alembic environment of the tracking service."""

from __future__ import annotations

from shared.alembic_env import run_migrations
from tracking.models import metadata


def _settings_url() -> str:
    from shared.config_errors import load_settings
    from tracking.settings import TrackingToolSettings

    return load_settings(TrackingToolSettings).database


run_migrations(metadata, _settings_url)
