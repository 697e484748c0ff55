"""The body of every service's Alembic `env.py`: online migrations only, one database per
service. The URL comes from `shared.db.migrate` (config) or, run by hand, from settings."""

from __future__ import annotations

from collections.abc import Callable

from alembic import context
from sqlalchemy import MetaData, create_engine, pool


def run_migrations(metadata: MetaData, default_url: Callable[[], str]) -> None:
    if context.is_offline_mode():
        raise SystemExit("offline migrations are not supported; run against a database")
    url = context.config.get_main_option("sqlalchemy.url") or default_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=metadata, compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
