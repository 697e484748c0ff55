"""The last stage: forward the request to its service over pooled keep-alive connections.

Hop-by-hop headers and the caller's credentials are dropped (and any `x-tt-identity` the
caller tried to send); the signed identity, `X-Request-ID` and `X-Forwarded-*` are added.
The response streams back unchanged (raw bytes, content-encoding kept) plus the headers the
stages queued. Transport failures become the standard error body: connect → 503,
timeout → 504, anything else → 502.
"""

from __future__ import annotations

import logging

import httpx
from starlette.types import Receive, Scope, Send

from gateway.http import RequestContext, send_status_error
from gateway.settings import GatewaySettings
from shared.identity import IDENTITY_HEADER

log = logging.getLogger(__name__)

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"transfer-encoding",
        b"te",
        b"trailer",
        b"upgrade",
        b"proxy-authorization",
        b"proxy-authenticate",
    }
)
_DROP_REQUEST = HOP_BY_HOP | {
    b"host",
    b"content-length",
    b"authorization",
    b"x-api-key",
    IDENTITY_HEADER.encode(),
    b"x-request-id",
    b"x-forwarded-for",
    b"x-forwarded-proto",
    b"x-forwarded-host",
}
# The gateway's server adds its own `date` and `server`; the rate-limit and request-id headers are ours.
_DROP_RESPONSE = HOP_BY_HOP | {
    b"date",
    b"server",
    b"x-request-id",
    b"x-ratelimit-limit",
    b"x-ratelimit-remaining",
    b"x-ratelimit-reset",
}
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_IDENTITY = IDENTITY_HEADER.encode()


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int) -> bytes:
    message = await receive()
    body = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    size = len(body)
    while message.get("more_body", False):
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _connection_tokens(headers: list[tuple[bytes, bytes]]) -> frozenset[bytes]:
    """Headers named in `Connection:` are hop-by-hop too (RFC 9110 §7.6.1)."""
    for key, value in headers:
        if key == b"connection":
            return frozenset(t.strip().lower() for t in value.split(b",")) - {b"keep-alive", b"close"}
    return frozenset()


class Proxy:
    def __init__(self, settings: GatewaySettings, services: dict[str, str], *, max_body: int = 32 * 1024 * 1024):
        timeout = httpx.Timeout(
            connect=settings.upstream_connect_timeout,
            read=settings.upstream_read_timeout,
            write=settings.upstream_write_timeout,
            pool=settings.upstream_pool_timeout,
        )
        limits = httpx.Limits(
            max_connections=settings.upstream_max_connections,
            max_keepalive_connections=settings.upstream_max_keepalive,
            keepalive_expiry=4.0,  # below the services' 5 s keep-alive, so they never close first
        )
        # One pool per service: a slow service cannot take the connections of the others.
        self.clients = {
            name: httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False, trust_env=False)
            for name in services
        }
        self.base_urls = {name: url.encode() for name, url in services.items()}
        self.max_body = max_body
        self.trust_forwarded_for = settings.trust_forwarded_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx: RequestContext = scope["tt"]
        service = ctx.route.service
        client = self.clients[service]
        try:
            body = await read_body(receive, self.max_body)
        except BodyTooLarge:
            await send_status_error(scope, send, 413, "Request body too large")
            return
        url = self.base_urls[service] + ctx.upstream_path
        if scope["query_string"]:
            url += b"?" + scope["query_string"]
        method = scope["method"]
        request = client.build_request(
            method, url.decode("latin-1"), headers=self._request_headers(scope, ctx), content=body or None
        )
        try:
            response = await self._send(client, request, method)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            await send_status_error(scope, send, 503, f"The {service} service is unavailable")
            return
        except httpx.TimeoutException:
            await send_status_error(scope, send, 504, f"The {service} service did not answer in time")
            return
        except httpx.HTTPError as exc:
            log.warning("%s %s → %s failed: %r", method, scope["path"], service, exc)
            await send_status_error(scope, send, 502, f"The {service} service failed to answer")
            return
        try:
            await self._relay(response, scope, send, ctx)
        finally:
            await response.aclose()

    async def _send(self, client: httpx.AsyncClient, request: httpx.Request, method: str) -> httpx.Response:
        try:
            return await client.send(request, stream=True)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            # Typically a pooled connection the service closed as we reused it; safe to resend
            # only when repeating the request cannot change the outcome.
            if method not in _IDEMPOTENT:
                raise
            return await client.send(request, stream=True)

    def _request_headers(self, scope: Scope, ctx: RequestContext) -> list[tuple[bytes, bytes]]:
        raw = scope["headers"]
        extra = _connection_tokens(raw)
        forwarded_for = None
        host = None
        headers = []
        for key, value in raw:
            if key in _DROP_REQUEST or key in extra:
                if key == b"x-forwarded-for":
                    forwarded_for = value
                elif key == b"host":
                    host = value
                continue
            headers.append((key, value))
        peer = scope["client"][0].encode() if scope.get("client") else b""
        if self.trust_forwarded_for and forwarded_for:
            peer = forwarded_for + b", " + peer
        headers.append((b"x-forwarded-for", peer))
        headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode()))
        if host is not None:
            headers.append((b"x-forwarded-host", host))
        headers.append((b"x-request-id", ctx.request_id.encode("latin-1")))
        if ctx.identity is not None:
            headers.append((_IDENTITY, ctx.identity.encode()))
        return headers

    async def _relay(self, response: httpx.Response, scope: Scope, send: Send, ctx: RequestContext) -> None:
        headers = [(k.lower(), v) for k, v in response.headers.raw]
        skip = _connection_tokens(headers)
        out = [(k, v) for k, v in headers if k not in _DROP_RESPONSE and k not in skip]
        if ctx.cors:
            out = [(k, v) for k, v in out if not k.startswith(b"access-control-")]
        out.extend(ctx.response_headers)
        ctx.started = True
        await send({"type": "http.response.start", "status": response.status_code, "headers": out})
        # Hold one chunk back so a single-chunk body goes out in one message.
        pending = None
        async for chunk in response.aiter_raw():
            if not chunk:
                continue
            if pending is not None:
                await send({"type": "http.response.body", "body": pending, "more_body": True})
            pending = chunk
        await send({"type": "http.response.body", "body": pending or b"", "more_body": False})

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()
