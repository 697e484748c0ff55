"""`ObservabilityMiddleware`: each request a service answers gets its request and trace ids in
the log context, a span when an exporter is on, one sample in the HTTP metrics and, at DEBUG
only (the gateway's access log is the one kept), a line of its own.

Pure ASGI. It sits innermost of the app's middleware, right outside the router, so it sees the
route the router matched (`scope["route"]`: middleware further out may hand on a copy of the
scope) and labels metrics with that route's template.
"""

from __future__ import annotations

import logging
import time

from opentelemetry import context as otel_context
from opentelemetry import trace
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.observability import tracing
from shared.observability.context import RequestIds, StatusNotingSend, current_request
from shared.observability.metrics import UNMATCHED, HttpMetrics

request_log = logging.getLogger("service.requests")
_REQUEST_ID = b"x-request-id"
_TRACEPARENT = tracing.TRACEPARENT.encode()


def route_template(scope: Scope) -> str:
    """As the OpenAPI (and so the gateway) names it: `/webhooks/{webhook_id}`, no convertor."""
    return getattr(scope.get("route"), "path_format", None) or UNMATCHED


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.metrics = HttpMetrics(service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = traceparent = None
        for key, value in scope["headers"]:
            if key == _REQUEST_ID:
                request_id = value.decode("latin-1")
            elif key == _TRACEPARENT:
                traceparent = value.decode("latin-1")
        parent = tracing.incoming(traceparent)
        span = tracing.start_server_span(scope["method"], parent) if tracing.tracer() is not None else None
        trace_context = tracing.remote_context(parent) if span is None else trace.set_span_in_context(span)
        # Never reset: the request's task ends with it, and the app's last-resort 500 handler runs
        # outside every middleware yet logs with these ids.
        current_request.set(RequestIds(request_id, parent.trace_id))
        otel_token = otel_context.attach(trace_context)
        noting = StatusNotingSend(send)
        try:
            await self.app(scope, receive, noting)
        finally:
            otel_context.detach(otel_token)
            status = noting.status
            route = route_template(scope)
            seconds = time.perf_counter() - started
            self.metrics.observe(route, scope["method"], status, seconds)
            if request_log.isEnabledFor(logging.DEBUG):
                request_log.debug("%s %s %d %.1fms", scope["method"], route, status, seconds * 1000)
            if span is not None:
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                span.end()
