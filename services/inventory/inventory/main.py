"""The inventory service process: `uvicorn --factory inventory.main:create_app`. The router
list is the route table."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from inventory.items.router import router as items_router
from inventory.models import metadata
from inventory.movements.router import router as movements_router
from inventory.reports.router import router as reports_router
from inventory.settings import InventorySettings
from inventory.stock_levels.router import router as stock_levels_router
from inventory.transfers.router import router as transfers_router
from inventory.warehouses.router import router as warehouses_router
from shared.app import create_service_app
from shared.config_errors import load_settings

SERVICE_DIR = Path(__file__).resolve().parents[1]
ROUTERS = (
    warehouses_router,
    items_router,
    stock_levels_router,
    movements_router,
    transfers_router,
    reports_router,
)


def create_app(settings: InventorySettings | None = None) -> FastAPI:
    settings = settings or load_settings(InventorySettings)
    return create_service_app(
        settings=settings,
        title="TimeTracker inventory service",
        version="0.1.0",
        metadata=metadata,
        routers=list(ROUTERS),
        service_dir=SERVICE_DIR,
        database_url=settings.database,
    )
