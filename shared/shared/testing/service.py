"""pytest plugin for a service's own suite: a migrated scratch database on the real server,
one rolled-back transaction per test (requests included), the app and its TestClient.

A service's `tests/conftest.py` provides one session fixture, `service_under_test`, returning a
`ServiceUnderTest`; these fixtures do the rest. Registered with `-p` in the root pyproject."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Table, create_engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shared.db import drop_database, migrate
from shared.testing.contracts import check_event
from shared.testing.database import bind_requests, savepoint_session, scratch_database
from shared.testing.fixtures import identity_headers


@dataclass(frozen=True)
class ServiceUnderTest:
    name: str  # `crm`: database `tt_crm_test_…`, setting `crm_database_url`
    service_dir: Path
    settings_class: type
    create_app: Callable[[Any], FastAPI]
    outbox: Table
    settings: dict[str, Any] = field(default_factory=dict)  # extra settings for this suite


class _Built:
    """What one service's suite builds once per session: database, engine, settings, app.
    Kept per service name: pytest would share one session fixture across every suite."""

    def __init__(self, infra_urls: dict[str, str], identity_secret: str) -> None:
        self.infra_urls = infra_urls
        self.identity_secret = identity_secret
        self.by_name: dict[str, dict[str, Any]] = {}

    def get(self, service: ServiceUnderTest) -> dict[str, Any]:
        built = self.by_name.get(service.name)
        if built is None:
            url = scratch_database(self.infra_urls["database"], f"tt_{service.name}_test")
            migrate(service.service_dir, url)
            kwargs = {
                "identity_secret": self.identity_secret,
                "database_url": self.infra_urls["database"],
                f"{service.name}_database_url": url,
                "nats_url": self.infra_urls["nats"],
                **service.settings,
            }
            settings = service.settings_class(**kwargs)
            built = {
                "url": url,
                "engine": create_engine(url),
                "kwargs": kwargs,
                "settings": settings,
                "app": service.create_app(settings),
            }
            self.by_name[service.name] = built
        return built

    def close(self) -> None:
        for built in self.by_name.values():
            built["engine"].dispose()
            drop_database(built["url"])


@pytest.fixture(scope="session")
def _service_builds(infra_urls, identity_secret) -> Iterator[_Built]:
    builds = _Built(infra_urls, identity_secret)
    yield builds
    builds.close()


@pytest.fixture
def service_db_url(service_under_test, _service_builds) -> str:
    return _service_builds.get(service_under_test)["url"]


@pytest.fixture
def engine(service_under_test, _service_builds):
    return _service_builds.get(service_under_test)["engine"]


@pytest.fixture
def settings_kwargs(service_under_test, _service_builds) -> dict[str, Any]:
    return _service_builds.get(service_under_test)["kwargs"]


@pytest.fixture
def settings(service_under_test, _service_builds):
    return _service_builds.get(service_under_test)["settings"]


@pytest.fixture
def connection(engine) -> Iterator[Connection]:
    """The test's transaction: everything (requests included) is rolled back at the end."""
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session(service_under_test, connection) -> Iterator[Session]:
    s = savepoint_session(connection, service_under_test.outbox)
    yield s
    s.close()


@pytest.fixture
def app(service_under_test, _service_builds) -> FastAPI:
    return _service_builds.get(service_under_test)["app"]


@pytest.fixture
def client(service_under_test, app, connection) -> Iterator[TestClient]:
    bind_requests(app, connection, service_under_test.outbox)
    yield TestClient(app)
    app.dependency_overrides.clear()


@pytest.fixture
def make_app_client(service_under_test, settings_kwargs, connection):
    """A client of an app built with other settings (same test transaction)."""

    def make(**overrides: Any) -> TestClient:
        settings = service_under_test.settings_class(**{**settings_kwargs, **overrides})
        app = service_under_test.create_app(settings)
        bind_requests(app, connection, service_under_test.outbox)
        return TestClient(app)

    return make


@pytest.fixture(autouse=True)
def _recorded_events_keep_their_contract(request) -> Iterator[None]:
    """Whatever a service test made the service record in its outbox must fit the event's
    contract (`tests/contract/events/`): every producer test is a contract test too."""
    if "connection" not in request.fixturenames:
        yield
        return
    outbox = request.getfixturevalue("service_under_test").outbox
    connection: Connection = request.getfixturevalue("connection")
    yield
    try:
        recorded = connection.execute(select(outbox.c.subject, outbox.c.payload).order_by(outbox.c.id)).all()
    except DBAPIError:
        return  # the test left its transaction failed; it has failed on its own account
    for subject, payload in recorded:
        check_event(subject, payload["data"])


@pytest.fixture
def outbox_events(service_under_test, session):
    """Outbox payloads written so far in this test (optionally of one subject), oldest first."""
    outbox = service_under_test.outbox

    def read(subject: str | None = None) -> list[dict[str, Any]]:
        stmt = select(outbox.c.subject, outbox.c.payload).order_by(outbox.c.id)
        if subject is not None:
            stmt = stmt.where(outbox.c.subject == subject)
        return [payload for _, payload in session.execute(stmt)]

    return read


# Callers as the gateway would sign them. Users live in the auth service; a service's own suite
# needs only ids no other test uses (auth's suite overrides these with real user rows).
_user_ids = itertools.count(1000)


def new_user_id() -> int:
    return next(_user_ids)


@pytest.fixture
def next_user_id() -> Callable[[], int]:
    """A factory of user ids no other test uses (test modules cannot import a conftest)."""
    return new_user_id


@pytest.fixture
def headers_for(identity_codec):
    """Gateway identity headers: `headers_for(user_id, "read:projects", role="manager")`."""

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
