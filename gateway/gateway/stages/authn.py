"""Stage 4: authentication (CONVENTIONS §2). Public operations pass with an anonymous
identity; the others need a token, checked in the order of §2.3, first failure → 401."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http import RequestContext, send_json, send_status_error
from gateway.tokens import TOKEN_PREFIX, IntrospectionError, TokenCache, extract_token, ip_allowed, token_hash
from shared.errors import error_body
from shared.identity import Identity, IdentityCodec

_MAX_ANONYMOUS = 4096


def _unauthorized(message: str, error: str = "Invalid token") -> dict:
    return error_body(error=error, message=message, error_code="unauthorized")


NO_TOKEN = _unauthorized(
    "Authentication required: send the API token as 'Authorization: Bearer <token>' or in the X-API-Key header",
    error="Authentication required",
)
BAD_FORMAT = _unauthorized("Invalid token format")
NOT_FOUND = _unauthorized("Token not found")
REVOKED = _unauthorized("Token has been revoked")
EXPIRED = _unauthorized("Token has expired")
IP_DENIED = _unauthorized("Access denied from this IP address")
USER_INACTIVE = _unauthorized("User account is inactive")


class AuthenticationStage:
    def __init__(self, app: ASGIApp, *, cache: TokenCache, codec: IdentityCodec) -> None:
        self.app = app
        self.cache = cache
        self.codec = codec
        self._anonymous: dict[str, tuple[float, str]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx: RequestContext = scope["tt"]
        if ctx.route.auth == "public":
            ctx.identity = self._anonymous_identity(ctx.client_ip)
            await self.app(scope, receive, send)
            return
        authorization = api_key = None
        for key, value in scope["headers"]:
            if key == b"authorization":
                if authorization is None:
                    authorization = value.decode("latin-1")
            elif key == b"x-api-key" and api_key is None:
                api_key = value.decode("latin-1")
        token = extract_token(authorization, api_key)
        if token is None:
            await send_json(scope, send, 401, NO_TOKEN)
            return
        if not token.startswith(TOKEN_PREFIX):
            await send_json(scope, send, 401, BAD_FORMAT)
            return
        try:
            record = await self.cache.lookup(token_hash(token))
        except IntrospectionError as exc:
            await send_status_error(scope, send, exc.status, exc.message)
            return
        now = time.time()
        failure = None
        if record is None:
            failure = NOT_FOUND
        elif not record.is_active:
            failure = REVOKED
        elif record.expires_at is not None and record.expires_at < now:
            failure = EXPIRED
        elif record.networks is not None and not ip_allowed(record.networks, ctx.client_ip):
            failure = IP_DENIED
        elif not record.user_found or not record.user_active:
            failure = USER_INACTIVE
        if failure is not None:
            await send_json(scope, send, 401, failure)
            return
        ctx.record = record
        ctx.identity = record.identity(self.codec, ctx.client_ip, now)
        await self.app(scope, receive, send)

    def _anonymous_identity(self, client_ip: str) -> str:
        now = time.time()
        hit = self._anonymous.get(client_ip)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = self.codec.sign(Identity(user_id=None, client_ip=client_ip))
        if len(self._anonymous) >= _MAX_ANONYMOUS:
            self._anonymous.clear()
        self._anonymous[client_ip] = (now + self.codec.ttl_seconds * 0.75, value)
        return value
