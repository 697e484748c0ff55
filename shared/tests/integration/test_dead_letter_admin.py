"""The dead-letter admin routes of a service, on a real NATS: the listing shows what a consumer
gave up on; a replay after the fix applies the event exactly once and removes the letter; a
replay that still fails keeps it; admin scope only."""

import asyncio
import time
import uuid
from datetime import UTC, datetime

import httpx
import nats
import pytest
from demo_service import SERVICE_DIR, metadata, router
from served import served
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.engine import make_url

from shared.app import ConsumerSpec, create_service_app
from shared.db import drop_database, ensure_database, migrate
from shared.events.envelope import EventEnvelope
from shared.settings import PlatformSettings
from shared.testing.fixtures import identity_headers

TAG = uuid.uuid4().hex[:6]
SUBJECT = f"tt.dlqadmin{TAG}.thing.added"
LIST = "/api/v1/admin/dead-letters/demo"
applied_md = MetaData()
applied = Table("dead_letter_admin_applied", applied_md, Column("event_id", String(36), primary_key=True))
handler_fixed = {"yes": False}


def add(session, envelope):
    if not handler_fixed["yes"]:
        raise RuntimeError(f"no handler for {envelope.data['what']}")
    session.execute(insert(applied).values(event_id=envelope.id))


@pytest.fixture(scope="module")
def db_url(infra_urls):
    """A database of this module's own: the demo schema migrated, dropped after."""
    url = make_url(infra_urls["database"]).set(database=f"tt_shared_{uuid.uuid4().hex[:8]}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    migrate(SERVICE_DIR, rendered)
    yield rendered
    drop_database(rendered)


@pytest.fixture(scope="module")
def engine(db_url):
    engine = create_engine(db_url)
    applied_md.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def service(infra_urls, identity_secret, engine, db_url):
    settings = PlatformSettings(
        service_name="demo",
        database_url=infra_urls["database"],
        nats_url=infra_urls["nats"],
        identity_secret=identity_secret,
        nats_durable_prefix=f"dlqadmin{TAG}-",
        nats_replay_since=datetime.now(UTC),
        consumer_max_deliver=1,
    )
    app = create_service_app(
        settings=settings,
        title="demo",
        version="0",
        metadata=metadata,
        routers=[router],
        service_dir=SERVICE_DIR,
        consumers=[ConsumerSpec(name="things", subject=SUBJECT, handler=add)],
        database_url=db_url,
    )
    with served(app) as url:
        yield url


@pytest.fixture
def admin(identity_codec):
    return identity_headers(identity_codec, user_id=1, is_admin=True, scopes=("admin:all",))


def applied_ids(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.scalars(select(applied.c.event_id)))


def publish(nats_url: str, *envelopes: EventEnvelope) -> None:
    async def go():
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        for envelope in envelopes:
            await js.publish(SUBJECT, envelope.to_json(), headers={"Nats-Msg-Id": envelope.id})
        await nc.close()

    asyncio.run(go())


def listed(service: str, headers: dict, count: int) -> list[dict]:
    for _ in range(200):
        letters = httpx.get(f"{service}{LIST}", headers=headers).json()["dead_letters"]
        if len(letters) >= count:
            return letters
        time.sleep(0.05)
    raise AssertionError(f"{count} dead letters expected, got {letters}")


def test_list_replay_one_and_replay_all(service, engine, infra_urls, admin):
    handler_fixed["yes"] = False
    events = [EventEnvelope(type=SUBJECT, source="test", data={"what": f"thing{i}"}) for i in range(3)]
    publish(infra_urls["nats"], *events)
    letters = listed(service, admin, 3)
    assert [(x["event_id"], x["subject"], x["deliveries"]) for x in letters] == [(e.id, SUBJECT, 1) for e in events]
    assert letters[0]["consumer"] == f"dlqadmin{TAG}-things"
    assert letters[0]["error"] == "RuntimeError: no handler for thing0"
    assert letters[0]["dead_lettered_at"]

    # still broken: the replay says why, the letter stays, nothing applied
    r = httpx.post(f"{service}{LIST}/{letters[0]['id']}/replay", headers=admin)
    assert r.status_code == 409 and r.json()["error_code"] == "replay_failed"
    assert "no handler for thing0" in r.json()["message"]
    assert len(listed(service, admin, 3)) == 3 and applied_ids(engine) == []

    handler_fixed["yes"] = True
    r = httpx.post(f"{service}{LIST}/{letters[0]['id']}/replay", headers=admin)
    assert r.status_code == 200 and r.json()["outcome"] == "applied"
    assert applied_ids(engine) == [events[0].id]
    assert httpx.post(f"{service}{LIST}/{letters[0]['id']}/replay", headers=admin).status_code == 404  # gone

    r = httpx.post(f"{service}{LIST}/replay", headers=admin)
    assert r.status_code == 200
    assert r.json() | {"message": ""} == {"message": "", "applied": 2, "already_applied": 0, "failed": []}
    assert applied_ids(engine) == sorted(e.id for e in events)  # each once
    assert httpx.get(f"{service}{LIST}", headers=admin).json() == {"service": "demo", "dead_letters": [], "total": 0}
    metrics = httpx.get(f"{service}/metrics").text
    assert f'tt_consumer_dead_letters_total{{consumer="dlqadmin{TAG}-things",service="demo"}} 3.0' in metrics


def test_admin_scope_only_and_unknown_ids(service, identity_codec, admin):
    reader = identity_headers(identity_codec, user_id=2, scopes=("read:*", "write:*"))
    assert httpx.get(f"{service}{LIST}", headers=reader).status_code == 403
    assert httpx.post(f"{service}{LIST}/replay", headers=reader).status_code == 403
    assert httpx.get(f"{service}{LIST}").status_code == 401
    r = httpx.post(f"{service}{LIST}/999999/replay", headers=admin)
    assert r.status_code == 404 and r.json()["error_code"] == "not_found"
    r = httpx.post(f"{service}{LIST}/nope/replay", headers=admin)
    assert r.status_code == 400 and r.json()["error_code"] == "validation_error"


def test_the_routes_are_in_the_openapi_with_their_models_and_scope(service):
    doc = httpx.get(f"{service}/openapi.json").json()
    listing = doc["paths"][LIST]["get"]
    assert listing["x-tt-scopes"] == ["admin:all"]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/DeadLetterList")
    assert doc["paths"][f"{LIST}/{{dead_letter_id}}/replay"]["post"]["x-tt-scopes"] == ["admin:all"]
    assert doc["paths"][f"{LIST}/replay"]["post"]["x-tt-scopes"] == ["admin:all"]
