"""`create_service_app`: the one way a service process is assembled.

Two steps: `shared.runtime.build_runtime` makes what the process runs on (engine, sessions,
NATS link, outbox relay, consumers, upstream client, replica catch-up); then the HTTP
application is wired around it: the identity check, error handlers, body normalisation
(`shared.jsonbody`), freshness headers (`shared.consistency`), request logs, metrics and
traces (`shared.observability`), the service's routers, the dead-letter admin routes
(`shared.dead_letters_api`), `/internal/events/flush` and the gap repair's internal routes
(`shared.events.repair`), `/healthz` +
`/readyz` (database, schema not behind the migrations, NATS), `/metrics`, and each route's
required scopes in OpenAPI (`shared.openapi_scopes`), with the error responses and create links
(`shared.openapi_contract`). Nothing runs at build time: the lifespan
starts the relay and the consumers, then runs the service's `on_startup` hook.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import Engine, MetaData, text
from sqlalchemy.exc import ProgrammingError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shared.consistency import FreshnessMiddleware
from shared.dead_letters_api import dead_letters_router
from shared.errors import install_error_handlers
from shared.events.flush import flush_route
from shared.events.repair import PUBLISHED_PATH, REPUBLISH_PATH, published_rows, republish
from shared.identity import get_identity, internal
from shared.jsonbody import JsonBodyMiddleware
from shared.observability import tracing
from shared.observability.logs import setup_logging
from shared.observability.metrics import exposition
from shared.observability.middleware import ObservabilityMiddleware
from shared.openapi_contract import complete_openapi
from shared.openapi_scopes import publish_scopes
from shared.runtime import ConsumerSpec, ServiceRuntime, build_runtime
from shared.settings import PlatformSettings

__all__ = ["ConsumerSpec", "create_service_app"]

log = logging.getLogger(__name__)

StartupHook = Callable[[FastAPI], None]


def create_service_app(
    *,
    settings: PlatformSettings,
    title: str,
    version: str,
    metadata: MetaData,
    routers: Iterable[APIRouter],
    service_dir: Path,
    consumers: Iterable[ConsumerSpec] = (),
    on_startup: StartupHook | None = None,
    database_url: str | None = None,
) -> FastAPI:
    """Build a service. `metadata` holds the service's tables, including the outbox and
    processed-events tables made by `shared.events.outbox` (so its migrations create them).
    `on_startup(app)` runs at start-up (in the lifespan, on a worker thread), not here."""
    setup_logging(service=settings.service_name, level=settings.log_level, log_format=settings.log_format)
    tracing.setup(settings)
    runtime = build_runtime(settings, metadata=metadata, consumers=consumers, database_url=database_url)
    app = FastAPI(
        title=title,
        version=version,
        lifespan=_lifespan(runtime, on_startup),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(get_identity)],
        redirect_slashes=False,
    )
    _wire_app(app, settings=settings, runtime=runtime, routers=list(routers), service_dir=service_dir)
    return app


def _lifespan(runtime: ServiceRuntime, on_startup: StartupHook | None):
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.running():
            if on_startup is not None:
                await asyncio.to_thread(on_startup, app)  # sync database work, off the event loop
            yield

    return lifespan


def _wire_app(
    app: FastAPI, *, settings: PlatformSettings, runtime: ServiceRuntime, routers: list[APIRouter], service_dir: Path
) -> None:
    """The HTTP side of a service on `runtime`: state, handlers, middleware, routes, OpenAPI."""
    _publish_state(app, settings, runtime, service_dir)
    install_error_handlers(app)
    # Added first, so innermost: it sees the route the router matched (see its docstring).
    app.add_middleware(ObservabilityMiddleware, service=settings.service_name)
    app.add_middleware(JsonBodyMiddleware)
    app.add_middleware(FreshnessMiddleware, sync=runtime.sync)
    app.router.routes.append(flush_route(runtime.relay, runtime.link))  # first: matched before the routers
    routers = [*routers, dead_letters_router(settings.service_name)]
    for router in routers:
        app.include_router(router)
    app.include_router(_repair_router(runtime))
    app.router.routes.extend(_probe_routes(settings.service_name, runtime, Migrations.of(service_dir)))
    app.router.routes.append(Route("/metrics", _metrics, methods=["GET"], include_in_schema=False))
    with_scopes = publish_scopes(app, routers)
    app.openapi = lambda: complete_openapi(with_scopes())


def _publish_state(app: FastAPI, settings: PlatformSettings, runtime: ServiceRuntime, service_dir: Path) -> None:
    """What request code reads from `request.app.state` (the session and identity
    dependencies, routers needing settings or the upstream client)."""
    state = app.state
    state.settings = settings
    state.runtime = runtime
    state.engine = runtime.engine
    state.sessionmaker = runtime.sessions
    state.identity_codec = runtime.codec
    state.upstream = runtime.upstream
    state.replica_sync = runtime.sync
    state.relay = runtime.relay
    state.nats = runtime.link
    state.consumers = runtime.consumers
    state.service_dir = service_dir


def _probe_routes(service: str, runtime: ServiceRuntime, migrations: Migrations) -> list[Route]:
    """`/healthz` (alive) and `/readyz`: the database answers and its schema is not behind this
    code's migrations (a pod of a new release gets no traffic before they ran). NATS is
    reported, not required: without it a service still takes every write (its events wait in
    the outbox) and answers from its replicas, so a NATS outage must not take every pod out of
    its Service."""

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "service": service})

    async def readyz(request: Request) -> JSONResponse:
        revisions = await asyncio.to_thread(_schema_revisions, runtime.engine)
        checks = {
            "database": revisions is not None,
            "schema": revisions is not None and migrations.schema_is_current(revisions),
        }
        ready = all(checks.values())
        checks["nats"] = runtime.link.connected
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "service": service, "checks": checks},
            status_code=200 if ready else 503,
        )

    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]


async def _metrics(request: Request) -> Response:
    """Prometheus scrape: the process's default registry (HTTP, events, runtime). Served on the
    service's own port only: it is not in the OpenAPI, so the gateway never routes it."""
    body, content_type = exposition()
    return Response(body, media_type=content_type)


