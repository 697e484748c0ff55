"""Read-your-writes inside a request: a decision on a replica catches up with the owner first.

`FreshnessMiddleware` gives each request a record of the catch-ups it made; service code calls
`catch_up(owner)` (sync, from the request's worker thread) or `await catch_up_async(owner)`,
and the response says how current its decisions were in `X-TT-Freshness`: `current` when every
catch-up was confirmed, `stale` when one was not (the owner down, NATS down, or past the
timeout), absent when none was needed (the replica had the row). Outside a request (a CLI, a
test session of its own) there is nothing to catch up with: the replica's answer stands.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

import anyio.from_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.events.catchup import ReplicaSync

FRESHNESS_HEADER = "X-TT-Freshness"
_HEADER_KEY = FRESHNESS_HEADER.lower().encode()
CURRENT, STALE, EVENTUAL = "current", "stale", "eventual"


@dataclass(slots=True)
class _RequestFreshness:
    sync: ReplicaSync
    state: str | None = None
    # One catch-up per owner and request: once caught up, the replica holds every write answered
    # before this request began (a CSV of many rows naming one unknown client waits once, not
    # once a row); once failed, trying again would only make the caller wait again.
    owners: dict[str, bool] = field(default_factory=dict)

    def note(self, state: str) -> None:
        if self.state != STALE:  # one unconfirmed decision makes the whole answer stale
            self.state = state


_current: contextvars.ContextVar[_RequestFreshness | None] = contextvars.ContextVar("tt_freshness", default=None)


async def catch_up_async(owner: str, *, timeout: float | None = None) -> bool:
    request = _current.get()
    if request is None:
        return False
    caught_up = request.owners.get(owner)
    if caught_up is None:
        caught_up = request.owners[owner] = await request.sync.catch_up(owner, timeout=timeout)
        request.note(CURRENT if caught_up else STALE)
    return caught_up


def catch_up(owner: str) -> bool:
    """From a sync endpoint's worker thread: bring the replicas `owner` feeds up to its
    committed state; False when that could not be confirmed in time."""
    if _current.get() is None:
        return False
    return anyio.from_thread.run(catch_up_async, owner)


def note_freshness(state: str) -> None:
    """For a read that chose its own consistency (`eventual`)."""
    request = _current.get()
    if request is not None:
        request.note(state)


class FreshnessMiddleware:
    def __init__(self, app: ASGIApp, sync: ReplicaSync) -> None:
        self.app = app
        self.sync = sync

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = _RequestFreshness(self.sync)
        token = _current.set(request)

        async def send_with_freshness(message: Message) -> None:
            if message["type"] == "http.response.start" and request.state is not None:
                headers = list(message.get("headers", []))
                if all(key.lower() != _HEADER_KEY for key, _ in headers):  # a handler's own wins
                    headers.append((_HEADER_KEY, request.state.encode()))
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_freshness)
        finally:
            _current.reset(token)
