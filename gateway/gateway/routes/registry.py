"""`RouteRegistry`: each deployed service's OpenAPI, loaded at start-up, retried until it
answers and refreshed periodically; the route table is rebuilt whenever one changes."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.internal import InternalClient
from gateway.routes.prefixes import owner_of
from gateway.routes.table import RouteTable

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ServiceState:
    name: str
    url: str
    doc: dict[str, Any] | None = None
    loaded_at: float | None = None
    last_error: str | None = None

    @property
    def loaded(self) -> bool:
        return self.doc is not None


class RouteRegistry:
    """Loads each deployed service's OpenAPI at start-up, retries the missing ones in the
    background until they answer and refreshes all of them periodically."""

    def __init__(
        self,
        services: dict[str, str],
        internal: InternalClient,
        *,
        retry_seconds: float = 1.0,
        refresh_seconds: float = 60.0,
    ) -> None:
        self.services = {name: ServiceState(name, url) for name, url in services.items()}
        self.internal = internal
        self.retry_seconds = retry_seconds
        self.refresh_seconds = refresh_seconds
        self.table = RouteTable()
        self.version = 0  # bumped whenever the table changes (merged OpenAPI cache key)

    def unavailable(self, path: str) -> str | None:
        """The deployed-but-not-loaded service owning `path`, if any (→ 503)."""
        owner = owner_of(path)
        if owner is None:
            return None
        state = self.services.get(owner)
        return owner if state is not None and not state.loaded else None

    async def load(self, state: ServiceState) -> bool:
        try:
            response = await self.internal.get(f"{state.url}/openapi.json", signed=False)
            if response.status_code != 200:
                raise ValueError(f"status {response.status_code}")
            doc = orjson.loads(response.content)
            if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
                raise ValueError("not an OpenAPI document")
        except Exception as exc:  # noqa: BLE001 - a service that cannot be read is retried later
            if state.last_error is None:
                log.info("OpenAPI of %s not loaded (%s); retrying", state.name, exc)
            state.last_error = str(exc) or type(exc).__name__
            return False
        state.last_error = None
        state.loaded_at = time.time()
        if doc != state.doc:
            state.doc = doc
            self.rebuild()
            log.info("routes of %s loaded (%d paths)", state.name, len(doc["paths"]))
        return True

    def rebuild(self) -> None:
        docs = {name: s.doc for name, s in self.services.items() if s.doc is not None}
        self.table = RouteTable.from_openapi(docs)
        self.version += 1

    async def load_missing(self) -> None:
        missing = [s for s in self.services.values() if not s.loaded]
        if missing:
            await asyncio.gather(*(self.load(s) for s in missing))

    async def run(self) -> None:
        last_refresh = time.monotonic()
        while True:
            await asyncio.sleep(self.retry_seconds)
            if time.monotonic() - last_refresh >= self.refresh_seconds:
                last_refresh = time.monotonic()
                await asyncio.gather(*(self.load(s) for s in self.services.values()))
            else:
                await self.load_missing()
