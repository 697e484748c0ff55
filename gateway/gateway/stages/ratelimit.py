"""Stage 6: rate limits (CONVENTIONS §8), after the scope check.

Per token: sliding minute and hour windows; `X-RateLimit-*` on every counted response and on
429. `POST /api/v1/auth/login` (public) has its own per-client-IP limit. A limiter failure
allows the request (fail-open) without headers.

Keys carry the limits they are judged by: replicas of one deployment (same settings) share
each log, while gateways configured with other limits never inherit a log filled under a
different policy (a 10 000/min gateway would otherwise lock a 5/min one out for a minute).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http import RequestContext, send_json
from gateway.limiter import RateLimiter
from gateway.metrics import rate_limit_counters
from gateway.routes.table import normalize
from gateway.slidinglog import Decision
from shared.errors import error_body

LOGIN_PATH = "/api/v1/auth/login"


def rate_limited_body(decision: Decision, *, per_token: bool = True) -> dict:
    if not per_token:
        return error_body(
            error="Rate limit exceeded",
            message="Too many login attempts from this address; retry after Retry-After seconds.",
            error_code="rate_limited",
        )
    return error_body(
        error="Rate limit exceeded",
        message="Request limit reached for this API token; retry after Retry-After seconds.",
        error_code="rate_limited",
        limit_per_minute=decision.limit_per_minute,
        limit_per_hour=decision.limit_per_hour,
        remaining_per_minute=decision.remaining_per_minute,
        remaining_per_hour=decision.remaining_per_hour,
    )


class RateLimitStage:
    def __init__(
        self, app: ASGIApp, *, limiter: RateLimiter, per_minute: int, per_hour: int, login_per_minute: int
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.per_minute = per_minute
        self.per_hour = per_hour
        self.login_per_minute = login_per_minute
        self._token_policy = f":{self.per_minute}:{self.per_hour}"
        self._login_prefix = f"login:{self.login_per_minute}:"
        self._token_decisions = rate_limit_counters("token")
        self._login_decisions = rate_limit_counters("login")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx: RequestContext = scope["tt"]
        record = ctx.record
        if record is not None:
            key = f"t:{record.token_id}{self._token_policy}"
            decision = await self.limiter.hit(key, self.per_minute, self.per_hour)
            self._token_decisions[None if decision is None else decision.allowed].inc()
            if decision is not None:
                ctx.response_headers.extend(decision.headers())
                if not decision.allowed:
                    await self._reject(scope, send, decision, per_token=True)
                    return
        elif scope["method"] == "POST" and normalize(scope["path"]) == LOGIN_PATH:
            # Never binding by the hour: at most 60 minute-windows of attempts fit in an hour.
            limit = self.login_per_minute
            decision = await self.limiter.hit(self._login_prefix + ctx.client_ip, limit, limit * 60)
            self._login_decisions[None if decision is None else decision.allowed].inc()
            if decision is not None and not decision.allowed:
                await self._reject(scope, send, decision, per_token=False)
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _reject(scope: Scope, send: Send, decision: Decision, *, per_token: bool) -> None:
        retry_after = [(b"retry-after", str(decision.retry_after).encode())]
        await send_json(scope, send, 429, rate_limited_body(decision, per_token=per_token), retry_after)
