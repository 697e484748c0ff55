"""What the gateway notes about each request: its trace, one sample in the HTTP metrics and one
access-log line.

The trace: the caller's valid `traceparent` is kept (a new one made up otherwise) and forwarded
to the service, so the gateway's and the service's lines carry the same trace id. With an
exporter on, the gateway also records a server span and forwards that as the parent.

The access line has the method, the route template (the path, without query string, when no
route matched: query strings may carry secrets), status, duration, request id, trace id, user
id and upstream service; never a header value.
"""

from __future__ import annotations

import logging
import time

from starlette.types import Scope

from gateway.http import RequestContext, header
from shared.observability import tracing
from shared.observability.metrics import UNMATCHED, HttpMetrics

access_log = logging.getLogger("gateway.access")
_TRACEPARENT = tracing.TRACEPARENT.encode()
_MAX_LOGGED_PATH = 200


class RequestObserver:
    def __init__(self) -> None:
        self.metrics = HttpMetrics("gateway")

    def begin(self, scope: Scope, ctx: RequestContext) -> None:
        ctx.arrived = time.perf_counter()
        raw = header(scope, _TRACEPARENT)
        parent = tracing.incoming(raw.decode("latin-1") if raw is not None else None)
        if tracing.tracer() is None:
            ctx.trace_id, ctx.traceparent = parent.trace_id, parent.header
            return
        ctx.span = tracing.start_server_span(scope["method"], parent)
        own = tracing.span_traceparent(ctx.span)
        ctx.trace_id, ctx.traceparent = own.trace_id, own.header

    def end(self, scope: Scope, ctx: RequestContext, status: int) -> None:
        seconds = time.perf_counter() - ctx.arrived
        method = scope["method"]
        route = ctx.route.template if ctx.route is not None else ctx.template or UNMATCHED
        self.metrics.observe(route, method, status, seconds)
        if ctx.span is not None:
            ctx.span.update_name(f"{method} {route}")
            ctx.span.set_attribute("http.route", route)
            ctx.span.set_attribute("http.response.status_code", status)
            ctx.span.end()
        if access_log.isEnabledFor(logging.INFO):
            self._log(scope, ctx, route, status, seconds)

    @staticmethod
    def _log(scope: Scope, ctx: RequestContext, route: str, status: int, seconds: float) -> None:
        where = route if route != UNMATCHED else scope["path"][:_MAX_LOGGED_PATH]
        fields = {
            "method": scope["method"],
            "route" if route != UNMATCHED else "path": where,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "user_id": ctx.record.user_id if ctx.record is not None else None,
            "upstream": ctx.route.service if ctx.route is not None else None,
        }
        access_log.info("%s %s %d %.1fms", scope["method"], where, status, seconds * 1000, extra={"fields": fields})
