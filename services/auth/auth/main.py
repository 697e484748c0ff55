"""The auth service process: `uvicorn --factory auth.main:create_app`. The router list is the
route table."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from auth.consumers import CONSUMERS
from auth.internal.router import router as internal_router
from auth.login.router import router as login_router
from auth.models import metadata
from auth.settings import AuthSettings
from auth.tokens.router import legacy_router as legacy_tokens_router
from auth.tokens.router import router as tokens_router
from auth.users.router import router as users_router
from auth.users.service import ensure_admin
from auth.version.releases import ReleaseChecker
from auth.version.router import router as version_router
from auth.version.service import installed_version
from shared.app import create_service_app
from shared.config_errors import load_settings
from shared.errors import ApiError
from shared.identity import Identity

log = logging.getLogger(__name__)
SERVICE_DIR = Path(__file__).resolve().parents[1]
ROUTERS = (users_router, login_router, tokens_router, legacy_tokens_router, version_router, internal_router)


def bootstrap_admin(app: FastAPI) -> None:
    """Create the TT_ADMIN_USERNAME admin if missing (idempotent, replica-safe). A database
    that is not reachable yet only logs: `tt-admin bootstrap` and /readyz cover that case."""
    settings: AuthSettings = app.state.settings
    if not settings.admin_username or settings.admin_password is None:
        return
    try:
        with app.state.sessionmaker() as session, session.begin():
            _, created = ensure_admin(
                session,
                settings.admin_username,
                settings.admin_password.get_secret_value(),
                actor=Identity(user_id=None, service="auth"),
            )
    except (SQLAlchemyError, ApiError) as exc:
        log.warning("admin bootstrap skipped: %s", exc)
        return
    if created:
        log.info("created admin user %s", settings.admin_username)


def create_app(settings: AuthSettings | None = None) -> FastAPI:
    settings = settings or load_settings(AuthSettings)
    app = create_service_app(
        settings=settings,
        title="TimeTracker auth service",
        version=installed_version(settings),
        metadata=metadata,
        routers=list(ROUTERS),
        service_dir=SERVICE_DIR,
        database_url=settings.database,
        consumers=CONSUMERS,
        on_startup=bootstrap_admin,
    )
    app.state.releases = ReleaseChecker(settings)
    return app
