"""Slack connector settings (integrations.md §4.1–§4.3): save, snapshot and the test post, for
the token user's own row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from integrations.connectors import records
from integrations.connectors.context import Connectors
from integrations.connectors.results import NOT_CONFIGURED, ConnectorError, failure, not_configured
from integrations.secrets import SecretUnreadableError
from integrations.slack import config as slack_config
from integrations.slack.client import post_message
from shared.identity import Identity

EVENTS_PATH = "/api/integrations/slack/events"
TEST_TEXT = ":white_check_mark: TimeTracker is connected to this channel."


def save_config(session: Session, fields: dict[str, Any], *, actor: Identity, connectors: Connectors) -> dict:
    """`is_active` follows whether a bot token is stored."""
    row = records.find_or_create(session, records.SLACK, actor.user_id)
    config = records.config_of(row)
    # sealed first: without an encryption key nothing is saved (503)
    for key, plain in slack_config.new_secrets(fields).items():
        records.put_secret(config, key, plain, connectors.box)
    slack_config.apply_settings(config, fields)
    records.save_config(row, config, connectors.box)
    row.is_active = bool(config.get("bot_token"))
    return {"ok": True, "is_active": row.is_active}


def status(session: Session, *, actor: Identity, connectors: Connectors) -> dict:
    row = records.find(session, records.SLACK, actor.user_id)
    if row is None:
        return {"ok": True, "connected": False}
    return {
        "ok": True,
        "connected": bool(row.is_active and records.has(row, "bot_token")),
        **slack_config.snapshot(records.config_of(row)),
        "events_url": connectors.public(EVENTS_PATH),
    }


def send_test(session: Session, *, actor: Identity, connectors: Connectors) -> dict:
    row = records.find(session, records.SLACK, actor.user_id)
    if row is None:
        raise ConnectorError(404, NOT_CONFIGURED)
    if not row.is_active:
        return not_configured()
    try:
        token = records.secret(row, "bot_token", connectors.box)
    except SecretUnreadableError:
        return failure("The stored bot token cannot be read; save it again")
    posted = post_message(connectors, token=token, channel=row.config.get("channel_id"), text=TEST_TEXT)
    return {"ok": True} if posted.ok else failure(posted.error or "not posted")
