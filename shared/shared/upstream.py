"""Signed calls to other services' internal routes (`/internal/...`): an owner's outbox flush
before a replica decides, reporting's search domains. One pooled HTTP client per process. Each
call carries the request id and trace context of the request it is made for."""

from __future__ import annotations

import logging
from dataclasses import replace

import httpx

from shared.identity import IDENTITY_HEADER, Identity, IdentityCodec
from shared.observability.tracing import outgoing_headers

# httpx logs every request at INFO; the service logs what matters itself.
logging.getLogger("httpx").setLevel(logging.WARNING)


class Upstream:
    def __init__(self, codec: IdentityCodec, *, service: str) -> None:
        self.codec = codec
        self.service = service
        # Each call passes its own timeout; the pool is shared by all requests of the process.
        self.http = httpx.AsyncClient(limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))

    def identity_header(self, caller: Identity | None) -> dict[str, str]:
        """A platform identity that also carries the user the call is made for, if any."""
        # The caller's own identity, minus its token and address, signed as this service.
        identity = (
            Identity(user_id=None, service=self.service)
            if caller is None
            else replace(caller, token_id=None, client_ip=None, service=self.service)
        )
        return {IDENTITY_HEADER: self.codec.sign(identity)}

    async def get(
        self, url: str, *, caller: Identity | None, params: dict[str, object], timeout: float
    ) -> httpx.Response:
        return await self.http.get(
            url, params=params, headers={**self.identity_header(caller), **outgoing_headers()}, timeout=timeout
        )

    async def post(
        self, url: str, *, params: dict[str, object] | None = None, json: object = None, timeout: float
    ) -> httpx.Response:
        return await self.http.post(
            url,
            params=params,
            json=json,
            headers={**self.identity_header(None), **outgoing_headers()},
            timeout=timeout,
        )

    async def close(self) -> None:
        await self.http.aclose()
