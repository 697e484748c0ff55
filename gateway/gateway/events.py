"""Token-cache eviction from the auth service's events (core NATS subscription on `tt.auth.>`).

`tt.auth.api_token.*` evicts that token, `tt.auth.user.*` every cached token of that user,
`api_token.created` also drops negative entries. Events sent while the subscription is down
are lost, so the whole cache is cleared whenever the connection drops or comes back, and the
cache uses its short TTL meanwhile. NATS being absent never affects request handling.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from nats.aio.msg import Msg

from gateway.tokens import TokenCache
from shared.events.link import NatsLink

log = logging.getLogger(__name__)

SUBJECT = "tt.auth.>"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def apply_event(cache: TokenCache, subject: str, envelope: dict[str, Any]) -> None:
    parts = subject.split(".")
    if len(parts) < 4:
        return
    entity, action = parts[2], parts[3]
    data = envelope.get("data") or {}
    if entity == "api_token":
        token_id = _int(data.get("token_id", envelope.get("entity_id")))
        if token_id is not None:
            cache.evict_token(token_id)
        if action == "created":
            cache.forget_unknown()
    elif entity == "user":
        user_id = _int(data.get("id", envelope.get("entity_id")))
        if user_id is not None:
            cache.evict_user(user_id)


class TokenEvents:
    def __init__(self, link: NatsLink, cache: TokenCache, *, poll_seconds: float = 0.2) -> None:
        self.link = link
        self.cache = cache
        self.poll_seconds = poll_seconds
        self._subscribed = False
        self._stopped = False

    def stop(self) -> None:
        """Ends `run` even if a cancellation got lost inside the NATS client."""
        self._stopped = True

    @property
    def connected(self) -> bool:
        return self._subscribed and self.link.connected

    async def _on_message(self, msg: Msg) -> None:
        try:
            envelope = orjson.loads(msg.data)
            if isinstance(envelope, dict):
                apply_event(self.cache, msg.subject, envelope)
        except Exception:  # noqa: BLE001 - one bad event must not stop the subscription
            log.warning("ignoring unreadable event on %s", msg.subject, exc_info=True)

    async def run(self) -> None:
        """Subscribe, then watch the connection; reconnect forever."""
        backoff = 0.5
        while not self._stopped:
            try:
                nc = await self.link.client()
                sub = await nc.subscribe(SUBJECT, cb=self._on_message)
                await nc.flush(timeout=2)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS absent: retry, requests go on
                log.info("revocation events not subscribed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.5
            self._subscribed = True
            self.cache.clear()  # anything cached before may have missed an event
            log.info("subscribed to %s", SUBJECT)
            try:
                await self._watch(nc)
            finally:
                self._subscribed = False
                try:
                    await sub.unsubscribe()
                except Exception:  # noqa: BLE001 - the connection may already be gone
                    log.debug("unsubscribe failed", exc_info=True)

    async def _watch(self, nc: Any) -> None:
        """Return when the connection is closed; clear the cache on every drop and return."""
        was_connected = True
        while not nc.is_closed and not self._stopped:
            await asyncio.sleep(self.poll_seconds)
            now_connected = nc.is_connected
            if now_connected != was_connected:
                self.cache.clear()
                log.warning("revocation events %s", "resumed" if now_connected else "interrupted")
                was_connected = now_connected
