"""Connecting and disconnecting Google Calendar (integrations.md §5.2). The callback arrives from
the browser without a token, so `connect` binds a random `state` to the user server-side (its
SHA-256, with the sealed PKCE verifier, for `oauth_state_ttl_seconds`), and the callback trusts
only what that state names."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from integrations.connectors import records
from integrations.connectors.context import Connectors
from integrations.connectors.results import ConnectorError
from integrations.errors import EncryptionKeyMissingError
from integrations.google import calendar, mapping, repository, tokens
from integrations.models import Integration
from integrations.secrets import SecretUnreadableError

TOKEN_KEYS = ("access_token", "refresh_token", "token_expiry", "email")


class CallbackFailedError(Exception):
    """The callback ends on the UI's error page with this short reason (never a secret)."""


@dataclass(frozen=True)
class CallbackQuery:
    state: str | None
    code: str | None
    error: str | None


def start_connect(session: Session, user_id: int, *, connectors: Connectors) -> str:
    """The authorization URL the user is sent to; the user's row exists (inactive if new)."""
    if not connectors.settings.google_client_id:
        raise ConnectorError(400, "GOOGLE_CLIENT_ID is not configured")
    if not connectors.box.configured:
        raise EncryptionKeyMissingError()
    now = datetime.now(UTC)
    repository.purge_expired_states(session, now)
    records.find_or_create(session, records.GOOGLE, user_id)
    state, verifier = secrets.token_urlsafe(24), tokens.new_code_verifier()
    repository.add_state(
        session,
        state=state,
        user_id=user_id,
        sealed_verifier=connectors.box.seal(verifier),
        expires_at=now + timedelta(seconds=connectors.settings.oauth_state_ttl_seconds),
    )
    return tokens.authorization_url(connectors, state=state, code_verifier=verifier)


def ui_url(connectors: Connectors, **query: str) -> str:
    base = connectors.settings.ui_integrations_url
    return f"{base}{'&' if '?' in base else '?'}{urlencode(query)}"


def finish_connect(session: Session, query: CallbackQuery, *, connectors: Connectors) -> str:
    """Where the browser goes next: the UI page with `google=connected`, or `google=error` and
    the reason. A state is used up by its first callback, whatever the outcome."""
    try:
        user_id, verifier = _claim_state(session, query.state, connectors)
        if query.error:
            raise CallbackFailedError("access_denied")
        if not query.code:
            raise CallbackFailedError("missing_code")
        try:
            grant = tokens.exchange_code(connectors, code=query.code, code_verifier=verifier)
        except tokens.GoogleAuthError:
            raise CallbackFailedError("token_exchange_failed") from None
        _save_connection(session, user_id, grant, connectors)
    except CallbackFailedError as failed:
        return ui_url(connectors, google="error", reason=str(failed))
    return ui_url(connectors, google="connected")


def _claim_state(session: Session, state: str | None, connectors: Connectors) -> tuple[int, str]:
    """The user and PKCE verifier the state was issued for; expired states are purged here too."""
    now = datetime.now(UTC)
    pending = repository.take_state(session, state) if state else None
    repository.purge_expired_states(session, now)
    if pending is None:
        raise CallbackFailedError("invalid_state")
    if pending.expires_at <= now:
        raise CallbackFailedError("expired_state")
    try:
        verifier = connectors.box.open(pending.code_verifier)
    except SecretUnreadableError:
        raise CallbackFailedError("invalid_state") from None
    assert verifier is not None
    return pending.user_id, verifier


def _save_connection(session: Session, user_id: int, grant: tokens.TokenGrant, connectors: Connectors) -> None:
    email = calendar.user_email(connectors, grant.access_token)
    row = records.find_or_create(session, records.GOOGLE, user_id)
    config = tokens.store_grant(row, grant, connectors, datetime.now(UTC))
    if email:
        config["email"] = email
    else:
        config.pop("email", None)
    records.save_config(row, mapping.with_settings(config, {}), connectors.box)
    row.is_active = True


def disconnect(session: Session, user_id: int, *, connectors: Connectors) -> dict[str, bool]:
    """Revoke (best effort) and forget the tokens; the settings stay for a later connect."""
    row = records.find(session, records.GOOGLE, user_id, lock=True)
    if row is None:
        return {"ok": True}
    token = _revocable_token(row, connectors)
    if token:
        calendar.revoke(connectors, token)
    config = records.config_of(row)
    for key in TOKEN_KEYS:
        config.pop(key, None)
    records.save_config(row, config, connectors.box)
    row.is_active = False
    return {"ok": True}


def _revocable_token(row: Integration, connectors: Connectors) -> str | None:
    try:
        return records.secret(row, "refresh_token", connectors.box) or records.secret(
            row, "access_token", connectors.box
        )
    except SecretUnreadableError:
        return None
