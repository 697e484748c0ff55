"""The trace context of the request that recorded an event reaches the consumer's handler:
outbox row → NATS `traceparent` header → the span the handler runs under."""

import asyncio
import json
import uuid

import pytest
from demo_service import metadata, outbox, processed
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from sqlalchemy import create_engine, select

from shared.db import new_sessionmaker
from shared.events import record, record_many
from shared.events.consumer import DurableConsumer
from shared.events.link import NatsLink
from shared.events.outbox import session_info
from shared.events.relay import OutboxRelay

TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
SPAN_ID = 0xB7AD6B7169203331


@pytest.fixture(scope="module")
def engine(scratch_db_url):
    engine = create_engine(scratch_db_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def request_span() -> NonRecordingSpan:
    """The span a traced request runs under (what the gateway's traceparent continues)."""
    return NonRecordingSpan(SpanContext(TRACE_ID, SPAN_ID, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED)))


def test_a_traceparent_recorded_with_an_event_is_the_parent_of_its_handler(engine, infra_urls):
    subject = f"tt.demo.traced{uuid.uuid4().hex[:6]}.created"
    link = NatsLink(infra_urls["nats"], name="test")
    relay = OutboxRelay(engine=engine, table=outbox, link=link, poll_seconds=0.1)
    sessions = new_sessionmaker(engine)
    sessions.configure(info=session_info(outbox, relay.wake))
    with sessions() as session, session.begin(), trace.use_span(request_span()):
        traced = record(session, source="demo", type=subject, entity_id=1, data={"id": 1})
        bulk = record_many(session, source="demo", type=subject, items=[(3, {"id": 3}), (4, {"id": 4})])
    with sessions() as session, session.begin():
        untraced = record(session, source="demo", type=subject, entity_id=2, data={"id": 2})
    with engine.connect() as conn:
        stored = conn.scalar(select(outbox.c.payload).where(outbox.c.event_id == traced.id))
        stored_bulk = conn.scalars(select(outbox.c.payload).where(outbox.c.event_id.in_([e.id for e in bulk])))
        assert [p["_headers"] for p in stored_bulk] == [stored["_headers"]] * 2  # the COPY path too
    assert stored["_headers"]["traceparent"] == f"00-{TRACE_ID:032x}-{SPAN_ID:016x}-01"

    handled: dict[str, SpanContext] = {}
    c = DurableConsumer(
        name=f"traced-{uuid.uuid4().hex[:6]}",
        subject=subject,
        handler=lambda session, event: handled.setdefault(event.id, trace.get_current_span().get_span_context()),
        sessions=new_sessionmaker(engine),
        processed=processed,
        link=link,
    )

    async def scenario():
        tasks = [asyncio.create_task(relay.run()), asyncio.create_task(c.run())]
        js = await link.jetstream()
        try:
            for _ in range(100):
                if len(handled) == 4:
                    break
                await asyncio.sleep(0.1)
            return await _first(js, link.stream, subject)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await js.delete_consumer(link.stream, c.name)
            await link.close()

    published = asyncio.run(scenario())
    assert [handled[e.id].trace_id for e in (traced, *bulk)] == [TRACE_ID] * 3
    assert not handled[untraced.id].is_valid  # recorded outside a trace: no span, no parent
    assert published.headers["traceparent"] == stored["_headers"]["traceparent"]
    assert "_headers" not in json.loads(published.data)  # the body is the envelope alone


async def _first(js, stream: str, subject: str):
    """The first message on `subject` (the traced event, recorded first)."""
    sub = await js.pull_subscribe(subject, stream=stream)
    try:
        (msg,) = await sub.fetch(1, timeout=2)
        return msg
    finally:
        await sub.unsubscribe()