class PublishedQuery(BaseModel):
    subject: str = Field(min_length=1, max_length=200)
    after: int = Field(default=0, ge=0)
    settled_seconds: float = Field(default=60, ge=0, le=86400)


class RepublishRequest(BaseModel):
    event_ids: list[str] = Field(min_length=1, max_length=1000)


def _repair_router(runtime: ServiceRuntime) -> APIRouter:
    """The owner's side of the gap repair (`shared.events.repair`): which published rows a
    consumer should have, and publishing the ones it lacks again."""
    router = APIRouter(include_in_schema=False)
    table = runtime.relay.table

    @router.post(PUBLISHED_PATH, dependencies=[internal()])
    async def published_events(body: PublishedQuery) -> JSONResponse:
        answer = await asyncio.to_thread(
            published_rows,
            runtime.engine,
            table,
            subject=body.subject,
            after=body.after,
            settled_seconds=body.settled_seconds,
        )
        return JSONResponse(answer)

    @router.post(REPUBLISH_PATH, dependencies=[internal()])
    async def republish_events(body: RepublishRequest) -> JSONResponse:
        try:
            count = await republish(runtime.engine, table, runtime.link, body.event_ids)
        except Exception as exc:  # noqa: BLE001 - NATS down: the consumer asks again next pass
            log.warning("republish: %r", exc)
            return JSONResponse({"republished": 0}, status_code=503)
        return JSONResponse({"republished": count})

    return router


@dataclass(frozen=True)
class Migrations:
    """What this code knows of its service's migrations, read once at build time."""

    heads: frozenset[str]
    known: frozenset[str]

    @classmethod
    def of(cls, service_dir: Path) -> Migrations:
        script = ScriptDirectory(str(service_dir / "migrations"))
        return cls(frozenset(script.get_heads()), frozenset(r.revision for r in script.walk_revisions()))

    def schema_is_current(self, revisions: frozenset[str]) -> bool:
        """At this code's heads, or past them: a revision this code does not know comes from a
        newer release already rolling out, whose migrations keep the older code working."""
        return bool(revisions) and all(rev in self.heads or rev not in self.known for rev in revisions)


def _schema_revisions(engine: Engine) -> frozenset[str] | None:
    """The revisions the database's schema is at (empty before the first migration); None when
    the database does not answer."""
    try:
        with engine.connect() as conn:
            try:
                return frozenset(conn.scalars(text("SELECT version_num FROM alembic_version")))
            except ProgrammingError:  # no alembic_version table: never migrated
                return frozenset()
    except Exception:  # noqa: BLE001 - readiness reports, it does not raise
        return None
