"""Gap repair on a real NATS and PostgreSQL: events the stream lost after the relay marked them
published are found missing by the consumer and re-published from the owner's outbox, and the
consumer's replica ends exact: every event applied once."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from demo_service import SERVICE_DIR, create_app, outbox, processed
from prometheus_client import REGISTRY
from served import served
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, insert, select
from sqlalchemy.engine import make_url

from shared.db import drop_database, ensure_database, migrate, new_sessionmaker
from shared.events.consumer import DurableConsumer
from shared.events.cursors import confirm, confirmed_through
from shared.events.link import NatsLink
from shared.events.relay import OutboxRelay
from shared.events.repair import REPUBLISH_PATH, GapRepair
from shared.identity import Identity
from shared.settings import PlatformSettings
from shared.testing.fixtures import identity_headers
from shared.upstream import Upstream

SUBJECT = "tt.demo.widget.created"
replica_md = MetaData()
replica = Table("gap_widget_replica", replica_md, Column("id", Integer, primary_key=True), Column("name", String(80)))


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
    replica_md.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def owner(infra_urls, identity_secret, engine, db_url):
    settings = PlatformSettings(
        service_name="demo",
        database_url=infra_urls["database"],
        nats_url=infra_urls["nats"],
        identity_secret=identity_secret,
        outbox_poll_seconds=0.1,
    )
    with served(create_app(settings, db_url)) as url:
        yield url


def replica_names(engine, tag: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.scalars(select(replica.c.name).where(replica.c.name.like(f"{tag}%"))))


def unpublished(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))


async def until(check, seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


def test_events_the_stream_lost_are_republished_and_applied_once(engine, owner, infra_urls, identity_codec):
    tag = uuid.uuid4().hex[:6]
    names = [f"{tag}-{i}" for i in range(6)]
    lost = {names[1], names[4]}

    def add(session, envelope):
        session.execute(insert(replica).values(id=envelope.data["id"], name=envelope.data["name"]))

    link = NatsLink(infra_urls["nats"], name="gaptest")
    consumer = DurableConsumer(
        name=f"gap-{tag}",
        subject=SUBJECT,
        handler=add,
        sessions=new_sessionmaker(engine),
        processed=processed,
        link=link,
        replay_since=datetime.now(UTC),
    )
    upstream = Upstream(identity_codec, service="gaptest")
    repair = GapRepair(link=link, upstream=upstream, owner_urls={"demo": owner}, consumers=[consumer], interval=0.3)
    writer = identity_headers(identity_codec, user_id=1, scopes=("write:widgets",))

    async def scenario():
        js = await link.jetstream()
        await js.add_consumer(link.stream, durable_name=consumer.name, filter_subject=SUBJECT, **_from_now())
        first = (await js.stream_info(link.stream)).state.last_seq + 1
        async with httpx.AsyncClient(base_url=owner) as http:
            for name in names:
                assert (await http.post("/api/v1/widgets", json={"name": name}, headers=writer)).status_code == 201
        assert await until(lambda: asyncio.to_thread(lambda: unpublished(engine) == 0), 10)
        # NATS loses two acknowledged messages (a crash before its fsync): gone from the stream
        last = (await js.stream_info(link.stream)).state.last_seq
        for seq in range(first, last + 1):
            msg = await js.get_msg(link.stream, seq)
            if msg.subject == SUBJECT and any(f'"{name}"' in msg.data.decode() for name in lost):
                await js.delete_msg(link.stream, seq)
        task = asyncio.create_task(consumer.run())
        try:
            expected = sorted(set(names) - lost)
            assert await until(lambda: asyncio.to_thread(lambda: replica_names(engine, tag) == expected), 10)
            behind = replica_names(engine, tag)
            await asyncio.sleep(repair.interval)  # the lost events must have settled
            repaired = await repair.repair_once()
            assert await until(lambda: asyncio.to_thread(lambda: replica_names(engine, tag) == names), 10)
            again = await repair.repair_once()  # nothing missing any more
            # a re-publish of what the consumer has (a repair racing a slow delivery) changes nothing
            with engine.connect() as conn:
                every_id = list(conn.scalars(select(outbox.c.event_id)))
            r = await upstream.post(f"{owner}{REPUBLISH_PATH}", json={"event_ids": every_id}, timeout=5)
            assert r.status_code == 200 and r.json()["republished"] == len(every_id)
            info = await js.consumer_info(link.stream, consumer.name)
            assert await until(lambda: _drained(js, link, consumer), 10), info
            cursor = await confirmed_through(js, "demo", consumer.name)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await js.delete_consumer(link.stream, consumer.name)
            await link.close()
            await upstream.close()
        return behind, repaired, again, cursor

    behind, repaired, again, cursor = asyncio.run(scenario())
    assert behind == sorted(set(names) - lost)  # the replica was behind the owner
    assert repaired == 2 and again == 0
    assert replica_names(engine, tag) == names  # exact again: each widget once
    with engine.connect() as conn:
        assert cursor == conn.scalar(select(func.max(outbox.c.id)))  # confirmed through the whole outbox
    labels = {"service": "gaptest", "consumer": f"gap-{tag}"}
    assert REGISTRY.get_sample_value("tt_events_repaired_total", labels) == 2


def test_the_repair_routes_are_internal_only(owner, identity_codec):
    admin = identity_headers(identity_codec, user_id=1, is_admin=True, scopes=("admin:all",))
    for path, body in (("/internal/events/published", {"subject": SUBJECT}), (REPUBLISH_PATH, {"event_ids": ["x"]})):
        assert httpx.post(f"{owner}{path}", json=body, headers=admin).status_code == 403
        assert httpx.post(f"{owner}{path}", json=body).status_code == 401
    internal = {"x-tt-identity": identity_codec.sign(Identity(user_id=None, service="gaptest"))}
    r = httpx.post(f"{owner}/internal/events/published", json={"subject": ""}, headers=internal)
    assert r.status_code == 400 and r.json()["error_code"] == "validation_error"


def _from_now() -> dict:
    return {"deliver_policy": "by_start_time", "opt_start_time": datetime.now(UTC).isoformat()}


async def _drained(js, link, consumer) -> bool:
    info = await js.consumer_info(link.stream, consumer.name)
    return not info.num_pending and not info.num_ack_pending


def test_published_rows_stay_until_every_consumer_confirmed_them_or_the_bounded_time(engine, infra_urls):
    """The relay's purge: a row no consumer confirmed stays until the bound; one every durable
    consumer of the owner's events confirmed goes once an hour old; a young one stays."""
    owner = f"purge{uuid.uuid4().hex[:6]}"
    link = NatsLink(infra_urls["nats"], name=owner)
    relay = OutboxRelay(engine=engine, table=outbox, link=link, keep_published_seconds=86400)

    def rows(*ages_hours: float) -> list[int]:
        with engine.begin() as conn:
            return list(
                conn.scalars(
                    insert(outbox)
                    .values(
                        [
                            {
                                "event_id": str(uuid.uuid4()),
                                "subject": f"tt.{owner}.thing.added",
                                "payload": {},
                                "created_at": func.now(),
                                "published_at": func.now() - timedelta(hours=h),
                            }
                            for h in ages_hours
                        ]
                    )
                    .returning(outbox.c.id)
                )
            )

    def left(ids: list[int]) -> list[int]:
        with engine.connect() as conn:
            return sorted(conn.scalars(select(outbox.c.id).where(outbox.c.id.in_(ids))))

    async def scenario():
        js = await link.jetstream()
        durables = [f"{owner}-a", f"{owner}-b"]
        for durable in durables:
            await js.add_consumer(link.stream, durable_name=durable, filter_subject=f"tt.{owner}.thing.>")
        try:
            old, older, young, expired = rows(3, 2, 0.1, 25)
            no_cursor = await relay._confirmed_by_every_consumer()
            await asyncio.to_thread(relay._purge, no_cursor)
            after_age_only = left([old, older, young, expired])
            await confirm(js, owner, durables[0], young)
            one_cursor = await relay._confirmed_by_every_consumer()
            await confirm(js, owner, durables[1], older)  # b has confirmed less than a
            both = await relay._confirmed_by_every_consumer()
            await asyncio.to_thread(relay._purge, both)
            return no_cursor, after_age_only, one_cursor, both, left([old, older, young]), (old, older, young, expired)
        finally:
            for durable in durables:
                await js.delete_consumer(link.stream, durable)
            await link.close()

    no_cursor, after_age_only, one_cursor, both, final, (old, older, young, expired) = asyncio.run(scenario())
    assert no_cursor is None and after_age_only == [old, older, young]  # only the one past the bound went
    assert one_cursor is None  # b has not confirmed anything yet
    assert both == older
    assert final == [young]  # confirmed by both and an hour old: gone; the young one stays
