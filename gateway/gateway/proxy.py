"""The last stage: forward the request to its service over pooled keep-alive connections.

The HTTP client is aiohttp: one `ClientSession` per service (its own `TCPConnector`, so a slow
service cannot take the connections of the others), no cookie jar, no automatic headers, no
decompression, no redirects. Hop-by-hop headers and the caller's credentials are dropped (and
any `x-tt-identity` the caller tried to send); the signed identity, `X-Request-ID`,
`traceparent` and `X-Forwarded-*` are added. The response goes back unchanged (status, headers, raw body:
content-encoding kept), plus the headers the stages queued; the body streams as it arrives.
Transport failures become the standard error body: connect → 503, timeout → 504, anything
else → 502. A pooled connection the service closed as it was reused is retried once by aiohttp
itself, for idempotent methods only (RFC 9112 §9.3.1); a POST or PATCH fails with 502.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import aiohttp
from starlette.types import Receive, Scope, Send
from yarl import URL

from gateway.http import RequestContext, send_status_error
from gateway.metrics import UPSTREAM_ERRORS
from gateway.settings import GatewaySettings
from shared.identity import CREDENTIALS_CHANGED_HEADER, IDENTITY_HEADER

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
    b"traceparent",  # forwarded as the gateway resolved it (`gateway.observe`)
}
# The gateway's server adds its own `date` and `server`; the rate-limit and request-id headers are ours.
_CREDENTIALS_CHANGED = CREDENTIALS_CHANGED_HEADER.encode()
_DROP_RESPONSE = HOP_BY_HOP | {
    _CREDENTIALS_CHANGED,
    b"date",
    b"server",
    b"x-request-id",
    b"x-ratelimit-limit",
    b"x-ratelimit-remaining",
    b"x-ratelimit-reset",
}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# aiohttp would add Accept, Accept-Encoding, User-Agent and a guessed Content-Type: the service
# sees the caller's own instead (Host is set from the service URL, as it must be).
_SKIP_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


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


def _text(value: bytes) -> str:
    """aiohttp writes header values as UTF-8: decode so valid UTF-8 goes out byte for byte."""
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("latin-1")


class Proxy:
    def __init__(
        self,
        settings: GatewaySettings,
        services: dict[str, str],
        *,
        credentials_changed: Callable[[str], None] = lambda _: None,
        max_body: int = 32 * 1024 * 1024,
    ):
        """`credentials_changed` gets auth's `x-tt-credentials-changed` before the answer goes
        out (the token cache evicts: the caller's next request is judged on the change)."""
        self.credentials_changed = credentials_changed
        self.services = {name: url.rstrip("/") for name, url in services.items()}
        for url in self.services.values():
            if URL(url).scheme != "http":
                raise ValueError(f"only http:// services are supported, got {url!r}")
        # Waiting for a free pooled connection and opening a new one share `pool_timeout`;
        # the socket connect alone is bounded by `connect_timeout`, each read by `read_timeout`.
        self.timeout = aiohttp.ClientTimeout(
            total=None,
            connect=settings.upstream_pool_timeout,
            sock_connect=settings.upstream_connect_timeout,
            sock_read=settings.upstream_read_timeout,
        )
        self.max_connections = settings.upstream_max_connections
        self.pool_timeout = settings.upstream_pool_timeout
        self.max_body = max_body
        self.trust_forwarded_for = settings.trust_forwarded_for
        # Sessions are made on first use, inside the running event loop.
        self.sessions: dict[str, aiohttp.ClientSession] = {}

    def session(self, service: str) -> aiohttp.ClientSession:
        session = self.sessions.get(service)
        if session is None or session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.max_connections,
                limit_per_host=0,
                # Below the services' 5 s keep-alive, so they rarely close a connection first.
                keepalive_timeout=4.0,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                timeout=self.timeout,
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_SKIP_AUTO_HEADERS,
                auto_decompress=False,
                trust_env=False,
                raise_for_status=False,
            )
            self.sessions[service] = session
        return session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx: RequestContext = scope["tt"]
        service = ctx.route.service
        try:
            body = await read_body(receive, self.max_body)
        except BodyTooLarge:
            await send_status_error(scope, send, 413, "Request body too large")
            return
        method = scope["method"]
        url = self._url(scope, ctx, service)
        headers = self._request_headers(scope, ctx, method, body)
        started = time.monotonic()
        try:
            resp = await self.session(service).request(
                method,
                url,
                headers=headers,
                data=body or None,
                allow_redirects=False,
            )
        except aiohttp.ConnectionTimeoutError:
            # The connect phase covers the wait for a pooled connection and opening a new one:
            # used up the pool budget → 504 (no connection became free in time); otherwise
            # the socket connect itself timed out → 503.
            if time.monotonic() - started >= self.pool_timeout:
                UPSTREAM_ERRORS.labels(service, "pool_timeout").inc()
                await send_status_error(scope, send, 504, f"The {service} service did not answer in time")
            else:
                UPSTREAM_ERRORS.labels(service, "connect").inc()
                await send_status_error(scope, send, 503, f"The {service} service is unavailable")
            return
        except aiohttp.ClientConnectorError:
            UPSTREAM_ERRORS.labels(service, "connect").inc()
            await send_status_error(scope, send, 503, f"The {service} service is unavailable")
            return
        except TimeoutError:  # aiohttp.ServerTimeoutError included: no response in time
            UPSTREAM_ERRORS.labels(service, "timeout").inc()
            await send_status_error(scope, send, 504, f"The {service} service did not answer in time")
            return
        except (aiohttp.ClientError, OSError) as exc:
            log.warning("%s %s → %s failed: %r", method, scope["path"], service, exc)
            UPSTREAM_ERRORS.labels(service, "bad_response").inc()
            await send_status_error(scope, send, 502, f"The {service} service failed to answer")
            return
        await self._relay(resp, scope, send, ctx)

    def _url(self, scope: Scope, ctx: RequestContext, service: str) -> URL:
        target = self.services[service] + ctx.upstream_path.decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        return URL(target, encoded=True)  # the raw path and query, as the caller sent them

    def _request_headers(self, scope: Scope, ctx: RequestContext, method: str, body: bytes) -> list[tuple[str, str]]:
        raw = scope["headers"]
        extra = _connection_tokens(raw)
        out = []
        forwarded_for = None
        host = None
        for key, value in raw:
            if key in _DROP_REQUEST or key in extra:
                if key == b"x-forwarded-for":
                    forwarded_for = value
                elif key == b"host":
                    host = value
                continue
            out.append((key.decode("latin-1"), _text(value)))
        peer = scope["client"][0].encode() if scope.get("client") else b""
        if self.trust_forwarded_for and forwarded_for:
            peer = forwarded_for + b", " + peer
        out.append(("x-forwarded-for", _text(peer)))
        out.append(("x-forwarded-proto", scope.get("scheme", "http")))
        if host is not None:
            out.append(("x-forwarded-host", _text(host)))
        out.append(("x-request-id", ctx.request_id))
        out.append(("traceparent", ctx.traceparent))
        if ctx.identity is not None:
            out.append((IDENTITY_HEADER, ctx.identity))
        if body or method in _BODY_METHODS:
            out.append(("content-length", str(len(body))))
        return out

    async def _relay(self, resp: aiohttp.ClientResponse, scope: Scope, send: Send, ctx: RequestContext) -> None:
        headers = [(k.lower(), v) for k, v in resp.raw_headers]
        if ctx.route.service == "auth":
            for key, value in headers:
                if key == _CREDENTIALS_CHANGED:
                    self.credentials_changed(value.decode("latin-1"))
        skip = _connection_tokens(headers)
        out = [(k, v) for k, v in headers if k not in _DROP_RESPONSE and k not in skip]
        if ctx.cors:
            out = [(k, v) for k, v in out if not k.startswith(b"access-control-")]
        out.extend(ctx.response_headers)
        ctx.started = True
        try:
            await send({"type": "http.response.start", "status": resp.status, "headers": out})
            # Hold one chunk back so the last piece goes out with more_body=False.
            pending = b""
            async for chunk in resp.content.iter_any():
                if pending:
                    await send({"type": "http.response.body", "body": pending, "more_body": True})
                pending = chunk
            await send({"type": "http.response.body", "body": pending})
        except (aiohttp.ClientError, OSError) as exc:  # TimeoutError is an OSError
            # Headers are gone already: all that is left is to abort the client connection.
            log.warning("%s %s: response from %s broke off: %r", scope["method"], scope["path"], ctx.route.service, exc)
            UPSTREAM_ERRORS.labels(ctx.route.service, "broken").inc()
            resp.close()  # the connection is in an unknown state: never back to the pool
            raise
        finally:
            resp.release()

    async def close(self) -> None:
        sessions, self.sessions = list(self.sessions.values()), {}
        for session in sessions:
            await session.close()
