"""Events leave through the outbox: committed with the change, then published to JetStream by
the service's relay with `Nats-Msg-Id` = event id. Real PostgreSQL and NATS."""

import asyncio
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from auth.main import create_app
from auth.models import User, outbox
from auth.passwords import hash_password
from auth.settings import AuthSettings
from shared.db import drop_database, migrate
from shared.testing.fixtures import identity_headers

SERVICE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def live(infra_urls, identity_secret):
    """An app with its relay running, on a database of its own (requests really commit)."""
    url = make_url(infra_urls["database"]).set(database=f"tt_auth_events_{uuid.uuid4().hex[:10]}")
    url = url.render_as_string(hide_password=False)
    migrate(SERVICE_DIR, url)
    engine = create_engine(url)
    settings = AuthSettings(
        identity_secret=identity_secret,
        database_url=infra_urls["database"],
        auth_database_url=url,
        nats_url=infra_urls["nats"],
        # a durable of its own, from now on: the shared stream's history is other runs' business
        nats_durable_prefix=f"auth-events-{uuid.uuid4().hex[:8]}-",
        nats_replay_since=datetime.now(UTC),
        outbox_poll_seconds=0.2,
    )
    with engine.begin() as conn:
        admin_id = conn.execute(
            User.__table__.insert()
            .values(username="evadmin", role="admin", password_hash=hash_password("password-123"))
            .returning(User.id)
        ).scalar_one()
    with TestClient(create_app(settings)) as client:
        yield client, engine, admin_id, infra_urls["nats"]
    engine.dispose()
    drop_database(url)


def wait_published(engine, subject: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            row = conn.execute(
                select(outbox.c.payload, outbox.c.published_at)
                .where(outbox.c.subject == subject)
                .order_by(outbox.c.id.desc())
                .limit(1)
            ).first()
        if row is not None and row.published_at is not None:
            return row.payload
        time.sleep(0.05)
    raise AssertionError(f"{subject} was not published within {timeout}s")


def last_on_stream(nats_url: str, subject: str) -> dict:
    async def fetch() -> dict:
        nc = await nats.connect(nats_url)
        try:
            msg = await nc.jetstream().get_last_msg("TT", subject)
            return {"headers": msg.headers or {}, "data": msg.data}
        finally:
            await nc.close()

    return asyncio.run(fetch())


def test_token_lifecycle_reaches_the_stream(live, identity_codec):
    client, engine, admin_id, nats_url = live
    headers = identity_headers(identity_codec, user_id=admin_id, username="evadmin", is_admin=True,
                               scopes=("admin:all",))  # fmt: skip
    created = client.post("/api/v1/admin/api-tokens", json={"name": "ev", "user_id": admin_id, "scopes": "read:*"},
                          headers=headers)  # fmt: skip
    assert created.status_code == 201
    token_id = created.json()["token_id"]
    assert client.delete(f"/api/v1/admin/api-tokens/{token_id}", headers=headers).status_code == 200

    for subject in ("tt.auth.api_token.created", "tt.auth.api_token.revoked"):
        payload = wait_published(engine, subject)
        assert payload["data"]["token_id"] == token_id and payload["data"]["user_id"] == admin_id
        deadline = time.monotonic() + 5
        while True:
            msg = last_on_stream(nats_url, subject)
            if msg["headers"].get("Nats-Msg-Id") == payload["id"] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert msg["headers"].get("Nats-Msg-Id") == payload["id"]
        assert b'"type":"' + subject.encode() in msg["data"].replace(b" ", b"")


def test_user_deactivation_is_published_for_cache_eviction(live, identity_codec):
    client, engine, admin_id, _ = live
    headers = identity_headers(identity_codec, user_id=admin_id, scopes=("admin:all",), is_admin=True)
    user = client.post("/api/v1/users", json={"username": f"ev{uuid.uuid4().hex[:6]}", "password": "password-123"},
                       headers=headers).json()["user"]  # fmt: skip
    assert client.delete(f"/api/v1/users/{user['id']}", headers=headers).status_code == 200
    payload = wait_published(engine, "tt.auth.user.deleted")
    assert payload["entity_id"] == str(user["id"]) and payload["data"]["is_active"] is False
    assert payload["actor"] == {"user_id": admin_id, "token_id": None, "service": None}


def test_a_failed_request_leaves_no_event(live, identity_codec):
    client, engine, admin_id, _ = live
    headers = identity_headers(identity_codec, user_id=admin_id, scopes=("admin:all",), is_admin=True)
    with engine.connect() as conn:
        before = conn.scalar(select(outbox.c.id).order_by(outbox.c.id.desc()).limit(1))
    r = client.post("/api/v1/users", json={"username": "evadmin", "password": "password-123"}, headers=headers)
    assert r.status_code == 409
    with engine.connect() as conn:
        assert conn.scalar(select(outbox.c.id).order_by(outbox.c.id.desc()).limit(1)) == before
