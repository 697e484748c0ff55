"""Stage 7: usage recording (CONVENTIONS §2.4) for requests that passed authentication,
scopes and the rate limit; counted in process and flushed to the auth service in batches."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.usage import UsageRecorder


class UsageStage:
    def __init__(self, app: ASGIApp, *, usage: UsageRecorder) -> None:
        self.app = app
        self.usage = usage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        record = scope["tt"].record
        if record is not None:
            self.usage.record(record.token_id)
        await self.app(scope, receive, send)
