"""The gateway's own calls to the services: introspection, usage, modules, OpenAPI, readiness.

Internal routes require an identity; the gateway signs `Identity(service="gateway")` and
reuses it for three quarters of its lifetime.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson

from gateway.tokens import IntrospectionError
from shared.identity import IDENTITY_HEADER, Identity, IdentityCodec


class InternalClient:
    def __init__(self, codec: IdentityCodec, *, timeout: float) -> None:
        self.codec = codec
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 1.0)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16, keepalive_expiry=4.0),
        )
        self._identity = ("", 0.0)

    def identity(self) -> str:
        value, refresh_at = self._identity
        now = time.monotonic()
        if now >= refresh_at:
            value = self.codec.sign(Identity(user_id=None, service="gateway"))
            self._identity = (value, now + self.codec.ttl_seconds * 0.75)
        return value

    def _headers(self) -> dict[str, str]:
        return {IDENTITY_HEADER: self.identity(), "content-type": "application/json"}

    async def post_json(self, url: str, body: Any) -> httpx.Response:
        return await self.http.post(url, content=orjson.dumps(body), headers=self._headers())

    async def get(self, url: str, *, signed: bool = True, timeout: float | None = None) -> httpx.Response:
        headers = self._headers() if signed else None
        if timeout is None:
            return await self.http.get(url, headers=headers)
        return await self.http.get(url, headers=headers, timeout=timeout)

    async def introspect(self, auth_url: str, digest: str) -> dict[str, Any]:
        """`POST /internal/introspect`; failures become IntrospectionError (→ 502/503/504)."""
        try:
            response = await self.post_json(f"{auth_url}/internal/introspect", {"token_hash": digest})
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise IntrospectionError(503, "The authentication service is unavailable") from exc
        except httpx.TimeoutException as exc:
            raise IntrospectionError(504, "The authentication service did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise IntrospectionError(502, "The authentication service failed") from exc
        if response.status_code != 200:
            raise IntrospectionError(502, f"Token introspection failed ({response.status_code})")
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise IntrospectionError(502, "Token introspection returned invalid JSON") from exc
        if not isinstance(body, dict):
            raise IntrospectionError(502, "Token introspection returned an unexpected body")
        return body

    async def close(self) -> None:
        await self.http.aclose()
