"""The tracking service process: `uvicorn --factory tracking.main:create_app`. The router list
is the route table."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from shared.app import create_service_app
from shared.config_errors import load_settings
from tracking.approvals.router import router as approvals_router
from tracking.bulk.router import router as bulk_router
from tracking.connectors.router import router as connectors_router
from tracking.consumers import CONSUMERS
from tracking.csv_import.router import router as csv_import_router
from tracking.entries.router import router as entries_router
from tracking.favorites.router import router as favorites_router
from tracking.models import metadata
from tracking.projects.router import router as projects_router
from tracking.search.router import router as search_router
from tracking.settings import TrackingSettings
from tracking.tasks.router import router as tasks_router
from tracking.timer.router import router as timer_router
from tracking.timer_settings import seed_timer_settings

SERVICE_DIR = Path(__file__).resolve().parents[1]
ROUTERS = (
    bulk_router,
    csv_import_router,
    entries_router,
    projects_router,
    favorites_router,
    search_router,
    tasks_router,
    timer_router,
    approvals_router,
    connectors_router,
)


def create_app(settings: TrackingSettings | None = None) -> FastAPI:
    settings = settings or load_settings(TrackingSettings)
    return create_service_app(
        settings=settings,
        title="TimeTracker tracking service",
        version="0.1.0",
        metadata=metadata,
        routers=list(ROUTERS),
        service_dir=SERVICE_DIR,
        consumers=CONSUMERS,
        database_url=settings.database,
        on_startup=seed_timer_settings,
    )
