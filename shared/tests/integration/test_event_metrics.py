"""Event metrics move as events flow: the outbox backlog while NATS is away and after it
returns, a consumer's lag while it works through a backlog."""

import asyncio
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from demo_service import metadata, outbox, processed
from prometheus_client import REGISTRY
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from shared.db import drop_database, ensure_database, new_sessionmaker
from shared.embedded import free_port, wait_for_port
from shared.events import record
from shared.events.consumer import DurableConsumer
from shared.events.envelope import EventEnvelope
from shared.events.link import NatsLink
from shared.events.outbox import session_info
from shared.events.relay import OutboxRelay


@pytest.fixture
def engine(infra_urls):
    """A service database of its own: the backlog counts every unpublished row of its outbox."""
    url = make_url(infra_urls["database"]).set(database=f"tt_shared_metrics_{uuid.uuid4().hex[:8]}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    engine = create_engine(rendered)
    metadata.create_all(engine)
    yield engine
    engine.dispose()
    drop_database(rendered)


def gauge(name: str, **labels) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def until(check, seconds: float) -> bool:
    for _ in range(int(seconds * 10)):
        if check():
            return True
        await asyncio.sleep(0.1)
    return False


def nats_server(port: int, store: Path) -> subprocess.Popen:
    binary = Path(sys.executable).parent / "nats-server"
    proc = subprocess.Popen(
        [str(binary), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port("127.0.0.1", port)
    return proc


def test_the_outbox_backlog_rises_while_nats_is_away_and_falls_to_zero_after(engine, tmp_path):
    port = free_port()
    service = f"metrics-{uuid.uuid4().hex[:6]}"
    relay = OutboxRelay(engine=engine, table=outbox, link=NatsLink(f"nats://127.0.0.1:{port}", name=service))
    sessions = new_sessionmaker(engine)
    sessions.configure(info=session_info(outbox, relay.wake))
    with sessions() as session, session.begin():
        for i in range(3):
            record(session, source="demo", type="tt.demo.widget.created", entity_id=i, data={"id": i})
    backlog = lambda: gauge("tt_outbox_backlog", service=service)  # noqa: E731
    age = lambda: gauge("tt_outbox_oldest_age_seconds", service=service)  # noqa: E731

    async def scenario():
        task = asyncio.create_task(relay.run())
        server = None
        try:
            assert await until(lambda: backlog() == 3, 12), "the backlog was not measured while NATS was away"
            assert age() > 0
            server = nats_server(port, tmp_path)
            assert await until(lambda: backlog() == 0, 15), "the backlog did not fall once NATS returned"
            assert age() == 0
            return await relay.link.last_sequence()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await relay.link.close()
            if server is not None:
                server.terminate()
                server.wait(10)

    assert asyncio.run(scenario()) == 3  # and the three events are on the stream


def test_a_consumers_lag_follows_its_position_in_the_stream(engine, infra_urls):
    subject = f"tt.demo.lag{uuid.uuid4().hex[:6]}.added"
    entered, release = threading.Event(), threading.Event()
    seen = []

    def slow(session, envelope):
        entered.set()
        release.wait(10)
        seen.append(envelope.id)

    c = DurableConsumer(
        name=f"lag-{uuid.uuid4().hex[:6]}",
        subject=subject,
        handler=slow,
        sessions=new_sessionmaker(engine),
        processed=processed,
        link=NatsLink(infra_urls["nats"], name="test"),
        batch=3,
    )
    lag = lambda: gauge("tt_consumer_lag", service="test", consumer=c.name)  # noqa: E731

    async def scenario():
        js = await c.link.jetstream()
        for i in range(8):
            event = EventEnvelope(type=subject, source="demo", data={"n": i})
            await js.publish(subject, event.to_json(), headers={"Nats-Msg-Id": event.id})
        task = asyncio.create_task(c.run())
        try:
            assert await until(entered.is_set, 10)
            during = lag()  # the first batch of 3 is being applied
            release.set()
            assert await until(lambda: len(seen) == 8, 10)
            assert await until(lambda: lag() == 0, 5)
            return during
        finally:
            release.set()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await js.delete_consumer(c.link.stream, c.name)
            await c.link.close()

    assert asyncio.run(scenario()) == 5
    assert REGISTRY.get_sample_value("tt_events_applied_total", {"service": "test", "consumer": c.name}) == 8
