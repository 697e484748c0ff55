"""Username/password → a new API token (CONVENTIONS §10.4). Every failure is the same 401."""

from __future__ import annotations

from sqlalchemy.orm import Session

from auth.errors import InvalidCredentialsError
from auth.passwords import hash_password, needs_rehash, verify_password
from auth.settings import AuthSettings
from auth.tokens.rules import login_scopes
from auth.tokens.service import issue_token
from auth.users import repository as users
from shared.db import utcnow
from shared.identity import Identity


def login(session: Session, *, username: object, password: object, settings: AuthSettings) -> dict[str, str]:
    if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
        raise InvalidCredentialsError()
    if "\x00" in username:  # no stored username can hold NUL (PostgreSQL text refuses it)
        raise InvalidCredentialsError()
    user = users.get_by_username(session, username.strip().lower())
    # The hash is always verified (a dummy one for unknown users) so timing reveals nothing.
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        raise InvalidCredentialsError()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login = utcnow()
    _, plain = issue_token(
        session,
        user=user,
        name=f"App login - {user.username}",
        description="Issued by POST /api/v1/auth/login (app login)",
        scopes=login_scopes(user.is_admin),
        expires_days=settings.login_token_expiry_days,
        actor=Identity(user_id=user.id, username=user.username, is_admin=user.is_admin),
    )
    return {"token": plain}
