"""Durable consumer: an event applied and its id recorded in one transaction; redelivery is a no-op."""

import asyncio
import uuid

import nats
import pytest
from demo_service import metadata, processed
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, insert, select
from sqlalchemy import event as sa_event

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


def add_names(session, envelopes: list[EventEnvelope]) -> None:
    """A batch handler: one multi-row insert; fails like `add_name` on a `fail` event."""
    if any(envelope.data.get("fail") for envelope in envelopes):
        raise RuntimeError("batch handler failure")
    session.execute(insert(tally), [{"name": envelope.data["name"]} for envelope in envelopes])


def test_a_batch_records_its_ids_in_one_statement_and_hands_on_the_fresh_ones_in_order(engine, infra_urls):
    seen = []
    c = consumer(engine, infra_urls)
    c.batch_handler = lambda session, envelopes: seen.append([e.data["name"] for e in envelopes])
    tag = uuid.uuid4().hex[:6]
    events = [EventEnvelope(type="tt.demo.tally.added", source="demo", data={"name": f"{tag}-{i}"}) for i in range(4)]
    assert c.apply(events[1]) is True  # processed before: not handed on again
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(engine, "before_cursor_execute", listen)
    try:
        fresh = c.apply_all([events[0], events[1], events[2], events[0], events[3]])
    finally:
        sa_event.remove(engine, "before_cursor_execute", listen)
    assert fresh == 3
    assert seen == [[f"{tag}-0", f"{tag}-2", f"{tag}-3"]]
    assert sum("processed_events" in sql for sql in statements) == 1
    assert c.apply_all(events) == 0 and len(seen) == 1  # a redelivered batch reaches no handler


def test_without_a_batch_handler_the_fresh_events_go_one_by_one_in_one_transaction(engine, infra_urls):
    c = consumer(engine, infra_urls)
    tag = uuid.uuid4().hex[:6]
    events = [EventEnvelope(type="tt.demo.tally.added", source="demo", data={"name": f"seq-{tag}"}) for _ in range(3)]
    assert c.apply_all([*events, events[0]]) == 3
    assert c.apply_all(events) == 0
    assert count(engine, f"seq-{tag}") == 3


def test_a_failing_batch_handler_falls_back_to_one_by_one(engine, infra_urls):
    """The batch rolls back (its ids too); each event is then applied alone, so only the
    poison one waits for redelivery, and a malformed one is dropped."""
    subject = f"tt.demo.batch{uuid.uuid4().hex[:6]}.added"

    def strict(session, envelope):
        required(envelope.data, "name")
        add_name(session, envelope)

    c = consumer(engine, infra_urls)
    c.handler, c.batch_handler, c.subject = strict, add_names, subject
    good = [EventEnvelope(type=subject, source="demo", data={"name": f"good-{subject}"}) for _ in range(4)]
    poison = EventEnvelope(type=subject, source="demo", data={"name": f"bad-{subject}", "fail": True})
    malformed = EventEnvelope(type=subject, source="demo", data={"other": 1})

    async def scenario():
        js = await c.link.jetstream()
        for envelope in (good[0], poison, good[1], malformed, *good[2:]):
            await js.publish(envelope.type, envelope.to_json(), headers={"Nats-Msg-Id": envelope.id})
        task = asyncio.create_task(c.run())
        for _ in range(50):
            if count(engine, f"good-{subject}") == 4:
                break
            await asyncio.sleep(0.1)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        info = await js.consumer_info(c.link.stream, c.name)
        await js.delete_consumer(c.link.stream, c.name)
        await c.link.close()
        return info

    info = asyncio.run(scenario())
    assert count(engine, f"good-{subject}") == 4
    assert info.num_ack_pending + info.num_pending == 1  # the poison event only
