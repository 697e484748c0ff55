"""The reporting service process: `uvicorn --factory reporting.main:create_app`. The router
list is the route table."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from reporting.consumers import consumers_for
from reporting.dashboards.router import ROUTERS as DASHBOARD_ROUTERS
from reporting.exports.router import ROUTERS as EXPORT_ROUTERS
from reporting.forecast.router import ROUTERS as FORECAST_ROUTERS
from reporting.models import metadata
from reporting.search.router import ROUTERS as SEARCH_ROUTERS
from reporting.settings import ReportingSettings
from reporting.suggestions.router import ROUTERS as SUGGESTION_ROUTERS
from reporting.summary.router import ROUTERS as SUMMARY_ROUTERS
from shared.app import create_service_app
from shared.config_errors import load_settings

SERVICE_DIR = Path(__file__).resolve().parents[1]
ROUTERS = (
    *SUMMARY_ROUTERS,
    *DASHBOARD_ROUTERS,
    *FORECAST_ROUTERS,
    *SUGGESTION_ROUTERS,
    *SEARCH_ROUTERS,
    *EXPORT_ROUTERS,
)


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or load_settings(ReportingSettings)
    return create_service_app(
        settings=settings,
        title="TimeTracker reporting service",
        version="0.1.0",
        metadata=metadata,
        routers=list(ROUTERS),
        service_dir=SERVICE_DIR,
        consumers=consumers_for(settings.zone),
        database_url=settings.database,
    )
