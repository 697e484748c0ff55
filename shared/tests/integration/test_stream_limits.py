"""The event stream's limits and replicas come from settings: applied when the stream is
created, and an existing stream whose configuration differs is updated (by any number of
processes starting at once)."""

import asyncio
import uuid

import nats
import pytest
from nats.js.api import DiscardPolicy, StreamConfig
from nats.js.errors import ServerError

from shared.events.link import DEAD_LETTER_STREAM, EVENT_SUBJECTS, NatsLink, StreamLimits, ensure_stream

_REPLICAS_NEED_A_CLUSTER = 10074  # JetStream's error code


def scenario(infra_urls, steps):
    """Runs `steps(js, name, subjects)` on a stream of its own (own subjects: no overlap with
    the platform's `tt.>` stream on the shared server), deleted afterwards."""
    tag = uuid.uuid4().hex[:8]
    name, subjects = f"TTLIMITS_{tag}", (f"ttlimits{tag}.>",)

    async def run():
        nc = await nats.connect(infra_urls["nats"])
        js = nc.jetstream()
        try:
            return await steps(js, name, subjects)
        finally:
            await js.delete_stream(name)
            await nc.close()

    return asyncio.run(run())


def test_a_new_stream_is_created_with_the_configured_limits(infra_urls):
    limits = StreamLimits(replicas=1, max_age_seconds=3 * 86400, max_bytes=64 * 1024 * 1024)

    async def steps(js, name, subjects):
        await ensure_stream(js, name, subjects, limits)
        return (await js.stream_info(name)).config

    config = scenario(infra_urls, steps)
    assert config.max_age == 3 * 86400
    assert config.max_bytes == 64 * 1024 * 1024
    assert config.num_replicas == 1
    assert config.discard == DiscardPolicy.NEW  # a full stream refuses events; it never drops history
    assert config.duplicate_window == 20 * 60


def test_by_default_the_stream_keeps_every_event(infra_urls):
    async def steps(js, name, subjects):
        await ensure_stream(js, name, subjects, StreamLimits())
        return (await js.stream_info(name)).config

    config = scenario(infra_urls, steps)
    assert (config.max_age, config.max_bytes, config.num_replicas) == (0, -1, 1)


def test_an_existing_stream_is_updated_to_new_limits_by_replicas_starting_at_once(infra_urls):
    limits = StreamLimits(max_age_seconds=7 * 86400, max_bytes=32 * 1024 * 1024)

    async def steps(js, name, subjects):
        # as the code before limits created it: no age or size limit
        await js.add_stream(StreamConfig(name=name, subjects=list(subjects), duplicate_window=1200))
        await js.publish(subjects[0].replace(">", "kept"), b"{}")
        await asyncio.gather(*(ensure_stream(js, name, subjects, limits) for _ in range(4)))
        return await js.stream_info(name)

    info = scenario(infra_urls, steps)
    assert (info.config.max_age, info.config.max_bytes) == (7 * 86400, 32 * 1024 * 1024)
    assert info.state.messages == 1  # updated in place, not recreated


def test_a_link_without_limits_leaves_an_existing_stream_as_it_is(infra_urls):
    """The gateway and tests open links without limits: they must not undo an operator's."""
    limits = StreamLimits(max_age_seconds=86400)

    async def steps(js, name, subjects):
        await ensure_stream(js, name, subjects, limits)
        await ensure_stream(js, name, subjects, None)
        return (await js.stream_info(name)).config

    assert scenario(infra_urls, steps).max_age == 86400


def test_the_link_creates_the_dead_letter_stream_outside_the_event_subjects(infra_urls):
    async def run():
        link = NatsLink(infra_urls["nats"], name="test")
        js = await link.jetstream()
        try:
            return await js.stream_info(DEAD_LETTER_STREAM), await js.stream_info(link.stream)
        finally:
            await link.close()

    dead_letters, events = asyncio.run(run())
    assert dead_letters.config.subjects == ["ttdlq.>"]
    assert events.config.subjects == list(EVENT_SUBJECTS)


def test_an_age_limit_below_the_duplicate_window_shortens_the_window(infra_urls):
    async def steps(js, name, subjects):
        await ensure_stream(js, name, subjects, StreamLimits(max_age_seconds=300))
        return (await js.stream_info(name)).config

    config = scenario(infra_urls, steps)
    assert (config.max_age, config.duplicate_window) == (300, 300)


def test_the_replica_count_is_applied_to_an_existing_stream(infra_urls):
    """(A single server keeps one copy whatever it says; a cluster places the count.)"""

    async def steps(js, name, subjects):
        await ensure_stream(js, name, subjects, StreamLimits())
        await ensure_stream(js, name, subjects, StreamLimits(replicas=3))
        await js.publish(subjects[0].replace(">", "still"), b"{}")
        return await js.stream_info(name)

    try:
        info = scenario(infra_urls, steps)
    except ServerError as exc:  # newer servers refuse it outright unless clustered
        if exc.err_code != _REPLICAS_NEED_A_CLUSTER:
            raise
        pytest.skip("this NATS server is not clustered and refuses replicas > 1")
    assert info.config.num_replicas == 3 and info.state.messages == 1
