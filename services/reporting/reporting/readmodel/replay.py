"""Recompute the read models from the event stream into a scratch schema and compare them with
the live ones: the end-to-end check that incremental application (redeliveries, late events,
moves between buckets) ends where a clean replay of the same history does.

The stream is read from its start (or `TT_NATS_REPLAY_SINCE`) with ephemeral consumers, one
per consumed subject, up to the last message present when the replay began; every event goes
through the live consumers' own per-event handlers, one at a time, so the check also holds the
live consumers' batched path (`readmodel.folding`) against the one-event path. The live
consumers are first given time to apply the same messages; the check is exact on a quiet
stream (events arriving meanwhile may be in one side only)."""

from __future__ import annotations

import asyncio
import uuid

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from reporting.consumers import consumers_for
from reporting.models import metadata
from reporting.settings import ReportingSettings
from shared.events import EventEnvelope, MalformedEvent
from shared.events.link import NatsLink

# The read models compared (the bookkeeping tables differ by design: positions, processed ids).
READ_MODELS = (
    "known_users",
    "known_clients",
    "known_projects",
    "known_tasks",
    "entries",
    "day_totals",
    "month_totals",
    "project_day_totals",
    "project_month_totals",
)
_FETCH = 500


async def _wait_for_live(link: NatsLink, settings: ReportingSettings, timeout: float) -> None:
    js = await link.jetstream()
    deadline = asyncio.get_running_loop().time() + timeout
    for spec in consumers_for(settings.zone):
        durable = settings.nats_durable_prefix + spec.name
        while asyncio.get_running_loop().time() < deadline:
            info = await js.consumer_info(settings.nats_stream, durable)
            if not info.num_pending and not info.num_ack_pending:
                break
            await asyncio.sleep(0.05)


async def _replay_into(engine: Engine, schema: str, link: NatsLink, settings: ReportingSettings) -> int:
    js = await link.jetstream()
    scratch = engine.execution_options(schema_translate_map={None: schema})
    applied = 0
    for spec in consumers_for(settings.zone):
        config = (
            ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=settings.nats_replay_since)
            if settings.nats_replay_since
            else ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
        )
        sub = await js.pull_subscribe(spec.subject, stream=settings.nats_stream, config=config)
        try:
            # Until the ephemeral consumer has nothing left: the history up to now.
            while (await sub.consumer_info()).num_pending:
                try:
                    msgs = await sub.fetch(_FETCH, timeout=1)
                except (TimeoutError, NatsTimeoutError):
                    continue
                with Session(scratch) as session, session.begin():
                    for msg in msgs:
                        try:
                            spec.handler(session, EventEnvelope.from_json(msg.data))
                        except MalformedEvent:
                            continue  # the live consumer drops it too
                for msg in msgs:
                    await msg.ack()
                applied += len(msgs)
        finally:
            await sub.unsubscribe()
    return applied


def _differences(engine: Engine, schema: str) -> dict[str, int]:
    out = {}
    with engine.connect() as conn:
        for table in READ_MODELS:
            columns = ", ".join(c.name for c in metadata.tables[table].columns)
            live = f"SELECT {columns} FROM public.{table}"
            replayed = f'SELECT {columns} FROM "{schema}".{table}'
            query = f"SELECT count(*) FROM (({live} EXCEPT ALL {replayed}) UNION ALL ({replayed} EXCEPT ALL {live})) d"
            out[table] = conn.execute(text(query)).scalar_one()
    return out


async def replay_and_compare(engine: Engine, settings: ReportingSettings, *, wait_seconds: float = 30) -> dict:
    """`{"events": n, "differences": {table: rows differing}}`; the scratch schema is dropped."""
    link = NatsLink(settings.nats_url, stream=settings.nats_stream, name="reporting-replay")
    schema = f"replay_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        metadata.create_all(conn.execution_options(schema_translate_map={None: schema}))
    try:
        await _wait_for_live(link, settings, wait_seconds)
        events = await _replay_into(engine, schema, link, settings)
        return {"events": events, "differences": _differences(engine, schema)}
    finally:
        await link.close()
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
