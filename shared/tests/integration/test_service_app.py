"""The shared service mechanisms, exercised through a tiny demo service on real PostgreSQL/NATS."""

import asyncio
import json
import uuid

import nats
import pytest
from demo_service import SERVICE_DIR, create_app, metadata, outbox
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text

from shared.db import migrate
from shared.settings import PlatformSettings
from shared.testing.fixtures import identity_headers


@pytest.fixture(scope="module")
def settings(infra_urls, identity_secret):
    return PlatformSettings(
        service_name="demo",
        database_url=infra_urls["database"],
        nats_url=infra_urls["nats"],
        identity_secret=identity_secret,
        outbox_poll_seconds=0.2,
    )


@pytest.fixture(scope="module")
def engine(scratch_db_url):
    engine = create_engine(scratch_db_url)
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate(SERVICE_DIR, scratch_db_url)  # /readyz wants the schema at the migrations' head
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def client(settings, engine, scratch_db_url):
    with TestClient(create_app(settings, scratch_db_url)) as c:
        yield c


@pytest.fixture
def writer(identity_codec):
    return identity_headers(
        identity_codec, user_id=1, username="ann", scopes=("write:widgets", "read:widgets"), token_id=9
    )


def outbox_count(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(outbox))


class TestErrors:
    def test_no_identity_is_401(self, client):
        r = client.get("/api/v1/widgets")
        assert r.status_code == 401
        assert r.json()["error_code"] == "unauthorized" and r.json()["success"] is False

    def test_missing_scope_is_403_with_required_scope(self, client, identity_codec):
        headers = identity_headers(identity_codec, user_id=1, scopes=("read:widgets",))
        r = client.post("/api/v1/widgets", json={"name": "a"}, headers=headers)
        assert r.status_code == 403
        assert r.json()["required_scope"] == "write:widgets"
        assert r.json()["available_scopes"] == ["read:widgets"]

    def test_unknown_path_and_wrong_method(self, client, writer):
        r = client.get("/api/v1/nothing-here", headers=writer)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        r = client.delete("/api/v1/widgets", headers=writer)
        assert r.status_code == 405 and r.json()["error_code"] == "method_not_allowed"

    def test_malformed_json_is_bad_request(self, client, writer):
        r = client.post("/api/v1/widgets", content=b"{nope", headers={**writer, "content-type": "application/json"})
        assert r.status_code == 400 and r.json()["error_code"] == "bad_request"

    def test_non_object_json_is_bad_request(self, client, writer):
        r = client.post("/api/v1/widgets", json=[1, 2], headers=writer)
        assert r.status_code == 400 and r.json()["error_code"] == "bad_request"

    def test_non_json_content_type_is_415(self, client, writer):
        r = client.post("/api/v1/widgets", content=b"name=a", headers={**writer, "content-type": "text/plain"})
        assert r.status_code == 415 and r.json()["error_code"] == "unsupported_media_type"

    def test_empty_body_counts_as_empty_object(self, client, writer):
        r = client.post("/api/v1/widgets", content=b"", headers={**writer, "content-type": "application/json"})
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"name": ["name is required"]}

    def test_body_without_content_type_is_json(self, client, writer):
        r = client.post("/api/v1/widgets", content=json.dumps({"name": "no-ct"}).encode(), headers=writer)
        assert r.status_code == 201, r.text

    def test_bodyless_post_works_with_any_framing(self, client, writer):
        for headers in ({}, {"content-type": "application/json"}):
            r = client.post("/api/v1/widgets/touch", content=b"", headers={**writer, **headers})
            assert r.status_code == 200 and r.json()["user_id"] == 1

    def test_field_validation_lists_fields(self, client, writer):
        r = client.post("/api/v1/widgets", json={"name": "", "size": "big"}, headers=writer)
        body = r.json()
        assert r.status_code == 400 and body["error"] == "Validation failed"
        assert set(body["errors"]) == {"name", "size"}

    def test_unexpected_exception_is_500_without_trace(self, client, writer, engine):
        before = outbox_count(engine)
        c = TestClient(client.app, raise_server_exceptions=False)
        r = c.post("/api/v1/widgets", json={"name": "explode-after-record"}, headers=writer)
        assert r.status_code == 500
        assert r.json() == {
            "success": False,
            "error": "An internal error occurred",
            "message": "An internal error occurred",
            "error_code": "internal_error",
        }
        assert outbox_count(engine) == before, "the event must roll back with the failed request"

    def test_value_the_database_refuses_is_400(self, client, writer, engine):
        before = outbox_count(engine)
        r = client.post("/api/v1/widgets", json={"name": "nul\u0000byte"}, headers=writer)
        assert r.status_code == 400 and r.json()["error_code"] == "bad_request"
        assert outbox_count(engine) == before

    def test_huge_page_is_an_empty_page(self, client, writer):
        r = client.get("/api/v1/widgets", params={"page": "9" * 30}, headers=writer)
        assert r.status_code == 200 and r.json()["widgets"] == []

    def test_unique_violation_is_409(self, client, writer):
        assert client.post("/api/v1/widgets", json={"name": "dup"}, headers=writer).status_code == 201
        r = client.post("/api/v1/widgets", json={"name": "dup"}, headers=writer)
        assert r.status_code == 409 and r.json()["error_code"] == "conflict"


