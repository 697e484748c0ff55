"""Read-your-writes for the read models (reporting.md preamble).

Before a report is computed, tracking is asked to publish every event it has committed (its
`/internal/events/flush`), then this service waits until its tracking consumer has applied
everything on the stream up to that point. A write the caller saw acknowledged is therefore in
the answer. Bounded by `TT_FRESHNESS_TIMEOUT_SECONDS`: past it, or when tracking or NATS cannot
be reached, the report is answered from what has been applied and says so.

Every response of a read model carries:
- `X-TT-Freshness`: `current` (caught up as above), `stale` (could not catch up in time) or
  `eventual` (the caller sent `X-TT-Consistency: eventual`: no wait, the cheapest read);
- `X-TT-Data-As-Of`: when the newest tracking event applied here happened.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy import select

from reporting.events import TRACKING_CONSUMER
from reporting.models import AppliedPosition
from shared.db import SessionDep
from shared.timefmt import iso_utc

log = logging.getLogger(__name__)

CONSISTENCY_HEADER = "x-tt-consistency"
_POLL_SECONDS = 0.005
# More events than this still to apply cannot be caught up within the wait: answer at once.
_CATCH_UP_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Freshness:
    state: str  # current | stale | eventual
    as_of: datetime | None

    @property
    def headers(self) -> dict[str, str]:
        """For handlers that build their own response (exports)."""
        headers = {"X-TT-Freshness": self.state}
        if self.as_of is not None:
            headers["X-TT-Data-As-Of"] = iso_utc(self.as_of)
        return headers


async def caught_up(request: Request) -> bool:
    """True once every tracking event committed before this call has been applied here."""
    app = request.app
    settings = app.state.settings
    timeout = settings.freshness_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            if settings.tracking_url:
                flushed = await app.state.upstream.post(
                    f"{settings.tracking_url}/internal/events/flush", params={"timeout": timeout}, timeout=timeout
                )
                if flushed.status_code != 200:
                    return False
            js = await app.state.nats.jetstream()
            durable = settings.nats_durable_prefix + TRACKING_CONSUMER
            last = None  # the stream's end now: read only when the consumer is not idle
            while True:
                info = await js.consumer_info(settings.nats_stream, durable)
                if not info.num_pending and not info.num_ack_pending:
                    return True
                if info.num_pending > _CATCH_UP_LIMIT:
                    return False  # replaying history (a new or long-stopped consumer): no use waiting
                if last is None:
                    last = (await js.stream_info(settings.nats_stream)).state.last_seq
                elif info.ack_floor and (info.ack_floor.stream_seq or 0) >= last:
                    return True  # busy with newer events, but past every one this request needs
                await asyncio.sleep(_POLL_SECONDS)
    except Exception as exc:  # noqa: BLE001 - a read never fails for want of freshness
        log.debug("fresh read not confirmed: %s", exc)
        return False


async def fresh_reads(request: Request, response: Response, session: SessionDep) -> Freshness:
    """Dependency of every read-model route; declare it after the route's identity so a
    refused caller never waits."""
    settings = request.app.state.settings
    if not settings.read_your_writes or request.headers.get(CONSISTENCY_HEADER, "").lower() == "eventual":
        state = "eventual"
    else:
        state = "current" if await caught_up(request) else "stale"
    query = select(AppliedPosition.event_at).where(AppliedPosition.consumer == TRACKING_CONSUMER)
    as_of = await asyncio.to_thread(lambda: session.execute(query).scalar_one_or_none())
    fresh = Freshness(state, as_of)
    response.headers.update(fresh.headers)
    return fresh


FreshDep = Annotated[Freshness, Depends(fresh_reads)]
