"""Legacy admin version endpoints `/api/version/*` (any valid token, admin user)."""

from __future__ import annotations

from typing import Annotated

from auth.deps import ReleasesDep, SettingsDep
from auth.routing import feature_router
from auth.version import service
from auth.version.schemas import DismissRequest, DismissResponse, VersionCheck
from shared.db import SessionDep
from shared.identity import Identity, requires

router = feature_router("/api/version", tags=["version"])
AnyToken = Annotated[Identity, requires()]


@router.get("/check", response_model=VersionCheck)
def check_version(session: SessionDep, settings: SettingsDep, releases: ReleasesDep, identity: AnyToken) -> dict:
    """Installed vs. latest GitHub release; `update_available` honours the admin's dismissal."""
    return service.check_version(session, identity, settings=settings, releases=releases)


@router.post("/dismiss", response_model=DismissResponse)
def dismiss_version(body: DismissRequest, session: SessionDep, identity: AnyToken) -> dict:
    """Stop notifying this admin about `latest_version`."""
    return service.dismiss_version(session, identity, latest_version=body.latest_version)
