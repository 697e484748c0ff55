"""Read-your-writes for the read models (reporting.md preamble).

Before a report is computed, the tracking replica catches up with tracking's committed state
(`shared.consistency`: tracking publishes what it committed, this service's tracking consumer
applies up to there). A write the caller saw acknowledged is therefore in the answer. Bounded by
`TT_FRESHNESS_TIMEOUT_SECONDS`: past it, or when tracking or NATS cannot be reached, the report
is answered from what has been applied and says so.

Every response of a read model carries:
- `X-TT-Freshness`: `current` (caught up as above), `stale` (could not catch up in time) or
  `eventual` (the caller sent `X-TT-Consistency: eventual`: no wait, the cheapest read);
- `X-TT-Data-As-Of`: when the newest tracking event applied here happened.

An error standing for the answer (`errors.OwnBodyError`: the forecast's own failure bodies)
carries both headers too; other errors are the standard error JSON, with `X-TT-Freshness` only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy import select

from reporting.errors import OwnBodyError
from reporting.events import TRACKING_CONSUMER
from reporting.models import AppliedPosition
from shared.consistency import CURRENT, EVENTUAL, FRESHNESS_HEADER, STALE, catch_up_async, note_freshness
from shared.db import SessionDep
from shared.timefmt import iso_utc

CONSISTENCY_HEADER = "x-tt-consistency"


@dataclass(frozen=True, slots=True)
class Freshness:
    state: str  # current | stale | eventual
    as_of: datetime | None

    @property
    def headers(self) -> dict[str, str]:
        """For handlers that build their own response (exports)."""
        headers = {FRESHNESS_HEADER: self.state}
        if self.as_of is not None:
            headers["X-TT-Data-As-Of"] = iso_utc(self.as_of)
        return headers


async def fresh_reads(request: Request, response: Response, session: SessionDep) -> AsyncIterator[Freshness]:
    """Dependency of every read-model route; declare it after the route's identity so a
    refused caller never waits."""
    settings = request.app.state.settings
    if not settings.read_your_writes or request.headers.get(CONSISTENCY_HEADER, "").lower() == EVENTUAL:
        state = EVENTUAL
        note_freshness(state)
    else:
        caught_up = await catch_up_async("tracking", timeout=settings.freshness_timeout_seconds)
        state = CURRENT if caught_up else STALE
    query = select(AppliedPosition.event_at).where(AppliedPosition.consumer == TRACKING_CONSUMER)
    as_of = await asyncio.to_thread(lambda: session.execute(query).scalar_one_or_none())
    fresh = Freshness(state, as_of)
    if as_of is not None:
        response.headers["X-TT-Data-As-Of"] = iso_utc(as_of)
    try:
        yield fresh
    except OwnBodyError as exc:
        exc.headers = {**fresh.headers, **(exc.headers or {})}
        raise


# Function scope: the exit above runs when the endpoint raises, before the error is rendered.
FreshDep = Annotated[Freshness, Depends(fresh_reads, scope="function")]
