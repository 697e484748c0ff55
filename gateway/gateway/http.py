"""Per-request context shared by the stages, and the few ways the gateway answers by itself.

The context lives in `scope["tt"]`. Stages queue response headers in it (request id, CORS,
rate-limit headers) and every response the gateway produces or proxies sends them, so no
stage has to wrap `send`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.types import Scope, Send

from shared.errors import ApiError, status_error_body

if TYPE_CHECKING:
    from opentelemetry.trace import Span

    from gateway.routes.table import Operation
    from gateway.tokens import TokenRecord


class RequestContext:
    __slots__ = (
        "request_id",
        "response_headers",
        "route",
        "upstream_path",
        "record",
        "identity",
        "client_ip",
        "started",
        "cors",
        "template",
        "arrived",
        "trace_id",
        "traceparent",
        "span",
    )

    def __init__(self, client_ip: str) -> None:
        self.request_id = ""
        self.response_headers: list[tuple[bytes, bytes]] = []
        self.route: Operation | None = None  # the operation called, set by the routing stage
        self.upstream_path = b""  # raw path to forward (trailing slash as the service declares it)
        self.record: TokenRecord | None = None  # the caller's token once authenticated
        self.identity: str | None = None  # signed x-tt-identity value to forward
        self.client_ip = client_ip
        self.started = False
        self.cors = False
        self.template: str | None = None  # the gateway's own endpoint answered, for metrics
        self.arrived = 0.0  # perf_counter at arrival
        self.trace_id = ""
        self.traceparent = ""  # forwarded to the service
        self.span: Span | None = None  # recorded only with an exporter on


def context(scope: Scope) -> RequestContext:
    return scope["tt"]


def header(scope: Scope, name: bytes) -> bytes | None:
    """First value of a request header (`name` lower-case)."""
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


async def send_body(
    scope: Scope,
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes = b"application/json",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    ctx: RequestContext = scope["tt"]
    out = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if headers:
        out.extend(headers)
    out.extend(ctx.response_headers)
    ctx.started = True
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""})


async def send_json(
    scope: Scope, send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send_body(scope, send, status, orjson.dumps(body), headers=headers)


async def send_status_error(
    scope: Scope, send: Send, status: int, message: str | None = None, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """The standard error body for a bare status (404, 405, 502, 503, 504 …)."""
    await send_json(scope, send, status, status_error_body(status, message), headers)


async def send_api_error(scope: Scope, send: Send, exc: ApiError) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (exc.headers or {}).items()]
    await send_json(scope, send, exc.status_code, exc.body(), headers)
