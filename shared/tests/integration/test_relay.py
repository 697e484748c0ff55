"""The outbox relay on a real NATS: everything committed reaches the stream once, in outbox
order, across batches; what JetStream does not acknowledge stays unpublished."""

import asyncio
import uuid

import nats
import pytest
from demo_service import metadata, outbox
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from shared.events import record_many
from shared.events.link import NatsLink
from shared.events.outbox import session_info
from shared.events.relay import OutboxRelay, PublishIncomplete


@pytest.fixture
def engine(scratch_db_url):
    engine = create_engine(scratch_db_url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(outbox.delete())
    yield engine
    engine.dispose()


def queue(engine, subject: str, n: int) -> list[str]:
    with Session(engine, info=session_info(outbox)) as session, session.begin():
        envelopes = record_many(session, source="demo", type=subject, items=[(i, {"n": i}) for i in range(n)])
    return [e.id for e in envelopes]


def unpublished(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))


async def stream_ids(url: str, subject: str) -> list[str]:
    nc = await nats.connect(url)
    try:
        sub = await nc.jetstream().subscribe(subject, ordered_consumer=True)
        ids = []
        while True:
            try:
                msg = await sub.next_msg(timeout=1)
            except nats.errors.TimeoutError:
                return ids
            ids.append(msg.headers["Nats-Msg-Id"])
    finally:
        await nc.close()


def test_three_batches_reach_the_stream_once_each_in_outbox_order(engine, infra_urls):
    subject = f"tt.demo.relay{uuid.uuid4().hex[:8]}.added"
    ids = queue(engine, subject, 1200)  # more than two of the relay's batches

    async def scenario():
        relay = OutboxRelay(engine=engine, table=outbox, link=NatsLink(infra_urls["nats"], name="relay-test"))
        await relay.drain()
        await relay.drain()  # nothing left: publishes nothing again
        return await stream_ids(infra_urls["nats"], subject)

    assert asyncio.run(scenario()) == ids
    assert unpublished(engine) == 0


def test_events_no_stream_acknowledges_stay_in_the_outbox(engine, infra_urls):
    queue(engine, f"nostream.demo.{uuid.uuid4().hex[:8]}.added", 3)  # no stream captures the subject

    async def scenario():
        relay = OutboxRelay(engine=engine, table=outbox, link=NatsLink(infra_urls["nats"], name="relay-test"))
        with pytest.raises(PublishIncomplete):
            await relay.drain()

    asyncio.run(scenario())
    assert unpublished(engine) == 3
