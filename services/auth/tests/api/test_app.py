"""The assembled service: schema vs. migrations, OpenAPI for the gateway, start-up bootstrap,
and the real `uvicorn --factory auth.main:create_app` process."""

import uuid
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from auth.main import create_app
from auth.models import User, metadata
from auth.settings import AuthSettings
from auth.users import repository
from auth.users.service import ensure_admin
from shared.db import drop_database, migrate
from shared.testing.fixtures import identity_headers

SERVICE_DIR = Path(__file__).resolve().parents[2]
# Start-up tests run the lifespan without NATS: its relay and consumers only retry, and this
# suite's durable (no prefix) never competes for the shared stream.
NO_NATS = "nats://127.0.0.1:1"


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []


def test_openapi_publishes_scopes_for_every_public_route(client):
    paths = client.app.openapi()["paths"]
    assert paths["/api/v1/users/me"]["get"]["x-tt-scopes"] == ["read:users"]
    assert paths["/api/v1/users"]["get"]["x-tt-scopes"] == ["admin:all"]
    assert paths["/api/version/check"]["get"]["x-tt-auth"] == "token"
    assert paths["/api/version/check"]["get"]["x-tt-scopes"] == []
    assert paths["/api/v1/users/{user_id}"]["put"]["operationId"] == "auth.update_user_put"


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok", "service": "auth"}


class TestEnsureAdmin:
    def test_creates_once(self, session, outbox_events):
        user, created = ensure_admin(session, " Boss ", "boss-password")
        assert created and user.username == "boss" and user.role == "admin" and user.is_admin
        again, created_again = ensure_admin(session, "BOSS", "other-password")
        assert again.id == user.id and not created_again
        assert [e["data"]["username"] for e in outbox_events("tt.auth.user.created")] == ["boss"]

    def test_insert_is_a_no_op_when_another_replica_won(self, session, make_user):
        make_user(username="raced")
        assert repository.insert_if_absent(session, {"username": "raced", "role": "admin"}) is None

    def test_existing_non_admin_is_left_alone(self, session, make_user):
        make_user(username="plainadmin", role="user")
        user, created = ensure_admin(session, "plainadmin", "whatever-123")
        assert not created and user.role == "user"


@pytest.fixture
def scratch_url(infra_urls):
    url = make_url(infra_urls["database"]).set(database=f"tt_auth_app_{uuid.uuid4().hex[:10]}")
    url = url.render_as_string(hide_password=False)
    migrate(SERVICE_DIR, url)
    yield url
    drop_database(url)


def test_startup_bootstraps_the_admin(settings_kwargs, scratch_url):
    kwargs = {
        **settings_kwargs,
        "auth_database_url": scratch_url,
        "admin_username": "Chief",
        "admin_password": "chief-pw-1",
        "nats_url": NO_NATS,
    }
    for _ in range(2):  # a second replica finds the admin already there
        with TestClient(create_app(AuthSettings(**kwargs))):  # start-up is the lifespan's
            pass
    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        assert conn.execute(select(User.username, User.role)).all() == [("chief", "admin")]
    engine.dispose()


def test_startup_survives_an_unreachable_database(settings_kwargs):
    kwargs = {**settings_kwargs, "auth_database_url": "postgresql://postgres@127.0.0.1:1/x",
              "admin_username": "a", "admin_password": "password-1", "nats_url": NO_NATS}  # fmt: skip
    with TestClient(create_app(AuthSettings(**kwargs))) as client:
        assert client.get("/healthz").status_code == 200


def test_runs_as_a_uvicorn_factory(service_process, infra_urls, identity_secret, scratch_url, identity_codec):
    env = {
        "TT_DATABASE_URL": infra_urls["database"],
        "TT_AUTH_DATABASE_URL": scratch_url,
        "TT_NATS_URL": infra_urls["nats"],
        "TT_IDENTITY_SECRET": identity_secret,
        "TT_ADMIN_USERNAME": "admin",
        "TT_ADMIN_PASSWORD": "admin-password-1",
    }
    proc = service_process("auth.main:create_app", env)
    try:
        assert httpx.get(f"{proc.url}/readyz").json()["checks"]["database"] is True
        doc = httpx.get(f"{proc.url}/openapi.json").json()
        assert doc["paths"]["/api/v1/users/me"]["get"]["x-tt-scopes"] == ["read:users"]
        me = httpx.get(f"{proc.url}/api/v1/users/me",
                       headers=identity_headers(identity_codec, user_id=1, scopes=("read:users",)))  # fmt: skip
        assert me.status_code == 200 and me.json()["user"]["username"] == "admin"
    finally:
        proc.stop()
