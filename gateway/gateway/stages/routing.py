"""Stage 3: routing, before any authentication (CONVENTIONS §1).

The gateway's own endpoints (info, health, OpenAPI, docs, probes) are answered here. Other
paths are looked up in the route table built from the services' OpenAPI: wrong method → 405
`method_not_allowed` (with `Allow`), unknown path → 404 `not_found`, a path owned by a
deployed service whose OpenAPI is not loaded yet → 503 `service_unavailable`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http import RequestContext, send_status_error
from gateway.metrics import UPSTREAM_ERRORS
from gateway.routes.registry import RouteRegistry
from gateway.routes.table import normalize


class RoutingStage:
    def __init__(self, app: ASGIApp, *, registry: RouteRegistry, own: dict[str, dict[str, ASGIApp]]) -> None:
        """`own`: the gateway's own endpoints, path → {method → ASGI handler}."""
        self.app = app
        self.registry = registry
        self.own = own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope["path"]
        path = normalize(raw)
        method = scope["method"]
        own = self.own.get(path)
        if own is not None:
            handler = own.get(method)
            if handler is None:
                allow = ", ".join(sorted(own)).encode()
                await send_status_error(scope, send, 405, headers=[(b"allow", allow)])
                return
            ctx: RequestContext = scope["tt"]
            ctx.template = path
            await handler(scope, receive, send)
            return
        op, entry = self.registry.table.resolve(method, path)
        if op is None:
            if entry is not None:
                await send_status_error(scope, send, 405, headers=[(b"allow", entry.allow)])
            elif (service := self.registry.unavailable(path)) is not None:
                UPSTREAM_ERRORS.labels(service, "not_loaded").inc()
                await send_status_error(
                    scope, send, 503, f"The {service} service is unavailable", headers=[(b"retry-after", b"1")]
                )
            else:
                await send_status_error(scope, send, 404)
            return
        ctx = scope["tt"]
        ctx.route = op
        upstream = scope.get("raw_path") or raw.encode()
        if path != raw and not entry.slash:
            upstream = upstream.rstrip(b"/")
        elif entry.slash and not upstream.endswith(b"/"):
            upstream += b"/"
        ctx.upstream_path = upstream
        await self.app(scope, receive, send)
