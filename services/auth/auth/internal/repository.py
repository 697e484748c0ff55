"""The gateway's hot-path queries (one indexed lookup, one batched update) and the connectors'
user lookups."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import BigInteger, Integer, Row, column, func, select, update, values
from sqlalchemy.orm import Session

from auth.models import ApiToken, User
from shared.db import TZDateTime
from shared.inputs import row_id


def find_by_hash(session: Session, token_hash: str) -> Row | None:
    stmt = (
        select(
            ApiToken.id,
            ApiToken.user_id,
            ApiToken.scopes,
            ApiToken.is_active,
            ApiToken.expires_at,
            ApiToken.ip_whitelist,
            User.username,
            User.role,
            User.assigned_client_ids,
            User.is_active.label("user_is_active"),
        )
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash)
    )
    return session.execute(stmt).first()


def add_usage(session: Session, rows: list[tuple[int, int, datetime]]) -> int:
    """usage_count += count, last_used_at = greatest(existing, given); one statement.
    `rows` holds at most one entry per token id. Unknown ids match nothing."""
    if not rows:
        return 0
    batch = values(
        column("token_id", Integer), column("count", BigInteger), column("used_at", TZDateTime()), name="batch"
    ).data(rows)
    stmt = (
        update(ApiToken)
        .where(ApiToken.id == batch.c.token_id)
        .values(
            usage_count=ApiToken.usage_count + batch.c.count,
            last_used_at=func.greatest(ApiToken.last_used_at, batch.c.used_at),
        )
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).rowcount


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, row_id(user_id))


def active_user_by_github_login(session: Session, login: str) -> User | None:
    stmt = select(User).where(User.is_active.is_(True), func.lower(User.github_username) == login.lower())
    return session.scalars(stmt.order_by(User.id).limit(1)).first()


def first_active_admin(session: Session, admin_roles: Iterable[str]) -> User | None:
    stmt = select(User).where(User.is_active.is_(True), User.role.in_(tuple(admin_roles)))
    return session.scalars(stmt.order_by(User.id).limit(1)).first()
