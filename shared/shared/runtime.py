"""A service process's runtime: what its requests and background tasks run on, built once.

`build_runtime` makes the database engine and sessions, the NATS link, the outbox relay, the
durable consumers, the signed client for other services (`Upstream`) and the read-your-writes
catch-up (`ReplicaSync`) and the gap repair (`GapRepair`); `ServiceRuntime.running()` runs the
relay, the consumers and the repair for the
process's lifetime and closes everything after. No HTTP wiring here: that is `shared.app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, MetaData, Table
from sqlalchemy.orm import Session, sessionmaker

from shared.db import create_db_engine, new_sessionmaker
from shared.events.catchup import ReplicaSync
from shared.events.consumer import BatchHandler, DurableConsumer, Handler
from shared.events.link import NatsLink, StreamLimits
from shared.events.outbox import OUTBOX_TABLE, PROCESSED_EVENTS_TABLE, session_info
from shared.events.relay import OutboxRelay
from shared.events.repair import GapRepair
from shared.identity import IdentityCodec
from shared.settings import PlatformSettings
from shared.upstream import Upstream

log = logging.getLogger(__name__)
# How long the relay and the consumers get to stop on shutdown.
SHUTDOWN_SECONDS = 5.0


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable subscription of a service: `name` is the durable name, unique per service.

    `handler` applies one event; `batch_handler`, when given, applies a fetched batch's fresh
    events at once (in stream order, each id once) and must end where `handler` applied one by
    one would."""

    name: str
    subject: str
    handler: Handler
    batch_handler: BatchHandler | None = None


@dataclass(frozen=True, slots=True)
class ServiceRuntime:
    engine: Engine
    sessions: sessionmaker[Session]
    link: NatsLink
    relay: OutboxRelay
    consumers: tuple[DurableConsumer, ...]
    codec: IdentityCodec
    upstream: Upstream
    sync: ReplicaSync
    repair: GapRepair | None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The relay and the consumers run while inside; on the way out they stop and the
        clients, the NATS link and the engine's pool are closed."""
        tasks = [asyncio.create_task(self.relay.run(), name="outbox-relay")]
        tasks += [asyncio.create_task(c.run(), name=f"consumer-{c.name}") for c in self.consumers]
        if self.repair is not None:
            tasks.append(asyncio.create_task(self.repair.run(), name="gap-repair"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            # bounded: a NATS call that never returns (an unsubscribe on a stuck connection)
            # must not hold the process's shutdown; the stream keeps unacknowledged messages
            _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)
            for task in pending:
                log.warning("%s did not stop within %.0f s; leaving it", task.get_name(), SHUTDOWN_SECONDS)
            await self.upstream.close()
            await self.link.close()
            self.engine.dispose()


def build_runtime(
    settings: PlatformSettings,
    *,
    metadata: MetaData,
    consumers: Iterable[ConsumerSpec] = (),
    database_url: str | None = None,
) -> ServiceRuntime:
    """`metadata` holds the service's tables, the outbox and processed-events ones included."""
    engine = create_db_engine(database_url or settings.service_database_url(), pool_size=settings.database_pool_size)
    limits = StreamLimits(
        replicas=settings.nats_stream_replicas,
        max_age_seconds=settings.nats_stream_max_age_seconds,
        max_bytes=settings.nats_stream_max_bytes,
    )
    link = NatsLink(settings.nats_url, stream=settings.nats_stream, name=settings.service_name, limits=limits)
    relay = OutboxRelay(
        engine=engine,
        table=metadata.tables[OUTBOX_TABLE],
        link=link,
        poll_seconds=settings.outbox_poll_seconds,
        keep_published_seconds=settings.outbox_keep_published_seconds,
    )
    sessions = new_sessionmaker(engine)
    sessions.configure(info=session_info(metadata.tables[OUTBOX_TABLE], relay.wake))
    durables = _durable_consumers(settings, consumers, sessions, metadata.tables[PROCESSED_EVENTS_TABLE], link)
    codec = IdentityCodec(settings.identity_secret.get_secret_value(), ttl_seconds=settings.identity_ttl_seconds)
    upstream = Upstream(codec, service=settings.service_name)
    sync = ReplicaSync(
        link=link,
        upstream=upstream,
        owner_urls=settings.service_urls(),
        durables=[(c.name, c.subject) for c in durables],
        timeout=settings.catch_up_timeout_seconds,
    )
    repair = (
        GapRepair(
            link=link,
            upstream=upstream,
            owner_urls=settings.service_urls(),
            consumers=durables,
            interval=settings.event_repair_seconds,
        )
        if settings.event_repair_seconds > 0 and durables
        else None
    )
    return ServiceRuntime(
        engine=engine,
        sessions=sessions,
        link=link,
        relay=relay,
        consumers=durables,
        codec=codec,
        upstream=upstream,
        sync=sync,
        repair=repair,
    )


def _durable_consumers(
    settings: PlatformSettings,
    consumers: Iterable[ConsumerSpec],
    sessions: sessionmaker[Session],
    processed: Table,
    link: NatsLink,
) -> tuple[DurableConsumer, ...]:
    return tuple(
        DurableConsumer(
            name=settings.nats_durable_prefix + c.name,
            subject=c.subject,
            handler=c.handler,
            batch_handler=c.batch_handler,
            sessions=sessions,
            processed=processed,
            link=link,
            batch=settings.consumer_batch,
            replay_since=settings.nats_replay_since,
            max_deliver=settings.consumer_max_deliver,
        )
        for c in consumers
    )
