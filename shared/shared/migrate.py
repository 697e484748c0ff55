"""`python -m shared.migrate services/<name>`: create the service's database if needed and
apply its Alembic migrations (used by the launcher, the container images and deploy jobs)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from shared.db import migrate
from shared.settings import PlatformSettings


def service_database_url(name: str) -> str:
    """TT_<NAME>_DATABASE_URL, else database `tt_<name>` on TT_DATABASE_URL's server."""
    explicit = os.environ.get(f"TT_{name.upper()}_DATABASE_URL")
    base = os.environ.get("TT_DATABASE_URL") or PlatformSettings.model_fields["database_url"].default
    return PlatformSettings.model_construct(service_name=name, database_url=base).service_database_url(explicit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("service_dir", type=Path, help="a service folder holding alembic.ini")
    service_dir = parser.parse_args().service_dir.resolve()
    migrate(service_dir, service_database_url(service_dir.name))
    print(f"{service_dir.name}: migrated")


if __name__ == "__main__":
    main()
