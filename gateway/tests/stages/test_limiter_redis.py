"""The Redis sliding-log limiter against real Redis, and its switch to the in-process log
(and back) when Redis goes away."""

import asyncio
import random
import socket
import subprocess
import time
import uuid

import pytest
import redis

from gateway.limiter import RateLimiter
from gateway.slidinglog import SlidingLog
from shared.embedded import EmbeddedServices, free_port, wait_for_port

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.0


@pytest.fixture
def prefix() -> str:
    return f"tt-gw-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def limiter(infra_urls, prefix):
    rl = RateLimiter(infra_urls["redis"], prefix=prefix)
    yield rl
    await rl.close()


async def test_exact_counts_with_a_driven_clock(limiter):
    results = [await limiter.hit("t:1", 3, 5, now=T0 + i) for i in range(4)]
    assert [d.allowed for d in results] == [True, True, True, False]
    assert [d.remaining_per_minute for d in results] == [2, 1, 0, 0]
    assert [d.remaining_per_hour for d in results] == [4, 3, 2, 2]
    assert results[3].retry_after == 57 and results[3].reset == int(T0) + 60
    assert limiter.mode == "redis"

    assert (await limiter.hit("t:1", 3, 5, now=T0 + 60)).allowed  # the first one left the minute
    fifth = await limiter.hit("t:1", 3, 5, now=T0 + 61)
    assert fifth.allowed and fifth.remaining_per_hour == 0 and (fifth.limit, fifth.remaining) == (3, 0)  # tie → minute
    blocked = await limiter.hit("t:1", 3, 5, now=T0 + 62)
    assert not blocked.allowed and blocked.limit == 5
    assert blocked.retry_after == 3600 - 62 and blocked.reset == int(T0) + 3600
    assert (await limiter.hit("t:1", 3, 5, now=T0 + 3600)).allowed


async def test_rejected_requests_are_not_logged(limiter, infra_urls, prefix):
    for i in range(2):
        await limiter.hit("t:2", 2, 100, now=T0 + i)
    for i in range(50):
        assert not (await limiter.hit("t:2", 2, 100, now=T0 + 2 + i / 10)).allowed
    client = redis.Redis.from_url(infra_urls["redis"])
    try:
        assert client.zcard(f"{prefix}:t:2") == 2
        assert 0 < client.pttl(f"{prefix}:t:2") <= 3_601_000
    finally:
        client.close()


async def test_redis_agrees_with_the_local_log_on_random_traffic(limiter):
    rng = random.Random(7)
    now = T0
    local = SlidingLog()
    for _ in range(300):
        now += rng.choice([0.015625, 0.5, 3, 20, 61, 400])  # exact binary fractions
        remote = await limiter.hit("t:3", 4, 12, now=now)
        assert remote == local.hit(now, 4, 12)


async def test_replicas_share_one_budget(infra_urls, prefix):
    a = RateLimiter(infra_urls["redis"], prefix=prefix)
    b = RateLimiter(infra_urls["redis"], prefix=prefix)
    try:
        decisions = [await (a if i % 2 else b).hit("t:4", 5, 100, now=T0 + i) for i in range(8)]
        assert [d.allowed for d in decisions] == [True] * 5 + [False] * 3
    finally:
        await a.close()
        await b.close()


async def test_uses_the_redis_clock_without_a_driven_now(limiter):
    decision = await limiter.hit("t:5", 10, 100)
    assert decision.allowed and abs(decision.reset - (time.time() + 60)) < 5


async def test_concurrent_requests_never_exceed_the_limit(limiter):
    decisions = await asyncio.gather(*(limiter.hit("t:6", 25, 1000) for _ in range(200)))
    assert sum(d.allowed for d in decisions) == 25


async def test_closed_port_falls_back_within_milliseconds():
    limiter = RateLimiter(f"redis://127.0.0.1:{free_port()}/0", timeout=0.1, probe_seconds=0.05)
    try:
        started = time.perf_counter()
        decision = await limiter.hit("t:7", 2, 10)
        assert time.perf_counter() - started < 0.05
        assert decision.allowed and limiter.mode == "local-fallback"
        started = time.perf_counter()
        results = [await limiter.hit("t:7", 2, 10) for _ in range(100)]  # no request touches Redis now
        assert time.perf_counter() - started < 0.05
        assert [d.allowed for d in results[:2]] == [True, False]  # exact local log
    finally:
        await limiter.close()


async def test_a_redis_that_does_not_answer_costs_one_timeout_then_nothing():
    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        limiter = RateLimiter(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", timeout=0.08)
        try:
            started = time.perf_counter()
            first = await asyncio.gather(*(limiter.hit("t:8", 5, 10) for _ in range(10)))
            assert time.perf_counter() - started < 0.3
            assert all(d is not None for d in first) and limiter.mode == "local-fallback"
            started = time.perf_counter()
            await limiter.hit("t:8", 5, 10)
            assert time.perf_counter() - started < 0.01
        finally:
            await limiter.close()


@pytest.fixture
def own_redis():
    """A Redis server this test may stop and restart."""
    binary = EmbeddedServices.redis_binary()
    if binary is None:
        pytest.skip("no redis-server binary")
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    procs: list[subprocess.Popen] = []

    def start() -> None:
        procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for_port("127.0.0.1", port)

    def stop() -> None:
        procs[-1].terminate()
        procs[-1].wait(5)

    start()
    yield port, start, stop
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_switches_to_local_and_back_to_redis(own_redis):
    port, start, stop = own_redis
    limiter = RateLimiter(f"redis://127.0.0.1:{port}/0", probe_seconds=0.05)
    probe = asyncio.ensure_future(limiter.run())
    try:
        assert (await limiter.hit("t:9", 100, 1000)).allowed and limiter.mode == "redis"
        stop()
        started = time.perf_counter()
        assert (await limiter.hit("t:9", 100, 1000)).allowed
        assert time.perf_counter() - started < 0.2 and limiter.mode == "local-fallback"
        start()
        deadline = time.monotonic() + 5
        while limiter.mode != "redis" and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert limiter.mode == "redis"
        decision = await limiter.hit("t:9", 100, 1000)
        assert decision.allowed and decision.remaining_per_hour == 999  # a fresh Redis: its own count again
    finally:
        probe.cancel()
        await limiter.close()


async def test_script_flushed_from_redis_is_loaded_again(own_redis):
    port, _, _ = own_redis
    limiter = RateLimiter(f"redis://127.0.0.1:{port}/0")
    try:
        assert (await limiter.hit("t:10", 5, 10, now=T0)).allowed
        redis.Redis(port=port).script_flush()
        second = await limiter.hit("t:10", 5, 10, now=T0 + 1)
        assert second.allowed and second.remaining_per_minute == 3 and limiter.mode == "redis"
    finally:
        await limiter.close()
