"""The CRM service process: `uvicorn --factory crm.main:create_app`. The router list is the
route table."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from crm.clients.router import router as clients_router
from crm.consumers import CONSUMERS
from crm.contacts.router import client_contacts_router, contacts_router
from crm.deals.router import router as deals_router
from crm.leads.router import router as leads_router
from crm.models import metadata
from crm.notes.router import client_notes_router, notes_router
from crm.quotes.router import router as quotes_router
from crm.search.router import router as search_router
from crm.settings import CrmSettings
from shared.app import create_service_app
from shared.config_errors import load_settings

SERVICE_DIR = Path(__file__).resolve().parents[1]
ROUTERS = (
    clients_router,
    search_router,
    client_notes_router,
    notes_router,
    client_contacts_router,
    contacts_router,
    deals_router,
    leads_router,
    quotes_router,
)


def create_app(settings: CrmSettings | None = None) -> FastAPI:
    settings = settings or load_settings(CrmSettings)
    return create_service_app(
        settings=settings,
        title="TimeTracker CRM service",
        version="0.1.0",
        metadata=metadata,
        routers=list(ROUTERS),
        service_dir=SERVICE_DIR,
        consumers=CONSUMERS,
        database_url=settings.database,
    )
