"""Stage 1: the request id (CONVENTIONS §1). A sane `X-Request-ID` is kept, otherwise a UUID4
is generated; it is echoed on the response and forwarded to the service, and it goes in the
log context with the trace id (`gateway.observe`)."""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http import RequestContext, header
from shared.observability.context import RequestIds, current_request

_ACCEPTABLE = re.compile(rb"[\x21-\x7e]{1,200}")


class RequestIdStage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx: RequestContext = scope["tt"]
        value = header(scope, b"x-request-id")
        if value is None or _ACCEPTABLE.fullmatch(value) is None:
            value = str(uuid.uuid4()).encode()
        ctx.request_id = value.decode("latin-1")
        # Every line logged for this request from here on carries both ids (the task's context).
        current_request.set(RequestIds(ctx.request_id, ctx.trace_id))
        ctx.response_headers.append((b"x-request-id", value))
        await self.app(scope, receive, send)
