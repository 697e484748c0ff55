"""Rate limiter: one atomic Redis round trip per request, process-local when Redis is away.

Redis keeps one sorted set per key (score = admission time in µs). One EVALSHA per request
(redis-py's asyncio client, hiredis parser, a bounded blocking pool) runs a Lua script that drops
entries older than an hour, counts both windows, logs the request only when both are under
their limits and returns what `slidinglog.decide` needs; the clock is Redis `TIME`, so every
gateway replica agrees (tests may pass `now`). On a connection error or timeout (short socket
timeouts, no retries, a short wait for a pooled connection) Redis is marked down at once and
requests are decided by the exact in-process log until a background probe sees Redis answer
again. A script flushed from Redis (NOSCRIPT) is sent again with EVAL. Any other failure allows
the request.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import secrets
import time

import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from gateway.slidinglog import Decision, LocalLimiter, decide

log = logging.getLogger(__name__)

# Connection refused or dropped, no pooled connection free in time, no answer in time.
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError, TimeoutError)

SLIDING_LOG_LUA = """
local key = KEYS[1]
local per_minute = tonumber(ARGV[1])
local per_hour = tonumber(ARGV[2])
local now
if ARGV[3] ~= '' then
  now = tonumber(ARGV[3])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local minute_ago = string.format('(%d', now - 60000000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%d', now - 3600000000))
local count_hour = redis.call('ZCARD', key)
local count_minute = redis.call('ZCOUNT', key, minute_ago, '+inf')
local allowed = 0
if count_minute < per_minute and count_hour < per_hour then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, 3601000)
  allowed = 1
  count_minute = count_minute + 1
  count_hour = count_hour + 1
end
local oldest_hour = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local oldest_minute = redis.call('ZRANGEBYSCORE', key, minute_ago, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
return table.concat({allowed, count_minute, count_hour, oldest_minute[2] or '-', oldest_hour[2] or '-',
                     string.format('%d', now)}, ' ')
"""


def _seconds(raw: bytes) -> float | None:
    return float(raw) / 1_000_000 if raw != b"-" else None


class RateLimiter:
    def __init__(
        self,
        redis_url: str | None,
        *,
        prefix: str = "tt:rl",
        timeout: float = 0.1,
        connect_timeout: float = 0.5,
        probe_seconds: float = 0.5,
        max_connections: int = 8,
    ) -> None:
        self.prefix = prefix
        self.local = LocalLimiter()
        self.probe_seconds = probe_seconds
        self._redis: aioredis.Redis | None = None
        if redis_url:
            # No retries and short timeouts: one failure marks Redis down and the local log
            # answers at once. Connecting and waiting for a pooled connection get longer: on a
            # loop busy with a burst they are slow without Redis being down (a refused
            # connection still fails at once).
            pool = aioredis.BlockingConnectionPool.from_url(
                redis_url,
                max_connections=max_connections,
                timeout=max(timeout, connect_timeout),
                socket_connect_timeout=max(timeout, connect_timeout),
                socket_timeout=timeout,
                retry=Retry(NoBackoff(), 0),
                health_check_interval=0,
            )
            self._redis = aioredis.Redis(connection_pool=pool)
        self._sha = hashlib.sha1(SLIDING_LOG_LUA.encode()).hexdigest()
        self.redis_up = self._redis is not None
        self._nonce = f"{os.getpid()}-{secrets.token_hex(4)}-"
        self._counter = itertools.count()

    @property
    def mode(self) -> str:
        if self._redis is None:
            return "local"
        return "redis" if self.redis_up else "local-fallback"

    async def hit(self, key: str, per_minute: int, per_hour: int, *, now: float | None = None) -> Decision | None:
        """Count one request for `key`; None means the limiter failed and the request is allowed."""
        if self.redis_up:
            try:
                return await self._redis_hit(key, per_minute, per_hour, now)
            except _UNREACHABLE as exc:
                self._mark_down(exc)
            except Exception:  # noqa: BLE001 - fail open (CONVENTIONS §8.1), never fail the request
                log.exception("rate limiter failed; request allowed")
                return None
        try:
            return self.local.hit(key, time.time() if now is None else now, per_minute, per_hour)
        except Exception:  # noqa: BLE001 - fail open
            log.exception("local rate limiter failed; request allowed")
            return None

    async def _redis_hit(self, key: str, per_minute: int, per_hour: int, now: float | None) -> Decision:
        now_arg = "" if now is None else str(int(now * 1_000_000))
        member = f"{self._nonce}{next(self._counter)}"
        key = f"{self.prefix}:{key}"
        args = (1, key, per_minute, per_hour, now_arg, member)
        try:
            reply = await self._redis.execute_command("EVALSHA", self._sha, *args)
        except NoScriptError:
            reply = await self._redis.execute_command("EVAL", SLIDING_LOG_LUA, *args)  # also caches the script
        allowed, count_minute, count_hour, oldest_minute, oldest_hour, now_us = reply.split(b" ")
        return decide(
            allowed=allowed == b"1",
            count_minute=int(count_minute),
            count_hour=int(count_hour),
            oldest_minute=_seconds(oldest_minute),
            oldest_hour=_seconds(oldest_hour),
            now=float(now_us) / 1_000_000,
            per_minute=per_minute,
            per_hour=per_hour,
        )

    def _mark_down(self, exc: BaseException) -> None:
        if self.redis_up:
            log.warning("redis unreachable (%s); rate limits are process-local until it returns", exc or type(exc))
        self.redis_up = False

    async def probe(self) -> bool:
        """One PING; marks Redis up again when it answers."""
        if self._redis is None:
            return False
        try:
            await self._redis.ping()
        except _UNREACHABLE:
            return False
        except Exception:  # noqa: BLE001 - a probe reports, it does not raise
            log.debug("redis probe failed", exc_info=True)
            return False
        if not self.redis_up:
            log.info("redis is back; rate limits are shared again")
        self.redis_up = True
        return True

    async def run(self) -> None:
        """Background: probe Redis while it is down; prune idle local logs."""
        last_prune = time.monotonic()
        while True:
            await asyncio.sleep(self.probe_seconds)
            if self._redis is not None and not self.redis_up:
                await self.probe()
            if time.monotonic() - last_prune > 60:
                last_prune = time.monotonic()
                self.local.prune(time.time())

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose(close_connection_pool=True)
