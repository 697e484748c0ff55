"""`POST /internal/events/flush`, the owner's half of a catch-up (`shared.events.catchup`).

Answers once the events committed before the call are published, with `position`: the stream's
last sequence then, at or after every one of them (replicas catch up to it before deciding);
503 if publishing took too long or NATS cannot be reached.

A plain Starlette route ahead of the service's routers: a flush rides on every read-your-writes
read of every replica, and FastAPI's route matching over a service's many routes and its
dependency solving cost more than the flush itself. Only platform processes may call it.
"""

from __future__ import annotations

import logging
import math

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.errors import ForbiddenError, ValidationError
from shared.events.catchup import FLUSH_PATH
from shared.events.link import NatsLink
from shared.events.relay import OutboxRelay
from shared.identity import verified_identity

log = logging.getLogger(__name__)

MAX_TIMEOUT_SECONDS = 5.0


def flush_route(relay: OutboxRelay, link: NatsLink) -> Route:
    async def flush_events(request: Request) -> JSONResponse:
        if verified_identity(request).service is None:
            raise ForbiddenError("This route is internal to the platform")
        timeout = _timeout(request.query_params.get("timeout"))
        if not await relay.flush(timeout):
            return JSONResponse({"flushed": False}, status_code=503)
        try:
            position = await link.last_sequence()
        except Exception as exc:  # noqa: BLE001 - NATS down: the caller decides on its replica
            log.debug("flush: no stream position: %r", exc)
            return JSONResponse({"flushed": True}, status_code=503)
        return JSONResponse({"flushed": True, "position": position})

    return Route(FLUSH_PATH, flush_events, methods=["POST"], include_in_schema=False)


def _timeout(raw: str | None) -> float:
    """Seconds the caller waits at most (default 1), bounded to [0, 5]."""
    if raw is None:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isnan(value):
        raise ValidationError({"timeout": ["timeout must be a number of seconds"]})
    return min(max(value, 0.0), MAX_TIMEOUT_SECONDS)
