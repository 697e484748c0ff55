"""Who the caller is in the auth service's own data: the token's user, and admin checks."""

from __future__ import annotations

from sqlalchemy.orm import Session

from auth.errors import AdminRequiredError, InactiveUserError
from auth.models import User
from shared.identity import Identity


def current_user(session: Session, identity: Identity) -> User:
    """The active user behind the token; 401 when it is gone or deactivated."""
    user = session.get(User, identity.user_id) if identity.user_id is not None else None
    if user is None or not user.is_active:
        raise InactiveUserError()
    return user


def require_admin(session: Session, actor: Identity) -> User | None:
    """Admin administration: the token's user must be an admin (auth.md §4, §5). A platform
    process acting for the operator (the `tt-admin` CLI) carries `service` and no user."""
    if actor.user_id is None and actor.service is not None:
        return None
    user = current_user(session, actor)
    if not user.is_admin:
        raise AdminRequiredError()
    return user
