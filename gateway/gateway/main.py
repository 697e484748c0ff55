"""`create_app()`: the gateway, its stages in request order, and its background tasks.

Run: `uvicorn --factory gateway.main:create_app --loop uvloop --http httptools`
(or `python -m gateway`, which does that on `TT_GATEWAY_PORT`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from functools import partial

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.events import TokenEvents
from gateway.http import RequestContext, header, send_status_error
from gateway.internal import InternalClient
from gateway.limiter import RateLimiter
from gateway.metrics import LIMITER_MODES, RATE_LIMIT_BACKEND, ROUTES_LOADED, MetricsListener
from gateway.observe import RequestObserver
from gateway.openapi import OpenApiEndpoints
from gateway.proxy import Proxy
from gateway.routes.registry import RouteRegistry
from gateway.settings import GatewaySettings
from gateway.stages.authn import AuthenticationStage
from gateway.stages.cors import CorsStage
from gateway.stages.ratelimit import RateLimitStage
from gateway.stages.request_id import RequestIdStage
from gateway.stages.routing import RoutingStage
from gateway.stages.scopes import ScopeStage
from gateway.stages.usage import UsageStage
from gateway.system import SystemEndpoints
from gateway.tokens import TokenCache
from gateway.usage import UsageRecorder
from shared.config_errors import load_settings
from shared.events.link import NatsLink
from shared.identity import IdentityCodec
from shared.observability import tracing
from shared.observability.context import StatusNotingSend
from shared.observability.logs import setup_logging

log = logging.getLogger(__name__)

STARTUP_ROUTES_WAIT_SECONDS = 3.0

Stage = Callable[[ASGIApp], ASGIApp]


class Runtime:
    """The process's parts (clients, token cache, limiter, route registry, proxy, endpoints),
    built once; `request_path` hands each stage the parts it uses."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        services = settings.service_urls()
        secret = settings.identity_secret.get_secret_value()
        self.codec = IdentityCodec(secret, ttl_seconds=settings.identity_ttl_seconds)
        self.internal = InternalClient(self.codec, timeout=settings.internal_timeout_seconds)
        self.registry = RouteRegistry(
            services,
            self.internal,
            retry_seconds=settings.routes_retry_seconds,
            refresh_seconds=settings.routes_refresh_seconds,
        )
        auth_url = settings.auth_url

        async def introspect(digest: str) -> dict:
            if auth_url is None:
                return {"found": False}
            return await self.internal.introspect(auth_url, digest)

        self.tokens = TokenCache(
            introspect,
            ttl=settings.token_cache_ttl_seconds,
            disconnected_ttl=settings.token_cache_ttl_disconnected_seconds,
            negative_ttl=settings.token_negative_cache_seconds,
            max_entries=settings.token_cache_max_entries,
            events_connected=lambda: self.events.connected,
        )
        self.nats = NatsLink(settings.nats_url, stream=settings.nats_stream, name="gateway")
        self.events = TokenEvents(self.nats, self.tokens)
        self.limiter = RateLimiter(
            settings.redis_url,
            prefix=settings.rate_limit_key_prefix,
            timeout=settings.redis_timeout_seconds,
            probe_seconds=settings.redis_probe_seconds,
            max_connections=settings.redis_max_connections,
        )
        self.usage = UsageRecorder(self.internal, auth_url, flush_seconds=settings.usage_flush_seconds)
        self.proxy = Proxy(settings, services, credentials_changed=self.tokens.apply_change)
        self.openapi = OpenApiEndpoints(self.registry, version=settings.app_version)
        self.system = SystemEndpoints(
            settings, internal=self.internal, registry=self.registry, limiter=self.limiter, events=self.events
        )
        self.system.routes.update(self.openapi.routes)
        self.metrics = MetricsListener(settings.bind_host, settings.gateway_metrics_port)
        self._publish_gauges()
        self._tasks: list[asyncio.Task] = []

    def _publish_gauges(self) -> None:
        """Read at scrape time: nothing on the request path."""
        for mode in LIMITER_MODES:
            RATE_LIMIT_BACKEND.labels(mode).set_function(lambda mode=mode: float(self.limiter.mode == mode))
        for name, state in self.registry.services.items():
            ROUTES_LOADED.labels(name).set_function(lambda state=state: float(state.loaded))

    async def start(self) -> None:
        await self.metrics.start()
        try:
            await asyncio.wait_for(self.registry.load_missing(), STARTUP_ROUTES_WAIT_SECONDS)
        except TimeoutError:
            log.warning("some services' OpenAPI not loaded at start-up; retrying in the background")
        background = {
            "routes": self.registry.run(),
            "token-events": self.events.run(),
            "rate-limit-probe": self.limiter.run(),
            "usage-flush": self.usage.run(),
        }
        self._tasks = [asyncio.create_task(coro, name=f"gateway-{name}") for name, coro in background.items()]

    async def stop(self) -> None:
        """Bounded: a stuck background call never keeps the process from exiting."""
        self.events.stop()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2.0)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.usage.flush(), 2.0)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.nats.close(), 2.0)
        await self.limiter.close()
        await self.proxy.close()
        await self.internal.close()
        await self.metrics.stop()


def request_path(runtime: Runtime) -> list[Stage]:
    """The stages a request passes, in order, each given what it uses; the proxy comes last.
    CONVENTIONS §3.4: extraction → authentication (401) → scope (403) → rate limit (429) → usage."""
    settings = runtime.settings
    return [
        RequestIdStage,
        CorsStage,
        partial(RoutingStage, registry=runtime.registry, own=runtime.system.routes),
        partial(AuthenticationStage, cache=runtime.tokens, codec=runtime.codec),
        ScopeStage,
        partial(
            RateLimitStage,
            limiter=runtime.limiter,
            per_minute=settings.rate_limit_per_minute,
            per_hour=settings.rate_limit_per_hour,
            login_per_minute=settings.login_rate_limit_per_minute,
        ),
        partial(UsageStage, usage=runtime.usage),
    ]


class Gateway:
    """The ASGI application: lifespan, the per-request context (its trace, metrics and access
    line: `gateway.observe`), and a last-resort 500."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        app: ASGIApp = runtime.proxy
        for stage in reversed(request_path(runtime)):
            app = stage(app)
        self.app = app
        self.trust_forwarded_for = runtime.settings.trust_forwarded_for
        self.observer = RequestObserver()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            ctx = RequestContext(self._client_ip(scope))
            scope["tt"] = ctx
            self.observer.begin(scope, ctx)
            noting = StatusNotingSend(send)
            try:
                await self.app(scope, receive, noting)
            except Exception:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
                if ctx.started:
                    raise
                await send_status_error(scope, noting, 500)
            finally:
                self.observer.end(scope, ctx, noting.status)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    def _client_ip(self, scope: Scope) -> str:
        if self.trust_forwarded_for:
            forwarded = header(scope, b"x-forwarded-for")
            if forwarded:
                # The address appended by the proxy in front of us (the only one we trust).
                return forwarded.split(b",")[-1].strip().decode("latin-1")
        client = scope.get("client")
        return client[0] if client else "0.0.0.0"

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.runtime.start()
                except Exception as exc:  # noqa: BLE001 - reported to the server, which exits
                    log.exception("gateway start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.runtime.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(settings: GatewaySettings | None = None) -> Gateway:
    settings = settings or load_settings(GatewaySettings)
    setup_logging(service=settings.service_name, level=settings.log_level, log_format=settings.log_format)
    tracing.setup(settings)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per proxied request otherwise
    return Gateway(Runtime(settings))
