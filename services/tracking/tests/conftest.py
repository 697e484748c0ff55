"""Tracking service test fixtures: a migrated scratch database on the real PostgreSQL server, one
rolled-back transaction per test (requests included) — from `shared.testing.service` — and
identities signed like the gateway's.

Users live in the auth service and clients in CRM; here a user is an id in a signed identity
plus, where names or rounding matter, a row in the `known_users` replica, and a client is a
row in the `known_clients` replica."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from shared.testing.service import ServiceUnderTest, new_user_id
from tracking.main import create_app
from tracking.models import KnownClient, KnownUser, Project, Task, TimeEntry, outbox
from tracking.settings import TrackingSettings

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest("tracking", SERVICE_DIR, TrackingSettings, create_app, outbox)


@pytest.fixture
def make_known_client(session):
    """A row of the CRM-client replica."""

    def make(client_id: int | None = None, **overrides: Any) -> KnownClient:
        cid = client_id or new_user_id()
        fields: dict[str, Any] = {"id": cid, "name": f"Client {cid}", "status": "active", "created_by": None}
        fields.update(overrides)
        client = KnownClient(**fields)
        session.add(client)
        session.flush()
        return client

    return make


@pytest.fixture
def make_known_user(session):
    """A row of the auth-user replica (names, admin flag, rounding preferences)."""

    def make(user_id: int | None = None, **overrides: Any) -> KnownUser:
        uid = user_id or new_user_id()
        fields: dict[str, Any] = {"id": uid, "username": f"user{uid}"}
        fields.update(overrides)
        user = KnownUser(**fields)
        session.add(user)
        session.flush()
        return user

    return make


@pytest.fixture
def make_project(session, make_known_client):
    """`make_project(created_by=uid, client_id=...)`: a project (and its client if none given)."""

    def make(**overrides: Any) -> Project:
        if "client_id" not in overrides:
            overrides["client_id"] = make_known_client().id
        fields: dict[str, Any] = {"name": f"Project {uuid.uuid4().hex[:8]}", "custom_fields": {}}
        fields.update(overrides)
        project = Project(**fields)
        session.add(project)
        session.flush()
        return project

    return make


@pytest.fixture
def make_task(session):
    def make(project: Project, **overrides: Any) -> Task:
        fields: dict[str, Any] = {"name": f"Task {uuid.uuid4().hex[:6]}", "project_id": project.id, "created_by": 1}
        fields.update(overrides)
        task = Task(**fields)
        session.add(task)
        session.flush()
        return task

    return make


@pytest.fixture
def make_entry(session):
    """`make_entry(user_id, project, start, end=None, **fields)`: a row as stored (no rules)."""

    def make(user_id: int, project: Project | None, start, end=None, **overrides: Any) -> TimeEntry:
        fields: dict[str, Any] = {
            "user_id": user_id,
            "project_id": project.id if project else None,
            "start_time": start,
            "end_time": end,
            "duration_seconds": int((end - start).total_seconds()) if end else None,
            "source": "manual",
        }
        fields.update(overrides)
        entry = TimeEntry(**fields)
        session.add(entry)
        session.flush()
        return entry

    return make
