"""`POST /api/v1/auth/login` (public: no token needed)."""

from __future__ import annotations

from typing import Annotated

from auth.deps import SettingsDep
from auth.login import service
from auth.login.schemas import LoginRequest, LoginResponse
from auth.routing import feature_router
from shared.db import SessionDep
from shared.identity import Identity, public

router = feature_router("/api/v1/auth", tags=["auth"])


@router.post("/login", response_model=LoginResponse)
def login(
    body: LoginRequest, session: SessionDep, settings: SettingsDep, identity: Annotated[Identity, public()]
) -> dict:
    """Exchange username and password for a new API token (`{"token": "tt_…"}`)."""
    return service.login(session, username=body.username, password=body.password, settings=settings)
