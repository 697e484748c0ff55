"""`/readyz` of a service: ready only when its database answers with the schema at the
migrations' head and NATS is connected (Kubernetes sends no traffic to a pod before that)."""

import time
import uuid

import pytest
from demo_service import SERVICE_DIR, create_app
from fastapi.testclient import TestClient
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


def ready_when_nats_connects(client, seconds=10.0):
    deadline = time.monotonic() + seconds
    while True:
        r = client.get("/readyz")
        if r.json()["checks"]["nats"] or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


def test_unmigrated_database_is_not_ready_until_migrated(infra_urls, identity_secret, fresh_db_url):
    with TestClient(create_app(settings(infra_urls, identity_secret), fresh_db_url)) as client:
        r = ready_when_nats_connects(client)
        assert r.status_code == 503
        assert r.json()["checks"] == {"database": True, "schema": False, "nats": True}

        migrate(SERVICE_DIR, fresh_db_url)
        r = client.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "ready"


def test_nats_unreachable_is_not_ready(infra_urls, identity_secret, fresh_db_url):
    migrate(SERVICE_DIR, fresh_db_url)
    with TestClient(create_app(settings(infra_urls, identity_secret, UNREACHABLE), fresh_db_url)) as client:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"] == {"database": True, "schema": True, "nats": False}
        assert client.get("/healthz").status_code == 200, "alive all the same: no restart for it"


def test_database_down_is_not_ready(infra_urls, identity_secret):
    with TestClient(create_app(settings(infra_urls, identity_secret), "postgresql://postgres@127.0.0.1:1/x")) as client:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"]["database"] is False and r.json()["checks"]["schema"] is False
