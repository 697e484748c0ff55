import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from shared.db import drop_database, ensure_database

# the demo service used by the integration tests is a plain module beside them
sys.path.insert(0, str(Path(__file__).parent / "integration"))


@pytest.fixture(scope="session")
def scratch_db_url(infra_urls):
    """A fresh database on the test server, dropped at the end."""
    url = make_url(infra_urls["database"]).set(database=f"tt_shared_test_{uuid.uuid4().hex[:8]}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    yield rendered
    drop_database(rendered)
