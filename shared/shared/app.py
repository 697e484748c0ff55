"""`create_service_app`: the one way a service process is assembled.

It wires settings, the database, the identity check, error handlers, body normalisation,
the outbox relay, event consumers, `/healthz` + `/readyz`, and publishes each route's
required scopes in OpenAPI (`x-tt-auth`, `x-tt-scopes`) for the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import MetaData, text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.consistency import FreshnessMiddleware
from shared.db import create_db_engine, new_sessionmaker
from shared.errors import install_error_handlers
from shared.events.catchup import FLUSH_PATH, ReplicaSync
from shared.events.consumer import DurableConsumer, Handler
from shared.events.link import NatsLink
from shared.events.outbox import OUTBOX_TABLE, PROCESSED_EVENTS_TABLE, session_info
from shared.events.relay import OutboxRelay
from shared.identity import IdentityCodec, ScopeRequirement, get_identity, internal
from shared.settings import PlatformSettings
from shared.upstream import Upstream

log = logging.getLogger(__name__)

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable subscription of a service: `name` is the durable name, unique per service."""

    name: str
    subject: str
    handler: Handler


class JsonBodyMiddleware:
    """CONVENTIONS §1: an empty body counts as `{}`; a body without Content-Type and any
    `+json` type are read as JSON. Other types pass through (415 comes from validation)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
        content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
        media = content_type.split(";")[0].strip().lower()
        json_like = not media or media == "application/json" or media.endswith("+json")
        if json_like:
            if not body.strip():
                body = b"{}"
            content_type = "application/json"
        headers.append((b"content-type", content_type.encode("latin-1")))
        scope = dict(scope, headers=headers)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _scope_requirements(dependant: Dependant) -> Iterable[ScopeRequirement]:
    if isinstance(dependant.call, ScopeRequirement):
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _scope_requirements(sub)


def publish_scopes(app: FastAPI, routers: list[APIRouter]) -> Callable[[], dict[str, Any]]:
    """Wrap `app.openapi` so every operation states how it is authenticated and its scopes.

    Routers are walked directly (FastAPI keeps included routers lazily), so each service hands
    `create_service_app` a flat list of feature routers, each with its full path prefix.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for router in routers:
            for route in router.routes:
                if not isinstance(route, APIRoute):
                    raise TypeError(f"nested router under {router.prefix!r}: pass feature routers flat")
                if not route.include_in_schema:
                    continue
                reqs = list(_scope_requirements(route.dependant))
                mode = reqs[0].auth_mode if reqs else "token"
                scopes = list(dict.fromkeys(s for r in reqs for s in r.alternatives))
                for method in route.methods:
                    op = schema["paths"][route.path_format].get(method.lower())
                    if op is not None:
                        op["x-tt-auth"] = mode
                        op["x-tt-scopes"] = scopes
        return schema

    return openapi


def create_service_app(
    *,
    settings: PlatformSettings,
    title: str,
    version: str,
    metadata: MetaData,
    routers: Iterable[APIRouter],
    service_dir: Path,
    consumers: Iterable[ConsumerSpec] = (),
    on_startup: Callable[[FastAPI], None] | None = None,
    database_url: str | None = None,
) -> FastAPI:
    """Build a service. `metadata` holds the service's tables, including the outbox and
    processed-events tables made by `shared.events.outbox` (so its migrations create them)."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    url = database_url or settings.service_database_url()
    engine = create_db_engine(url, pool_size=settings.database_pool_size)
    outbox = metadata.tables[OUTBOX_TABLE]
    processed = metadata.tables[PROCESSED_EVENTS_TABLE]
    link = NatsLink(settings.nats_url, stream=settings.nats_stream, name=settings.service_name)
    relay = OutboxRelay(engine=engine, table=outbox, link=link, poll_seconds=settings.outbox_poll_seconds)
    sessions = new_sessionmaker(engine)
    sessions.configure(info=session_info(outbox, relay.wake))
    durable = [
        DurableConsumer(
            name=settings.nats_durable_prefix + c.name,
            subject=c.subject,
            handler=c.handler,
            sessions=sessions,
            processed=processed,
            link=link,
            replay_since=settings.nats_replay_since,
        )
        for c in consumers
    ]
    codec = IdentityCodec(settings.identity_secret.get_secret_value(), ttl_seconds=settings.identity_ttl_seconds)
    upstream = Upstream(codec, service=settings.service_name)
    sync = ReplicaSync(
        link=link,
        upstream=upstream,
        owner_urls=settings.service_urls(),
        durables=[(c.name, c.subject) for c in durable],
        timeout=settings.catch_up_timeout_seconds,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        tasks = [asyncio.create_task(relay.run(), name="outbox-relay")]
        tasks += [asyncio.create_task(c.run(), name=f"consumer-{c.name}") for c in durable]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await upstream.close()
            await link.close()
            engine.dispose()

    app = FastAPI(
        title=title,
        version=version,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(get_identity)],
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessions
    app.state.identity_codec = codec
    app.state.upstream = upstream
    app.state.replica_sync = sync
    app.state.relay = relay
    app.state.nats = link
    app.state.consumers = durable
    app.state.service_dir = service_dir
    install_error_handlers(app)
    app.add_middleware(JsonBodyMiddleware)
    app.add_middleware(FreshnessMiddleware, sync=sync)
    routers = list(routers)
    for router in routers:
        app.include_router(router)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "service": settings.service_name})

    async def readyz(request: Request) -> JSONResponse:
        checks = {"database": await asyncio.to_thread(_database_ok, engine), "nats": link.connected}
        # NATS down does not make a service unready: the outbox keeps events until it returns.
        ready = checks["database"]
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "service": settings.service_name, "checks": checks},
            status_code=200 if ready else 503,
        )

    app.include_router(_flush_router(relay, link))
    app.router.routes.append(Route("/healthz", healthz, methods=["GET"]))
    app.router.routes.append(Route("/readyz", readyz, methods=["GET"]))
    app.openapi = publish_scopes(app, routers)
    if on_startup is not None:
        on_startup(app)
    return app


def _flush_router(relay: OutboxRelay, link: NatsLink) -> APIRouter:
    """`/internal/events/flush`: answers once the events committed before the call are
    published, with `position`: the stream's last sequence then, at or after every one of them
    (replicas catch up to it before deciding, `shared.events.catchup`); 503 if publishing took
    too long or NATS cannot be reached."""
    router = APIRouter(include_in_schema=False)

    @router.post(FLUSH_PATH, dependencies=[internal()])
    async def flush_events(timeout: float = 1.0) -> JSONResponse:
        if not await relay.flush(min(max(timeout, 0.0), 5.0)):
            return JSONResponse({"flushed": False}, status_code=503)
        try:
            position = await link.last_sequence()
        except Exception as exc:  # noqa: BLE001 - NATS down: the caller decides on its replica
            log.debug("flush: no stream position: %r", exc)
            return JSONResponse({"flushed": True}, status_code=503)
        return JSONResponse({"flushed": True, "position": position})

    return router


def _database_ok(engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - readiness reports, it does not raise
        return False
