"""The last stage: forward the request to its service over pooled keep-alive connections.

Hop-by-hop headers and the caller's credentials are dropped (and any `x-tt-identity` the
caller tried to send); the signed identity, `X-Request-ID` and `X-Forwarded-*` are added.
The response goes back unchanged (status, headers, raw body: content-encoding kept), plus the
headers the stages queued; large bodies stream. Transport failures become the standard error
body: connect → 503, timeout → 504, anything else → 502.
"""

from __future__ import annotations

import logging

from starlette.types import Receive, Scope, Send

from gateway.http import RequestContext, send_status_error
from gateway.settings import GatewaySettings
from gateway.upstream import (
    Connection,
    StaleConnection,
    UpstreamConnectError,
    UpstreamError,
    UpstreamPool,
    UpstreamTimeout,
)
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
    b"expect",
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
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
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
        # One pool per service: a slow service cannot take the connections of the others.
        self.pools = {
            name: UpstreamPool(
                url,
                max_connections=settings.upstream_max_connections,
                max_idle=settings.upstream_max_keepalive,
                keepalive_expiry=4.0,  # below the services' 5 s keep-alive, so they rarely close first
                connect_timeout=settings.upstream_connect_timeout,
                pool_timeout=settings.upstream_pool_timeout,
            )
            for name, url in services.items()
        }
        self.read_timeout = settings.upstream_read_timeout
        self.max_body = max_body
        self.trust_forwarded_for = settings.trust_forwarded_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx: RequestContext = scope["tt"]
        service = ctx.route.service
        pool = self.pools[service]
        try:
            body = await read_body(receive, self.max_body)
        except BodyTooLarge:
            await send_status_error(scope, send, 413, "Request body too large")
            return
        method = scope["method"]
        head = self._request_head(scope, ctx, pool, method, body)
        try:
            conn = await self._exchange(pool, head, body, method)
        except UpstreamConnectError:
            await send_status_error(scope, send, 503, f"The {service} service is unavailable")
            return
        except UpstreamTimeout:
            await send_status_error(scope, send, 504, f"The {service} service did not answer in time")
            return
        except UpstreamError as exc:
            log.warning("%s %s → %s failed: %s", method, scope["path"], service, exc)
            await send_status_error(scope, send, 502, f"The {service} service failed to answer")
            return
        await self._relay(conn, pool, scope, send, ctx)

    async def _exchange(self, pool: UpstreamPool, head: bytes, body: bytes, method: str) -> Connection:
        """Send the request; returns the connection holding the response head."""
        for attempt in (0, 1):
            conn = await pool.acquire()
            try:
                await conn.send(head, body, is_head=method == "HEAD", timeout=self.read_timeout)
                return conn
            except StaleConnection:
                # A pooled connection the service closed as we reused it: resending is safe
                # only when repeating the request cannot change the outcome.
                pool.release(conn)
                if attempt or method not in _IDEMPOTENT:
                    raise
            except BaseException:
                pool.release(conn)
                raise
        raise AssertionError("unreachable")

    def _request_head(self, scope: Scope, ctx: RequestContext, pool: UpstreamPool, method: str, body: bytes) -> bytes:
        raw = scope["headers"]
        extra = _connection_tokens(raw)
        target = pool.base_path + ctx.upstream_path
        if scope["query_string"]:
            target += b"?" + scope["query_string"]
        parts = [method.encode(), b" ", target, b" HTTP/1.1\r\nhost: ", pool.host_header, b"\r\n"]
        forwarded_for = None
        host = None
        for key, value in raw:
            if key in _DROP_REQUEST or key in extra:
                if key == b"x-forwarded-for":
                    forwarded_for = value
                elif key == b"host":
                    host = value
                continue
            parts += (key, b": ", value, b"\r\n")
        peer = scope["client"][0].encode() if scope.get("client") else b""
        if self.trust_forwarded_for and forwarded_for:
            peer = forwarded_for + b", " + peer
        parts += (b"x-forwarded-for: ", peer, b"\r\nx-forwarded-proto: ", scope.get("scheme", "http").encode())
        if host is not None:
            parts += (b"\r\nx-forwarded-host: ", host)
        parts += (b"\r\nx-request-id: ", ctx.request_id.encode("latin-1"))
        if ctx.identity is not None:
            parts += (b"\r\nx-tt-identity: ", ctx.identity.encode())
        if body or method in _BODY_METHODS:
            parts += (b"\r\ncontent-length: ", str(len(body)).encode())
        parts.append(b"\r\n\r\n")
        return b"".join(parts)

    async def _relay(self, conn: Connection, pool: UpstreamPool, scope: Scope, send: Send, ctx: RequestContext) -> None:
        headers = conn.headers
        skip = _connection_tokens(headers)
        out = [(k, v) for k, v in headers if k not in _DROP_RESPONSE and k not in skip]
        if ctx.cors:
            out = [(k, v) for k, v in out if not k.startswith(b"access-control-")]
        out.extend(ctx.response_headers)
        ctx.started = True
        if conn.complete:  # the usual case: the whole response arrived with its head
            status, body = conn.status, conn.take() if conn.chunks else b""
            pool.release(conn)
            await send({"type": "http.response.start", "status": status, "headers": out})
            await send({"type": "http.response.body", "body": body})
            return
        try:
            await send({"type": "http.response.start", "status": conn.status, "headers": out})
            # Hold one chunk back so the last piece goes out with more_body=False.
            pending = conn.take() if conn.chunks else None
            while True:
                chunk = await conn.next_chunk(self.read_timeout)
                if chunk is None:
                    break
                if pending:
                    await send({"type": "http.response.body", "body": pending, "more_body": True})
                pending = chunk
            await send({"type": "http.response.body", "body": pending or b""})
        except UpstreamError as exc:
            # Headers are gone already: all that is left is to abort the client connection.
            log.warning("%s %s: response from %s broke off: %s", scope["method"], scope["path"], ctx.route.service, exc)
            raise
        finally:
            pool.release(conn)

    async def close(self) -> None:
        for pool in self.pools.values():
            await pool.close()
