"""The request a log line belongs to: set once per request by the service middleware (or the
gateway), read by the log formatter. Sync endpoints run on worker threads with a copy of the
context, so their lines carry the ids too."""

from __future__ import annotations

import contextvars
from typing import NamedTuple


class RequestIds(NamedTuple):
    request_id: str | None
    trace_id: str | None


NO_REQUEST = RequestIds(None, None)

current_request: contextvars.ContextVar[RequestIds] = contextvars.ContextVar("tt_request_ids", default=NO_REQUEST)


class StatusNotingSend:
    """Wraps an ASGI `send`, keeping the status of the response it starts: 500 until one
    starts (what the client gets if the app raises before answering)."""

    __slots__ = ("send", "status")

    def __init__(self, send) -> None:
        self.send = send
        self.status = 500

    async def __call__(self, message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self.send(message)
