"""User use cases: the caller's profile, the admin list, and user administration (auth.md §2–§4)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from auth import events
from auth.access import current_user, require_admin
from auth.errors import SlackUserTakenError, UsernameTakenError, UserNotFoundError
from auth.models import User
from auth.modules import enabled_modules
from auth.passwords import hash_password
from auth.settings import AuthSettings
from auth.users import repository
from auth.users.rules import clean_fields, clean_new_user, normalize_username
from auth.users.schemas import UserCreate, UserUpdate
from auth.users.serializers import serialize_user, serialize_user_detail, user_event_data
from shared.db import utcnow
from shared.identity import Identity
from shared.pagination import PageParams, paginate


def get_me(session: Session, identity: Identity, *, settings: AuthSettings) -> dict[str, Any]:
    user = current_user(session, identity)
    return {
        "user": serialize_user(user, settings),
        "time_entry_requirements": {
            "require_task": settings.time_entry_require_task,
            "require_description": settings.time_entry_require_description,
            "description_min_length": settings.time_entry_description_min_length,
        },
        "enabled_modules": enabled_modules(disabled=settings.disabled_modules, is_admin=user.is_admin),
    }


def list_users(session: Session, page: PageParams, *, settings: AuthSettings) -> dict[str, Any]:
    users, pagination = paginate(session, repository.active_users(), page)
    now = utcnow()
    return {"users": [serialize_user(u, settings, now=now) for u in users], "pagination": pagination}


def register_user(session: Session, values: dict[str, Any], *, actor: Identity | None) -> User:
    """Insert a validated user (`users.rules.clean_new_user` output) and emit user.created."""
    if repository.get_by_username(session, values["username"]) is not None:
        raise UsernameTakenError(values["username"])
    if values.get("slack_user_id") and repository.slack_user_id_taken(session, values["slack_user_id"]):
        raise SlackUserTakenError()
    fields = {k: v for k, v in values.items() if k != "password"}
    user = repository.add(session, User(**fields, password_hash=hash_password(values["password"])))
    events.emit(session, events.USER_CREATED, entity_id=user.id, data=user_event_data(user), actor=actor)
    return user


def create_user(session: Session, body: UserCreate, *, actor: Identity, settings: AuthSettings) -> dict[str, Any]:
    require_admin(session, actor)
    user = register_user(session, clean_new_user(body.model_dump()), actor=actor)
    return {"message": "User created successfully", "user": serialize_user_detail(user, settings)}


def get_user(session: Session, user_id: int, *, actor: Identity, settings: AuthSettings) -> dict[str, Any]:
    require_admin(session, actor)
    user = repository.get(session, user_id)
    if user is None:
        raise UserNotFoundError(user_id)
    return {"user": serialize_user_detail(user, settings)}


def update_user(
    session: Session, user_id: int, body: UserUpdate, *, actor: Identity, settings: AuthSettings
) -> dict[str, Any]:
    """Partial update: only keys present in the body change."""
    require_admin(session, actor)
    user = repository.get(session, user_id, lock=True)
    if user is None:
        raise UserNotFoundError(user_id)
    changes = clean_fields(body.model_dump(exclude_unset=True))
    slack_id = changes.get("slack_user_id")
    if slack_id and repository.slack_user_id_taken(session, slack_id, exclude_user_id=user.id):
        raise SlackUserTakenError()
    if _apply(user, changes):
        session.flush()
        events.emit(session, events.USER_UPDATED, entity_id=user.id, data=user_event_data(user), actor=actor)
    return {"message": "User updated successfully", "user": serialize_user_detail(user, settings)}


def _apply(user: User, changes: dict[str, Any]) -> bool:
    changed = False
    for field, value in changes.items():
        if field == "password":
            user.password_hash = hash_password(value)
            changed = True
        elif getattr(user, field) != value:
            setattr(user, field, value)
            changed = True
    return changed


def deactivate_user(session: Session, user_id: int, *, actor: Identity) -> dict[str, Any]:
    """DELETE: users are never hard-deleted; their tokens stop authenticating at once
    (the gateway evicts its cache on the event)."""
    require_admin(session, actor)
    user = repository.get(session, user_id, lock=True)
    if user is None:
        raise UserNotFoundError(user_id)
    if user.is_active:
        user.is_active = False
        session.flush()
        events.emit(session, events.USER_DELETED, entity_id=user.id, data=user_event_data(user), actor=actor)
    return {"message": "User deactivated successfully"}


def ensure_admin(session: Session, username: str, password: str, *, actor: Identity | None = None) -> tuple[User, bool]:
    """Create the bootstrap admin unless a user with that name exists. Idempotent and safe
    with several replicas. Returns (user, created)."""
    name = normalize_username(username)
    existing = repository.get_by_username(session, name)
    if existing is not None:
        return existing, False
    values = clean_new_user({"username": name, "password": password, "role": "admin"})
    fields = {k: v for k, v in values.items() if k != "password"}
    user_id = repository.insert_if_absent(session, {**fields, "password_hash": hash_password(password)})
    if user_id is None:
        user = repository.get_by_username(session, name)
        assert user is not None
        return user, False
    user = repository.get(session, user_id)
    assert user is not None
    events.emit(session, events.USER_CREATED, entity_id=user.id, data=user_event_data(user), actor=actor)
    return user, True
