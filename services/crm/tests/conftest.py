"""CRM service test fixtures: a migrated scratch database on the real PostgreSQL server, one
rolled-back transaction per test (requests included) — from `shared.testing.service` — and
identities signed like the gateway's.

Users live in the auth service; here a user is just an id in a signed identity (plus a row in
the `known_users` replica where a test needs author names)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from crm.main import create_app
from crm.models import Client, KnownProject, KnownUser, outbox
from crm.settings import CrmSettings
from shared.testing.service import ServiceUnderTest, new_user_id

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest("crm", SERVICE_DIR, CrmSettings, create_app, outbox)


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