class TestPaginationAndOpenApi:
    def test_list_is_paginated(self, client, writer):
        for i in range(3):
            client.post("/api/v1/widgets", json={"name": f"p{i}-{uuid.uuid4().hex[:6]}"}, headers=writer)
        r = client.get("/api/v1/widgets", params={"per_page": "2", "page": "1"}, headers=writer)
        body = r.json()
        assert len(body["widgets"]) == 2 and body["pagination"]["has_next"] is True

    def test_openapi_publishes_scopes(self, client):
        paths = client.get("/openapi.json").json()["paths"]
        assert paths["/api/v1/widgets"]["post"]["x-tt-scopes"] == ["write:widgets"]
        assert paths["/api/v1/widgets"]["get"]["x-tt-scopes"] == ["read:widgets", "read:*"]
        assert paths["/api/v1/widgets/touch"]["post"]["x-tt-auth"] == "token"

    def test_health_endpoints_need_no_identity(self, client):
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["database"] is True


def test_committed_event_reaches_nats_once_with_its_id(client, writer, infra_urls, engine):
    name = f"evt-{uuid.uuid4().hex[:8]}"

    async def collect():
        nc = await nats.connect(infra_urls["nats"])
        js = nc.jetstream()
        sub = await js.subscribe("tt.demo.widget.created", deliver_policy=nats.js.api.DeliverPolicy.NEW)
        r = await asyncio.to_thread(client.post, "/api/v1/widgets", json={"name": name}, headers=writer)
        assert r.status_code == 201
        seen = []
        try:
            while True:
                msg = await sub.next_msg(timeout=2)
                data = json.loads(msg.data)
                if data["data"]["name"] == name:
                    seen.append(((msg.headers or {}).get("Nats-Msg-Id"), data))
                await msg.ack()
        except nats.errors.TimeoutError:
            pass
        await nc.close()
        return seen

    seen = asyncio.run(collect())
    assert len(seen) == 1
    msg_id, envelope = seen[0]
    assert msg_id == envelope["id"]
    assert envelope["type"] == "tt.demo.widget.created" and envelope["actor"]["user_id"] == 1
    with engine.connect() as conn:
        row = conn.execute(select(outbox.c.published_at).where(outbox.c.event_id == msg_id)).one()
    assert row.published_at is not None


def test_on_startup_runs_at_start_up_not_when_the_app_is_built(settings, engine, scratch_db_url):
    started = []
    app = create_app(settings, scratch_db_url, on_startup=started.append)
    assert started == []
    with TestClient(app):
        assert started == [app]


class TestFlushEndpoint:
    """`POST /internal/events/flush`: what a replica's catch-up asks the owner."""

    def test_answers_a_platform_process_with_the_stream_position_after_its_events(self, client, writer, engine):
        platform = identity_headers(client.app.state.identity_codec, service="reporting")
        created = client.post("/api/v1/widgets", json={"name": "flushed"}, headers=writer)
        assert created.status_code == 201
        r = client.post("/internal/events/flush", params={"timeout": 2}, headers=platform)
        assert r.status_code == 200 and r.json()["flushed"] is True
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))) == 0
        assert isinstance(r.json()["position"], int) and r.json()["position"] >= 1

    def test_refuses_users_and_callers_without_identity(self, client, writer):
        r = client.post("/internal/events/flush", headers=writer)
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        r = client.post("/internal/events/flush")
        assert r.status_code == 401 and r.json()["error_code"] == "unauthorized"

    @pytest.mark.parametrize("timeout", ["soon", "nan", ""])
    def test_a_timeout_that_is_not_a_number_is_a_validation_error(self, client, timeout):
        platform = identity_headers(client.app.state.identity_codec, service="reporting")
        r = client.post("/internal/events/flush", params={"timeout": timeout}, headers=platform)
        assert r.status_code == 400 and r.json()["errors"] == {"timeout": ["timeout must be a number of seconds"]}
