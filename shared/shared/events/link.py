"""One NATS connection per process, opened lazily and kept alive by nats-py's reconnects."""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError

log = logging.getLogger(__name__)

# A re-publish of the same event id inside this window is dropped by JetStream.
DUPLICATE_WINDOW_SECONDS = 20 * 60


class NatsLink:
    def __init__(self, url: str, *, stream: str = "TT", name: str = "tt") -> None:
        self.url = url
        self.stream = stream
        self.name = name
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
                await ensure_stream(js, self.stream)
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


async def ensure_stream(js: JetStreamContext, stream: str) -> None:
    """The platform's one stream: every `tt.>` subject, deduplicated by message id."""
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(StreamConfig(name=stream, subjects=["tt.>"], duplicate_window=DUPLICATE_WINDOW_SECONDS))
