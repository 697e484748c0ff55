"""One NATS connection per process, opened lazily and kept alive by nats-py's reconnects."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

log = logging.getLogger(__name__)

# A re-publish of the same event id inside this window is dropped by JetStream.
DUPLICATE_WINDOW_SECONDS = 20 * 60
EVENT_SUBJECTS = ("tt.>",)
# Dead letters live in a stream of their own, on subjects no `tt.>` consumer matches.
DEAD_LETTER_STREAM = "TT_DLQ"
DEAD_LETTER_SUBJECTS = ("ttdlq.>",)


@dataclass(frozen=True)
class StreamLimits:
    """How much the stream keeps and on how many JetStream nodes (settings `TT_NATS_STREAM_*`)."""

    replicas: int = 1
    max_age_seconds: float = 0  # 0: no age limit
    max_bytes: int = -1  # -1: no size limit


class NatsLink:
    def __init__(self, url: str, *, stream: str = "TT", name: str = "tt", limits: StreamLimits | None = None) -> None:
        """`name`: the service's name (the client name NATS shows, the event metrics' label).
        `limits`: what the streams are brought to; None (a reader such as the gateway, a
        test) creates missing streams with the defaults and leaves existing ones as they are."""
        self.url = url
        self.stream = stream
        self.name = name
        self.limits = limits
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def jetstream(self) -> JetStreamContext:
        """The JetStream context; connects (and creates the stream) on first use. Raises when
        NATS cannot be reached, so callers retry later instead of losing anything."""
        if self._js is not None and self._nc is not None and not self._nc.is_closed:
            return self._js
        async with self._lock:
            if self._js is None or self._nc is None or self._nc.is_closed:
                nc = await nats.connect(
                    servers=[self.url],
                    name=self.name,
                    connect_timeout=1,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.25,
                    error_cb=self._on_error,
                )
                js = nc.jetstream()
                await ensure_stream(js, self.stream, EVENT_SUBJECTS, self.limits)
                await ensure_stream(js, DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECTS, self.limits)
                self._nc, self._js = nc, js
        return self._js

    async def last_sequence(self) -> int:
        """The sequence of the newest message on the stream (0 when it is empty)."""
        js = await self.jetstream()
        return (await js.stream_info(self.stream)).state.last_seq or 0

    async def client(self) -> Client:
        await self.jetstream()
        assert self._nc is not None
        return self._nc

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            try:
                # flush what was published, then close: draining would wait on open pull
                # subscriptions for its whole timeout
                await self._nc.flush(timeout=1)
                await self._nc.close()
            except Exception:  # noqa: BLE001 - closing a broken connection must not fail shutdown
                log.debug("nats close failed", exc_info=True)
        self._nc = self._js = None

    async def _on_error(self, exc: Exception) -> None:
        log.warning("nats (%s): %s", self.name, exc)


async def ensure_stream(
    js: JetStreamContext, stream: str, subjects: tuple[str, ...], limits: StreamLimits | None
) -> None:
    """Create the stream, or bring an existing one to `limits` (None: leave it). Safe when
    several processes start at once: a lost creation race turns into the update check, and an
    update to the same configuration changes nothing."""
    try:
        config = (await js.stream_info(stream)).config
    except NotFoundError:
        try:
            await js.add_stream(
                _with_limits(StreamConfig(name=stream, subjects=list(subjects)), limits or StreamLimits())
            )
            return
        except BadRequestError:  # created meanwhile by another process
            config = (await js.stream_info(stream)).config
    if limits is None:
        return
    wanted = _with_limits(config, limits)
    if _limits_of(wanted) == _limits_of(config):
        return
    log.info("stream %s: applying limits %s", stream, limits)
    try:
        await js.update_stream(wanted)
    except BadRequestError as exc:  # e.g. more replicas than JetStream nodes: events flow on as before
        log.error("stream %s: limits %s refused by NATS (%s); keeping its configuration", stream, limits, exc)


def _with_limits(config: StreamConfig, limits: StreamLimits) -> StreamConfig:
    # A full stream refuses new events (they wait in the outbox) rather than drop old history.
    # JetStream wants the duplicate window within the age limit.
    window = min(DUPLICATE_WINDOW_SECONDS, limits.max_age_seconds or DUPLICATE_WINDOW_SECONDS)
    return config.evolve(
        num_replicas=limits.replicas,
        max_age=limits.max_age_seconds,
        max_bytes=limits.max_bytes,
        discard=DiscardPolicy.NEW if limits.max_bytes > 0 else DiscardPolicy.OLD,
        duplicate_window=window,
    )


def _limits_of(config: StreamConfig) -> tuple:
    return (
        config.num_replicas or 1,
        round(config.max_age or 0, 3),
        config.max_bytes if config.max_bytes is not None else -1,
        DiscardPolicy(config.discard or DiscardPolicy.OLD),
        round(config.duplicate_window or 0, 3),
    )
