"""`/api/v1/users`: the caller's profile, the admin list, user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import Response, status

from auth.deps import SettingsDep
from auth.routing import feature_router
from auth.schemas import MessageResponse
from auth.users import service
from auth.users.schemas import MeResponse, UserCreate, UserEnvelope, UserList, UserMessageEnvelope, UserUpdate
from shared.db import SessionDep
from shared.identity import CREDENTIALS_CHANGED_HEADER, Identity, requires
from shared.pagination import PageDep

router = feature_router("/api/v1/users", tags=["users"])
AdminScope = Annotated[Identity, requires("admin:all")]


@router.get("/me", response_model=MeResponse)
def get_current_user(
    session: SessionDep, settings: SettingsDep, identity: Annotated[Identity, requires("read:users")]
) -> dict:
    """The token's user, the time-entry requirements and the modules enabled for this user."""
    return service.get_me(session, identity, settings=settings)


@router.get("", response_model=UserList)
def list_users(session: SessionDep, settings: SettingsDep, page: PageDep, identity: AdminScope) -> dict:
    """Active users ordered by username (scope check only)."""
    return service.list_users(session, page, settings=settings)


@router.post("", response_model=UserMessageEnvelope, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: SessionDep, settings: SettingsDep, identity: AdminScope) -> dict:
    """Create a user (admin user required)."""
    return service.create_user(session, body, actor=identity, settings=settings)


@router.get("/{user_id:id}", response_model=UserEnvelope)
def get_user(user_id: int, session: SessionDep, settings: SettingsDep, identity: AdminScope) -> dict:
    """One user (admin user required)."""
    return service.get_user(session, user_id, actor=identity, settings=settings)


# A user's role, admin flag, modules and active state travel in their tokens' identities.
def _user_changed(response: Response, user_id: int) -> None:
    response.headers[CREDENTIALS_CHANGED_HEADER] = f"user={user_id}"


@router.patch("/{user_id:id}", response_model=UserMessageEnvelope)
def update_user(
    user_id: int, body: UserUpdate, session: SessionDep, settings: SettingsDep, identity: AdminScope, response: Response
) -> dict:
    """Partial update: only the keys present change (admin user required)."""
    answer = service.update_user(session, user_id, body, actor=identity, settings=settings)
    _user_changed(response, user_id)
    return answer


@router.put("/{user_id:id}", response_model=UserMessageEnvelope)
def update_user_put(
    user_id: int, body: UserUpdate, session: SessionDep, settings: SettingsDep, identity: AdminScope, response: Response
) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    answer = service.update_user(session, user_id, body, actor=identity, settings=settings)
    _user_changed(response, user_id)
    return answer


@router.delete("/{user_id:id}", response_model=MessageResponse)
def deactivate_user(user_id: int, session: SessionDep, identity: AdminScope, response: Response) -> dict:
    """Deactivate a user (never a hard delete); their tokens stop working at once."""
    answer = service.deactivate_user(session, user_id, actor=identity)
    _user_changed(response, user_id)
    return answer
