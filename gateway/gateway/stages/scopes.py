"""Stage 5: the operation's scopes (CONVENTIONS §3), read from the service's OpenAPI.
A failure answers 403 before the rate limiter, so it costs no budget (§3.4)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http import RequestContext, send_api_error
from shared.identity import insufficient_scope_error, scopes_grant_any


class ScopeStage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx: RequestContext = scope["tt"]
        record, required = ctx.record, ctx.route.scopes
        if record is not None and required and not scopes_grant_any(record.scopes, required):
            await send_api_error(scope, send, insufficient_scope_error(required, record.scopes))
            return
        await self.app(scope, receive, send)
