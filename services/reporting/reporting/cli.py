"""`python -m reporting.cli <command>`: operator commands on the reporting database (settings
from `TT_` variables). Each prints one JSON object; `verify` exits 1 when something differs.

- `rebuild`: recompute every entry's day (app time zone) and every rollup bucket from the
  entry replica, in one transaction (consumers wait meanwhile). Run after changing TT_TIMEZONE.
- `verify`: compare the rollups with a recomputation from the replica.
- `verify --from-stream`: replay the whole event stream into a scratch schema and compare every
  read model with the live one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from reporting.readmodel import rollups
from reporting.readmodel.replay import replay_and_compare
from reporting.settings import ReportingToolSettings
from shared.config_errors import load_settings
from shared.db import create_db_engine, new_sessionmaker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reporting.cli", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("rebuild", help="recompute the rollups from the entry replica")
    verify = commands.add_parser("verify", help="compare the rollups with a recomputation")
    verify.add_argument(
        "--from-stream", action="store_true", help="replay the event stream and compare all read models"
    )
    args = parser.parse_args(argv)

    settings = load_settings(ReportingToolSettings)
    engine = create_db_engine(settings.database, pool_size=2)
    try:
        if args.command == "verify" and args.from_stream:
            result = asyncio.run(replay_and_compare(engine, settings))
        else:
            with new_sessionmaker(engine).begin() as session:
                if args.command == "rebuild":
                    result = {"rebuilt": rollups.rebuild(session, settings.zone)}
                else:
                    result = {"differences": rollups.differences(session)}
    finally:
        engine.dispose()
    print(json.dumps(result))
    return 1 if any(result.get("differences", {}).values()) else 0


if __name__ == "__main__":
    sys.exit(main())
