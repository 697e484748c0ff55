"""One HTTP attempt of a delivery: the request built from the stored bytes, redirects followed by
hand (bounded, each hop connecting through the SSRF guard), the whole attempt bounded by the
subscription's `timeout_seconds`, and its outcome classified as §1.5 says. No database here."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from integrations.delivery import signing
from integrations.delivery.ssrf import GuardedTransport
from shared.db import utcnow

log = logging.getLogger(__name__)

RESPONSE_BODY_CHARS = 10_000
ERROR_BODY_CHARS = 500
# Bytes read of a response at most (a receiver may answer with anything, of any size).
_READ_LIMIT = 4 * RESPONSE_BODY_CHARS


@dataclass(frozen=True)
class AttemptRequest:
    """Everything an attempt needs, read from the subscription when the attempt was claimed."""

    delivery_id: int
    webhook_id: int
    event_type: str
    message_id: str
    method: str
    url: str
    content_type: str
    custom_headers: dict[str, str]
    timeout_seconds: int
    body: bytes = field(repr=False)
    secret: str | None = field(default=None, repr=False)
    # Set when the secret could not be opened: the attempt fails rather than go out unsigned.
    secret_error: str | None = None
    # The worker's lease on the delivery (None for an attempt made inside a request, which
    # holds the delivery's row lock instead).
    claim_token: str | None = None


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    completed_at: datetime
    duration_ms: int
    status_code: int | None = None
    response_body: str | None = None
    response_headers: dict[str, str] | None = None
    error_type: str | None = None
    error_message: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error_type is None


class Sender:
    """Sends attempts on one shared `httpx.AsyncClient` per event loop (the service runs one
    loop; a test client may run each request on a loop of its own)."""

    def __init__(self, *, allow_private: bool, max_redirects: int, max_connections: int = 100) -> None:
        self.allow_private = allow_private
        self.max_redirects = max_redirects
        self.max_connections = max_connections
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            limits = httpx.Limits(max_connections=self.max_connections, max_keepalive_connections=20)
            self._client = httpx.AsyncClient(
                transport=GuardedTransport(allow_private=self.allow_private, limits=limits),
                trust_env=False,
                follow_redirects=False,
            )
            self._loop = loop
        return self._client

    async def close(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client = None

    async def send(self, request: AttemptRequest) -> Outcome:
        started = utcnow()
        clock = time.monotonic()

        def done(**fields) -> Outcome:
            duration = int((time.monotonic() - clock) * 1000)
            return Outcome(started_at=started, completed_at=utcnow(), duration_ms=duration, **fields)

        if request.secret_error is not None:
            return done(error_type="unknown_error", error_message=f"Unexpected error: {request.secret_error}")
        try:
            async with asyncio.timeout(request.timeout_seconds):
                status, body, headers = await self._exchange(request)
        except (TimeoutError, httpx.TimeoutException):
            return done(error_type="timeout", error_message=f"Request timeout after {request.timeout_seconds}s")
        except httpx.TransportError as exc:
            return done(error_type="connection_error", error_message=f"Connection error: {exc}")
        except Exception as exc:  # noqa: BLE001 - any failure is a failed attempt (§1.5)
            log.warning("webhook %s delivery %s: unexpected %r", request.webhook_id, request.delivery_id, exc)
            return done(error_type="unknown_error", error_message=f"Unexpected error: {exc}")
        if 200 <= status < 300:
            return done(status_code=status, response_body=body, response_headers=headers)
        return done(
            status_code=status,
            response_body=body,
            response_headers=headers,
            error_type="http_error",
            error_message=f"HTTP {status}: {body[:ERROR_BODY_CHARS]}",
        )

    async def _exchange(self, request: AttemptRequest) -> tuple[int, str, dict[str, str]]:
        client = self.client()
        headers = signing.attempt_headers(
            content_type=request.content_type,
            event_type=request.event_type,
            webhook_id=request.webhook_id,
            custom=request.custom_headers,
            secret=request.secret,
            message_id=request.message_id,
            timestamp=int(time.time()),
            body=request.body,
        )
        outgoing = client.build_request(
            request.method, request.url, headers=headers, content=request.body, timeout=request.timeout_seconds
        )
        hops = 0
        while True:
            response = await client.send(outgoing, stream=True)
            try:
                if response.next_request is None or hops >= self.max_redirects:
                    return response.status_code, await _read_text(response), dict(response.headers)
                outgoing = response.next_request
                hops += 1
            finally:
                await response.aclose()


async def _read_text(response: httpx.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= _READ_LIMIT:
            break
    return b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")[:RESPONSE_BODY_CHARS]
