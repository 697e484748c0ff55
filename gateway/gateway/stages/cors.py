"""Stage 2: CORS (CONVENTIONS §1). Every `/api/v1/*` response carries the headers; `OPTIONS`
on any `/api/v1/*` path is answered here with 204, before routing and authentication."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http import RequestContext, header

ALLOW_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = b"Authorization, Content-Type, Accept, X-Request-ID, X-API-Key, Idempotency-Key"
# Lets browser clients read the headers the gateway adds.
EXPOSE_HEADERS = b"X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"
MAX_AGE = b"600"


def is_api_v1(path: str) -> bool:
    return path.startswith("/api/v1/") or path == "/api/v1"


class CorsStage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_api_v1(scope["path"]):
            await self.app(scope, receive, send)
            return
        ctx: RequestContext = scope["tt"]
        ctx.cors = True
        ctx.response_headers.extend(
            (
                (b"access-control-allow-origin", header(scope, b"origin") or b"*"),
                (b"vary", b"Origin"),
                (b"access-control-allow-methods", ALLOW_METHODS),
                (b"access-control-allow-headers", ALLOW_HEADERS),
                (b"access-control-expose-headers", EXPOSE_HEADERS),
            )
        )
        if scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        ctx.started = True
        headers = [*ctx.response_headers, (b"access-control-max-age", MAX_AGE)]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
