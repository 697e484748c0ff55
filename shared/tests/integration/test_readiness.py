"""`/readyz` of a service: ready only when its database answers with the schema at the
migrations' head and NATS is connected (Kubernetes sends no traffic to a pod before that)."""

import time
import uuid

import pytest
from alembic import command
from alembic.config import Config
from demo_service import SERVICE_DIR, create_app
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared.db import drop_database, ensure_database, migrate
from shared.settings import PlatformSettings

UNREACHABLE = "nats://127.0.0.1:1"


@pytest.fixture
def fresh_db_url(infra_urls):
    """An empty database: what a new release's pod finds before its migrations ran."""
    url = make_url(infra_urls["database"]).set(database=f"tt_ready_test_{uuid.uuid4().hex[:8]}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    yield rendered
    drop_database(rendered)


def settings(infra_urls, identity_secret, nats_url=None):
    return PlatformSettings(
        service_name="demo",
        database_url=infra_urls["database"],
        nats_url=nats_url or infra_urls["nats"],
        identity_secret=identity_secret,
    )


def ready_when_nats_connects(client, seconds=30.0):
    deadline = time.monotonic() + seconds
    while True:
        r = client.get("/readyz")
        if r.json()["checks"]["nats"] or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


def upgrade_to(url, revision):
    config = Config(str(SERVICE_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(SERVICE_DIR / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser syntax
    command.upgrade(config, revision)


def test_unmigrated_database_is_not_ready_until_migrated(infra_urls, identity_secret, fresh_db_url):
    with TestClient(create_app(settings(infra_urls, identity_secret), fresh_db_url)) as client:
        r = ready_when_nats_connects(client)
        assert r.status_code == 503
        assert r.json()["checks"] == {"database": True, "schema": False, "nats": True}

        upgrade_to(fresh_db_url, "0001")
        r = client.get("/readyz")
        assert r.status_code == 503, "a schema behind the code's head is not ready"
        assert r.json()["checks"]["schema"] is False

        migrate(SERVICE_DIR, fresh_db_url)
        r = client.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "ready"


def test_schema_of_a_newer_release_keeps_the_older_pods_ready(infra_urls, identity_secret, fresh_db_url):
    """During a rolling upgrade the new release migrates first; the old pods keep serving."""
    migrate(SERVICE_DIR, fresh_db_url)
    engine = create_engine(fresh_db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0003_from_a_newer_release'"))
    engine.dispose()
    with TestClient(create_app(settings(infra_urls, identity_secret), fresh_db_url)) as client:
        r = ready_when_nats_connects(client)
        assert r.status_code == 200, r.text


def test_nats_unreachable_is_reported_but_the_service_stays_ready(infra_urls, identity_secret, fresh_db_url):
    """Writes go on while NATS is away (their events wait in the outbox): the pod keeps its
    traffic, and the probe says what is missing."""
    migrate(SERVICE_DIR, fresh_db_url)
    with TestClient(create_app(settings(infra_urls, identity_secret, UNREACHABLE), fresh_db_url)) as client:
        r = client.get("/readyz")
        assert r.status_code == 200
        assert r.json()["checks"] == {"database": True, "schema": True, "nats": False}


def test_database_down_is_not_ready(infra_urls, identity_secret):
    with TestClient(create_app(settings(infra_urls, identity_secret), "postgresql://postgres@127.0.0.1:1/x")) as client:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"]["database"] is False and r.json()["checks"]["schema"] is False
