"""The integrations service process: `uvicorn --factory integrations.main:create_app`. The
router list is the route table; the delivery worker and the connectors' scheduled jobs run for the
process's lifetime (after the relay and the consumers have started, stopped before them)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI

from integrations.connectors.context import Connectors
from integrations.connectors.housekeeping import purge_expired
from integrations.connectors.jobs import JobRunner
from integrations.consumers import webhook_consumers
from integrations.delivery.sender import Sender
from integrations.delivery.worker import DeliveryWorker
from integrations.github.router import router as github_router
from integrations.google.router import router as google_router
from integrations.google.sync import sync_due_integrations
from integrations.models import metadata
from integrations.secrets import SecretBox
from integrations.settings import IntegrationsSettings
from integrations.slack.notifications import slack_consumers
from integrations.slack.router import router as slack_router
from integrations.slack.summary import post_due_summaries
from integrations.webhooks.router import router as webhooks_router
from shared.app import create_service_app
from shared.config_errors import load_settings
from shared.identity import IdentityCodec

SERVICE_DIR = Path(__file__).resolve().parents[1]
ROUTERS = (webhooks_router, github_router, slack_router, google_router)
JOBS = (sync_due_integrations, post_due_summaries, purge_expired)


class _Doorbell:
    """The consumer rings after committing new deliveries; the worker, built after the runtime,
    answers."""

    def __init__(self) -> None:
        self.worker: DeliveryWorker | None = None

    def ring(self) -> None:
        if self.worker is not None:
            self.worker.notify()


def create_app(settings: IntegrationsSettings | None = None) -> FastAPI:
    settings = settings or load_settings(IntegrationsSettings)
    box = SecretBox(settings.encryption_key_list())
    sender = Sender(
        allow_private=settings.webhook_allow_private_targets,
        max_redirects=settings.webhook_max_redirects,
        max_connections=max(settings.webhook_max_concurrent_deliveries, 10),
    )
    doorbell = _Doorbell()
    codec = IdentityCodec(settings.identity_secret.get_secret_value(), ttl_seconds=settings.identity_ttl_seconds)
    connectors = Connectors.build(settings, box, codec)
    app = create_service_app(
        settings=settings,
        title="TimeTracker integrations service",
        version="0.1.0",
        metadata=metadata,
        routers=list(ROUTERS),
        service_dir=SERVICE_DIR,
        consumers=(*webhook_consumers(doorbell.ring), *slack_consumers(connectors)),
        database_url=settings.database,
    )
    app.state.secret_box = box
    app.state.webhook_sender = sender
    app.state.connectors = connectors
    _close_on_shutdown(app, connectors)
    if settings.connector_jobs_enabled:
        jobs = JobRunner(
            JOBS,
            sessions=app.state.sessionmaker,
            connectors=connectors,
            tick_seconds=settings.connector_job_tick_seconds,
        )
        app.state.connector_jobs = jobs
        _run_alongside(app, jobs)
    if settings.webhook_worker_enabled:
        worker = DeliveryWorker(
            sessions=app.state.sessionmaker,
            sender=sender,
            box=box,
            concurrency=settings.webhook_max_concurrent_deliveries,
            poll_seconds=settings.webhook_poll_seconds,
            lease_margin=settings.webhook_lease_margin_seconds,
            shutdown_grace=settings.webhook_shutdown_grace_seconds,
        )
        doorbell.worker = worker
        app.state.webhook_worker = worker
        _run_alongside(app, worker)
    return app


def _run_alongside(app: FastAPI, worker: DeliveryWorker | JobRunner) -> None:
    """The worker runs inside the service's lifespan (relay and consumers already running)."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app), worker.running():
            yield

    app.router.lifespan_context = lifespan


def _close_on_shutdown(app: FastAPI, connectors: Connectors) -> None:
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with inner(app):
                yield
        finally:
            connectors.close()

    app.router.lifespan_context = lifespan
