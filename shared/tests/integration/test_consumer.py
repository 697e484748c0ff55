"""Durable consumer: an event applied and its id recorded in one transaction; redelivery is a no-op."""

import asyncio
import uuid

import nats
import pytest
from demo_service import metadata, processed
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, insert, select

from shared.db import new_sessionmaker
from shared.events.consumer import DurableConsumer
from shared.events.envelope import EventEnvelope, required
from shared.events.link import NatsLink

tally_md = MetaData()
tally = Table("consumer_tally", tally_md, Column("id", Integer, primary_key=True), Column("name", String(50)))


@pytest.fixture(scope="module")
def engine(scratch_db_url):
    engine = create_engine(scratch_db_url)
    metadata.create_all(engine)
    tally_md.drop_all(engine)
    tally_md.create_all(engine)
    yield engine
    engine.dispose()


def add_name(session, envelope: EventEnvelope) -> None:
    if envelope.data.get("fail"):
        raise RuntimeError("handler failure")
    session.execute(insert(tally).values(name=envelope.data["name"]))


def count(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(tally).where(tally.c.name == name))


def consumer(engine, infra_urls, name="tally") -> DurableConsumer:
    return DurableConsumer(
        name=f"{name}-{uuid.uuid4().hex[:6]}",
        subject="tt.demo.tally.>",
        handler=add_name,
        sessions=new_sessionmaker(engine),
        processed=processed,
        link=NatsLink(infra_urls["nats"], name="test"),
    )


def test_same_event_twice_has_one_effect(engine, infra_urls):
    c = consumer(engine, infra_urls)
    envelope = EventEnvelope(type="tt.demo.tally.added", source="demo", data={"name": "twice"})
    assert c.apply(envelope) is True
    assert c.apply(envelope) is False
    assert count(engine, "twice") == 1


def test_failed_handler_records_nothing(engine, infra_urls):
    c = consumer(engine, infra_urls)
    envelope = EventEnvelope(type="tt.demo.tally.added", source="demo", data={"name": "x", "fail": True})
    with pytest.raises(RuntimeError):
        c.apply(envelope)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(processed).where(processed.c.event_id == envelope.id)) == 0


def test_redelivered_stream_message_applies_once(engine, infra_urls):
    c = consumer(engine, infra_urls)
    name = f"stream-{uuid.uuid4().hex[:6]}"
    envelope = EventEnvelope(type="tt.demo.tally.added", source="demo", data={"name": name})

    async def scenario():
        nc = await nats.connect(infra_urls["nats"])
        js = nc.jetstream()
        await c.link.jetstream()  # creates the stream when it is missing
        # the same event published twice outside the dedup window's knowledge (distinct msg ids)
        await js.publish(envelope.type, envelope.to_json(), headers={"Nats-Msg-Id": envelope.id + "-a"})
        await js.publish(envelope.type, envelope.to_json(), headers={"Nats-Msg-Id": envelope.id + "-b"})
        task = asyncio.create_task(c.run())
        for _ in range(50):
            if count(engine, name) >= 1:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await js.delete_consumer(c.link.stream, c.name)
        await c.link.close()
        await nc.close()

    asyncio.run(scenario())
    assert count(engine, name) == 1


def test_a_failing_event_in_a_batch_holds_back_only_itself(engine, infra_urls):
    """Several events fetched together are applied in one transaction; one that fails rolls the
    batch back, the others are then applied one by one and the failing one is left for later."""
    c = consumer(engine, infra_urls)
    tag = uuid.uuid4().hex[:6]
    good = [EventEnvelope(type="tt.demo.tally.added", source="demo", data={"name": f"ok-{tag}"}) for _ in range(5)]
    bad = EventEnvelope(type="tt.demo.tally.added", source="demo", data={"name": f"bad-{tag}", "fail": True})

    async def scenario():
        js = await c.link.jetstream()
        for envelope in (*good[:2], bad, *good[2:]):
            await js.publish(envelope.type, envelope.to_json(), headers={"Nats-Msg-Id": envelope.id})
        task = asyncio.create_task(c.run())
        for _ in range(50):
            if count(engine, f"ok-{tag}") == 5:
                break
            await asyncio.sleep(0.1)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        info = await js.consumer_info(c.link.stream, c.name)
        await js.delete_consumer(c.link.stream, c.name)
        await c.link.close()
        return info

    info = asyncio.run(scenario())
    assert count(engine, f"ok-{tag}") == 5
    assert info.num_ack_pending + info.num_pending >= 1  # the failing event is not acknowledged


def test_a_malformed_event_is_dropped_not_redelivered(engine, infra_urls):
    """Logged and acknowledged once, beside well-formed ones in the same batch."""

    def strict(session, envelope):
        required(envelope.data, "name")
        add_name(session, envelope)

    subject = f"tt.demo.strict{uuid.uuid4().hex[:6]}.added"  # a subject of its own: no older messages
    c = consumer(engine, infra_urls)
    c.handler, c.subject = strict, subject
    envelope = EventEnvelope(type=subject, source="demo", data={"other": 1})
    fine = [EventEnvelope(type=subject, source="demo", data={"name": f"fine-{subject}"}) for _ in range(3)]

    async def scenario():
        js = await c.link.jetstream()
        for event in (fine[0], envelope, *fine[1:]):
            await js.publish(event.type, event.to_json(), headers={"Nats-Msg-Id": event.id})
        task = asyncio.create_task(c.run())
        await asyncio.sleep(1.5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        info = await js.consumer_info(c.link.stream, c.name)
        await js.delete_consumer(c.link.stream, c.name)
        await c.link.close()
        return info

    info = asyncio.run(scenario())
    assert info.num_ack_pending == 0 and info.num_pending == 0  # nothing waits for a retry
    assert count(engine, f"fine-{subject}") == 3
