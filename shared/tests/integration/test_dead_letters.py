"""A poison event goes to the dead letters after the allowed deliveries; the rest of its batch
is applied exactly once and the consumer goes on with later events."""

import asyncio
import uuid

import pytest
from demo_service import metadata, processed
from prometheus_client import REGISTRY
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.exc import OperationalError

from shared.db import new_sessionmaker
from shared.events.consumer import DurableConsumer
from shared.events.envelope import EventEnvelope
from shared.events.link import DEAD_LETTER_STREAM, NatsLink

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
applied_md = MetaData()
applied = Table("dead_letter_applied", applied_md, Column("id", Integer, primary_key=True), Column("name", String(80)))


@pytest.fixture(scope="module")
def engine(scratch_db_url):
    engine = create_engine(scratch_db_url)
    metadata.create_all(engine)
    applied_md.create_all(engine)
    yield engine
    engine.dispose()


def names(engine, tag: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.scalars(select(applied.c.name).where(applied.c.name.like(f"{tag}%"))))


def sample(metric: str, consumer: DurableConsumer) -> float:
    return REGISTRY.get_sample_value(metric, {"service": consumer.link.name, "consumer": consumer.name}) or 0


def new_consumer(engine, infra_urls, handler, *, max_deliver: int, subject: str) -> DurableConsumer:
    return DurableConsumer(
        name=f"dlq-{uuid.uuid4().hex[:6]}",
        subject=subject,
        handler=handler,
        sessions=new_sessionmaker(engine),
        processed=processed,
        link=NatsLink(infra_urls["nats"], name="test"),
        max_deliver=max_deliver,
    )


async def until(check, seconds: float) -> None:
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)


def test_a_poison_event_goes_to_the_dead_letters_and_the_consumer_moves_on(engine, infra_urls):
    tag = uuid.uuid4().hex[:6]
    subject = f"tt.demo.dlq{tag}.added"
    event = lambda name: EventEnvelope(type=subject, source="demo", data={"name": f"{tag}-{name}"})  # noqa: E731
    good = [event(f"good{i}") for i in range(4)]
    poison = event("poison")
    later = event("later")

    def add(session, envelope):
        if envelope.id == poison.id:
            raise RuntimeError(f"cannot apply {envelope.data['name']}")
        session.execute(insert(applied).values(name=envelope.data["name"]))

    c = new_consumer(engine, infra_urls, add, max_deliver=3, subject=subject)
    dlq_subject = f"ttdlq.{c.name}.{subject}"

    async def scenario():
        js = await c.link.jetstream()
        for envelope in (good[0], good[1], poison, good[2], good[3]):  # fetched as one batch
            await js.publish(
                subject, envelope.to_json(), headers={"Nats-Msg-Id": envelope.id, "traceparent": TRACEPARENT}
            )
        task = asyncio.create_task(c.run())
        try:

            async def dead_lettered():
                return (await js.stream_info(DEAD_LETTER_STREAM, subjects_filter=dlq_subject)).state.subjects

            await until(dead_lettered, 15)
            await js.publish(subject, later.to_json(), headers={"Nats-Msg-Id": later.id})
            await until(lambda: asyncio.to_thread(lambda: f"{tag}-later" in names(engine, tag)), 5)
            await asyncio.sleep(0.3)  # the later event's ack
            letter = await js.get_last_msg(DEAD_LETTER_STREAM, dlq_subject)
            info = await js.consumer_info(c.link.stream, c.name)
            stream_of_letter = await js.find_stream_name_by_subject(dlq_subject)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await js.delete_consumer(c.link.stream, c.name)
            await c.link.close()
        return letter, info, stream_of_letter

    letter, info, stream_of_letter = asyncio.run(scenario())
    assert stream_of_letter == DEAD_LETTER_STREAM  # not on the event stream: no `tt.>` consumer sees it
    assert letter.data == poison.to_json()  # the original payload, as published
    headers = letter.headers
    assert headers["Tt-Original-Subject"] == subject
    assert headers["Tt-Original-Msg-Id"] == poison.id
    assert headers["traceparent"] == TRACEPARENT  # the original headers travel along
    assert headers["Tt-Consumer"] == c.name
    assert headers["Tt-Deliveries"] == "3"
    assert headers["Tt-Error"] == f"RuntimeError: cannot apply {tag}-poison"
    assert names(engine, tag) == sorted(f"{tag}-good{i}" for i in range(4)) + [f"{tag}-later"]  # each once
    assert info.num_ack_pending == 0 and info.num_pending == 0
    assert sample("tt_consumer_dead_letters_total", c) == 1
    assert sample("tt_events_applied_total", c) == 5
    assert sample("tt_consumer_redeliveries_total", c) == 2  # the poison event's 2nd and 3rd delivery
    assert sample("tt_consumer_lag", c) == 0


def test_a_database_outage_never_sends_events_to_the_dead_letters(engine, infra_urls):
    """A connection failure is retried past `max_deliver`: it says nothing about the event."""
    tag = uuid.uuid4().hex[:6]
    subject = f"tt.demo.dlqdb{tag}.added"
    envelope = EventEnvelope(type=subject, source="demo", data={"name": f"{tag}-survivor"})
    failures = []

    def add(session, envelope):
        if len(failures) < 2:
            failures.append(1)
            raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))
        session.execute(insert(applied).values(name=envelope.data["name"]))

    c = new_consumer(engine, infra_urls, add, max_deliver=1, subject=subject)

    async def scenario():
        js = await c.link.jetstream()
        await js.publish(subject, envelope.to_json(), headers={"Nats-Msg-Id": envelope.id})
        task = asyncio.create_task(c.run())
        try:
            await until(lambda: asyncio.to_thread(lambda: bool(names(engine, tag))), 30)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await js.delete_consumer(c.link.stream, c.name)
            await c.link.close()

    asyncio.run(scenario())
    assert names(engine, tag) == [f"{tag}-survivor"]
    assert sample("tt_consumer_dead_letters_total", c) == 0


def test_a_message_that_is_no_event_envelope_goes_to_the_dead_letters_at_once(engine, infra_urls):
    subject = f"tt.demo.dlqraw{uuid.uuid4().hex[:6]}.added"
    c = new_consumer(engine, infra_urls, lambda session, envelope: None, max_deliver=5, subject=subject)
    dlq_subject = f"ttdlq.{c.name}.{subject}"

    async def scenario():
        js = await c.link.jetstream()
        await js.publish(subject, b"not an envelope")
        task = asyncio.create_task(c.run())
        try:

            async def dead_lettered():
                return (await js.stream_info(DEAD_LETTER_STREAM, subjects_filter=dlq_subject)).state.subjects

            await until(dead_lettered, 5)
            return await js.get_last_msg(DEAD_LETTER_STREAM, dlq_subject)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await js.delete_consumer(c.link.stream, c.name)
            await c.link.close()

    letter = asyncio.run(scenario())
    assert letter.data == b"not an envelope"
    assert letter.headers["Tt-Deliveries"] == "1"
    assert letter.headers["Tt-Error"].startswith("malformed envelope: ValidationError")
    assert sample("tt_consumer_dead_letters_total", c) == 1
