"""Alembic environment of the demo service."""

from __future__ import annotations

from demo_service import metadata

from shared.alembic_env import run_migrations


def _no_default_url() -> str:
    raise SystemExit("the demo service is migrated by its tests, with an explicit URL")


run_migrations(metadata, _no_default_url)
