"""`python -m shared.migrate services/<name>`: create the service's database if needed and
apply its Alembic migrations (used by the launcher, the container images and deploy jobs).

Every replica of a release may run this at once (a Kubernetes init container per pod), and
Alembic takes no lock of its own: a PostgreSQL advisory lock, per service and held on the
server's `postgres` database (the service's own may not exist yet), lets one run at a time; the
others then find the schema at head and do nothing."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared.db import migrate
from shared.settings import PlatformSettings


def service_database_url(name: str) -> str:
    """TT_<NAME>_DATABASE_URL, else database `tt_<name>` on TT_DATABASE_URL's server."""
    explicit = os.environ.get(f"TT_{name.upper()}_DATABASE_URL")
    base = os.environ.get("TT_DATABASE_URL") or PlatformSettings.model_fields["database_url"].default
    return PlatformSettings.model_construct(service_name=name, database_url=base).service_database_url(explicit)


@contextlib.contextmanager
def migration_lock(url: str, name: str) -> Iterator[None]:
    """Hold the server-wide advisory lock of service `name` (released with the connection)."""
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(hashtext(:key))"), {"key": f"tt-migrate:{name}"})
            yield
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("service_dir", type=Path, help="a service folder holding alembic.ini")
    service_dir = parser.parse_args().service_dir.resolve()
    url = service_database_url(service_dir.name)
    with migration_lock(url, service_dir.name):
        migrate(service_dir, url)
    print(f"{service_dir.name}: migrated")


if __name__ == "__main__":
    main()
