"""Alembic environment of the inventory service."""

from __future__ import annotations

from inventory.models import metadata
from shared.alembic_env import run_migrations


def _settings_url() -> str:
    from inventory.settings import InventoryToolSettings
    from shared.config_errors import load_settings

    return load_settings(InventoryToolSettings).database


run_migrations(metadata, _settings_url)
