"""CRM service test fixtures: a migrated scratch database on the real PostgreSQL server, one
rolled-back transaction per test (requests included), identities signed like the gateway's.

Users live in the auth service; here a user is just an id in a signed identity (plus a row in
the `known_users` replica where a test needs author names)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crm.main import create_app
from crm.models import Client, KnownProject, KnownUser, outbox
from crm.settings import CrmSettings
from shared.db import drop_database, migrate
from shared.testing.database import bind_requests, savepoint_session, scratch_database
from shared.testing.fixtures import identity_headers

SERVICE_DIR = Path(__file__).resolve().parents[1]
_user_ids = itertools.count(1000)


@pytest.fixture(scope="session")
def crm_db_url(infra_urls) -> Iterator[str]:
    url = scratch_database(infra_urls["database"], "tt_crm_test")
    migrate(SERVICE_DIR, url)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def engine(crm_db_url):
    engine = create_engine(crm_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def settings_kwargs(infra_urls, identity_secret, crm_db_url) -> dict[str, Any]:
    return {
        "identity_secret": identity_secret,
        "database_url": infra_urls["database"],
        "crm_database_url": crm_db_url,
        "nats_url": infra_urls["nats"],
    }


@pytest.fixture(scope="session")
def settings(settings_kwargs) -> CrmSettings:
    return CrmSettings(**settings_kwargs)


@pytest.fixture
def connection(engine) -> Iterator[Connection]:
    """The test's transaction: everything (requests included) is rolled back at the end."""
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session(connection) -> Iterator[Session]:
    s = savepoint_session(connection, outbox)
    yield s
    s.close()


@pytest.fixture(scope="session")
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app, connection) -> Iterator[TestClient]:
    bind_requests(app, connection, outbox)
    yield TestClient(app)
    app.dependency_overrides.clear()


@pytest.fixture
def make_app_client(settings_kwargs, connection):
    """A client of an app built with other settings (same test transaction)."""

    def make(**overrides: Any) -> TestClient:
        app = create_app(CrmSettings(**{**settings_kwargs, **overrides}))
        bind_requests(app, connection, outbox)
        return TestClient(app)

    return make


def new_user_id() -> int:
    return next(_user_ids)


@pytest.fixture
def next_user_id():
    """A factory of user ids no other test uses (test modules cannot import this conftest)."""
    return new_user_id


@pytest.fixture
def headers_for(identity_codec):
    """Gateway identity headers: `headers_for(user_id, "read:clients", role="manager")`."""

    def make(user_id: int, *scopes: str, role: str = "user", **fields: Any) -> dict[str, str]:
        fields.setdefault("is_admin", role == "admin")
        return identity_headers(
            identity_codec, user_id=user_id, username=f"user{user_id}", role=role, scopes=scopes, token_id=1, **fields
        )

    return make


@pytest.fixture
def admin_id() -> int:
    return new_user_id()


@pytest.fixture
def user_id() -> int:
    return new_user_id()


@pytest.fixture
def admin_headers(headers_for, admin_id) -> dict[str, str]:
    return headers_for(admin_id, "admin:all", role="admin")


@pytest.fixture
def user_headers(headers_for, user_id) -> dict[str, str]:
    """A standard user with the broad scopes a login token gets."""
    return headers_for(user_id, "read:*", "write:*")


@pytest.fixture
def make_client(session):
    """`make_client(name=..., created_by=...)`: a client row, flushed."""

    def make(**overrides: Any) -> Client:
        fields: dict[str, Any] = {"name": f"Client {uuid.uuid4().hex[:8]}", "custom_fields": {}}
        fields.update(overrides)
        client = Client(**fields)
        session.add(client)
        session.flush()
        return client

    return make


@pytest.fixture
def make_project(session):
    """A row of the tracking-project replica."""

    def make(client_id: int | None, status: str = "active", project_id: int | None = None) -> KnownProject:
        project = KnownProject(id=project_id or new_user_id(), client_id=client_id, status=status)
        session.add(project)
        session.flush()
        return project

    return make


@pytest.fixture
def make_known_user(session):
    """A row of the auth-user replica (note authors)."""

    def make(user_id: int | None = None, **overrides: Any) -> KnownUser:
        uid = user_id or new_user_id()
        fields: dict[str, Any] = {"id": uid, "username": f"user{uid}", "full_name": None}
        fields.update(overrides)
        user = KnownUser(**fields)
        session.add(user)
        session.flush()
        return user

    return make


@pytest.fixture
def outbox_events(session):
    """Outbox payloads written so far in this test (optionally of one subject), oldest first."""

    def read(subject: str | None = None) -> list[dict[str, Any]]:
        stmt = select(outbox.c.subject, outbox.c.payload).order_by(outbox.c.id)
        if subject is not None:
            stmt = stmt.where(outbox.c.subject == subject)
        return [payload for _, payload in session.execute(stmt)]

    return read
