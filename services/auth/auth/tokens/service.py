"""API token use cases: issue (admin, login, CLI), list, toggle, revoke (auth.md §5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from auth import events
from auth.access import require_admin
from auth.errors import TokenNotFoundError, UserNotFoundError
from auth.models import ApiToken, User
from auth.tokens import repository
from auth.tokens.rules import (
    display_prefix,
    generate_token,
    hash_token,
    parse_ip_whitelist,
    parse_scope_input,
    unknown_scopes,
)
from auth.tokens.schemas import ApiTokenCreate
from shared.db import utcnow
from shared.errors import ValidationError
from shared.identity import Identity, parse_scopes
from shared.timefmt import iso_utc

NAME_MAX = 100


def serialize_token(token: ApiToken, username: str | None = None) -> dict[str, Any]:
    """CONVENTIONS §2.1 admin view (never the hash), plus the owner's username."""
    return {
        "id": token.id,
        "name": token.name,
        "description": token.description or "",
        "token_prefix": token.token_prefix,
        "scopes": parse_scopes(token.scopes),
        "created_at": iso_utc(token.created_at),
        "expires_at": iso_utc(token.expires_at),
        "last_used_at": iso_utc(token.last_used_at),
        "is_active": token.is_active,
        "usage_count": token.usage_count,
        "user_id": token.user_id,
        "username": username,
        "ip_whitelist": token.ip_whitelist,
    }


def token_event_data(token: ApiToken, **extra: Any) -> dict[str, Any]:
    return {
        "token_id": token.id,
        "user_id": token.user_id,
        "name": token.name,
        "token_prefix": token.token_prefix,
        "scopes": parse_scopes(token.scopes),
        "is_active": token.is_active,
        "expires_at": iso_utc(token.expires_at),
        **extra,
    }


def issue_token(
    session: Session,
    *,
    user: User,
    name: str,
    scopes: list[str] | str,
    actor: Identity | None,
    description: str = "",
    expires_days: int | None = None,
    ip_whitelist: str | None = None,
) -> tuple[ApiToken, str]:
    """Mint a token for `user`; the plain value is returned once and never stored."""
    plain = generate_token()
    now = utcnow()
    token = repository.add(
        session,
        ApiToken(
            name=name,
            description=description,
            token_hash=hash_token(plain),
            token_prefix=display_prefix(plain),
            user_id=user.id,
            scopes=scopes if isinstance(scopes, str) else ",".join(scopes),
            created_at=now,
            expires_at=now + timedelta(days=expires_days) if expires_days else None,
            ip_whitelist=ip_whitelist,
            is_active=True,
            usage_count=0,
        ),
    )
    events.emit(session, events.API_TOKEN_CREATED, entity_id=token.id, data=token_event_data(token), actor=actor)
    return token, plain


def _validated(body: ApiTokenCreate) -> tuple[str, list[str], str | None]:
    errors: dict[str, list[str]] = {}
    extra: dict[str, Any] = {}
    name = (body.name or "").strip()
    if not name:
        errors["name"] = ["Token name is required"]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"Token name must be at most {NAME_MAX} characters"]
    if body.user_id is None:
        errors["user_id"] = ["User is required"]
    scopes = parse_scope_input(body.scopes)
    invalid = unknown_scopes(scopes)
    if not scopes:
        errors["scopes"] = ["At least one scope is required"]
    elif invalid:
        errors["scopes"] = [f"Invalid scopes: {', '.join(invalid)}"]
        extra["invalid_scopes"] = invalid
    if body.expires_days is not None and body.expires_days < 0:
        errors["expires_days"] = ["expires_days must be a positive number of days (0 or null: never expires)"]
    ip_whitelist, bad_ips = parse_ip_whitelist(body.ip_whitelist)
    if bad_ips:
        errors["ip_whitelist"] = [f"Invalid IP address or CIDR block: {', '.join(bad_ips)}"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationError(errors, first, error=first, **extra)
    return name, scopes, ip_whitelist


def create_api_token(session: Session, body: ApiTokenCreate, *, actor: Identity) -> dict[str, Any]:
    require_admin(session, actor)
    name, scopes, ip_whitelist = _validated(body)
    user = session.get(User, body.user_id)
    if user is None:
        raise UserNotFoundError(body.user_id)
    token, plain = issue_token(
        session,
        user=user,
        name=name,
        scopes=scopes,
        description=(body.description or "").strip(),
        expires_days=body.expires_days or None,
        ip_whitelist=ip_whitelist,
        actor=actor,
    )
    return {"message": "API token created successfully", "token": plain, "token_id": token.id}


def list_api_tokens(session: Session, *, actor: Identity) -> dict[str, Any]:
    require_admin(session, actor)
    return {"tokens": [serialize_token(t, username) for t, username in repository.list_with_usernames(session)]}


def toggle_api_token(session: Session, token_id: int, *, actor: Identity) -> dict[str, Any]:
    require_admin(session, actor)
    token = repository.get(session, token_id, lock=True)
    if token is None:
        raise TokenNotFoundError(token_id)
    token.is_active = not token.is_active
    session.flush()
    if token.is_active:
        subject, message = events.API_TOKEN_ACTIVATED, "Token activated successfully"
    else:
        subject, message = events.API_TOKEN_REVOKED, "Token deactivated successfully"
    events.emit(session, subject, entity_id=token.id, data=token_event_data(token, deleted=False), actor=actor)
    return {"message": message}


def delete_api_token(session: Session, token_id: int, *, actor: Identity) -> dict[str, Any]:
    require_admin(session, actor)
    token = repository.get(session, token_id, lock=True)
    if token is None:
        raise TokenNotFoundError(token_id)
    data = token_event_data(token, is_active=False, deleted=True)
    repository.remove(session, token)
    events.emit(session, events.API_TOKEN_REVOKED, entity_id=token_id, data=data, actor=actor)
    return {"message": "Token deleted successfully"}
