"""CRM service test fixtures: a migrated scratch database on the real PostgreSQL server, one
rolled-back transaction per test (requests included) — from `shared.testing.service` — and
identities signed like the gateway's.

Users live in the auth service; here a user is just an id in a signed identity (plus a row in
the `known_users` replica where a test needs author names)."""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path
from typing import Any

import pytest

from crm.main import create_app
from crm.models import Client, KnownProject, KnownUser, outbox
from crm.settings import CrmSettings
from shared.testing.fixtures import identity_headers
from shared.testing.service import ServiceUnderTest

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest("crm", SERVICE_DIR, CrmSettings, create_app, outbox)


_user_ids = itertools.count(1000)


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
