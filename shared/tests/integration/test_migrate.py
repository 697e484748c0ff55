"""`python -m shared.migrate`: every replica of a release may run it at once (one Kubernetes
init container per pod); each one ends with the schema at head, none fails."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared.db import drop_database

REPO = Path(__file__).resolve().parents[3]


def test_concurrent_runs_on_a_new_database_all_succeed(infra_urls):
    url = make_url(infra_urls["database"]).set(database=f"tt_migrate_test_{uuid.uuid4().hex[:8]}")
    rendered = url.render_as_string(hide_password=False)
    env = {**os.environ, "TT_DATABASE_URL": infra_urls["database"], "TT_CRM_DATABASE_URL": rendered}
    try:
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "shared.migrate", "services/crm"],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip
            for _ in range(3)
        ]
        outputs = [(run.wait(timeout=120), run.stdout.read()) for run in runs]
        assert [code for code, _ in outputs] == [0, 0, 0], outputs
        engine = create_engine(rendered)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
        engine.dispose()
    finally:
        drop_database(rendered)
