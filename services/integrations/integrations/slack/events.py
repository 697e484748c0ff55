"""The Slack receiver (integrations.md §4.4): Events API JSON (URL verification) and `/tt`
slash commands (form body). The signature is checked against every active Slack integration
before any byte of the payload is read; nothing verifies → 401."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from urllib.parse import parse_qs

from sqlalchemy.orm import Session

from integrations.connectors import records
from integrations.connectors.context import Connectors
from integrations.connectors.results import ConnectorError
from integrations.models import Integration
from integrations.secrets import SecretUnreadableError
from integrations.slack import signature
from integrations.slack.slash import run_command

log = logging.getLogger(__name__)
INVALID_SIGNATURE = "Invalid signature"


def verified_integrations(
    session: Session, headers: Mapping[str, str], body: bytes, *, connectors: Connectors
) -> list[Integration]:
    """Every active Slack integration whose signing secret signed this request, oldest first."""
    timestamp = signature.timestamp_of(headers.get("x-slack-request-timestamp"), now=time.time())
    given = headers.get("x-slack-signature")
    if timestamp is None or not given:
        return []
    matched = []
    for row in records.active(session, records.SLACK):
        try:
            secret = records.secret(row, "signing_secret", connectors.box)
        except SecretUnreadableError:
            log.warning("slack integration %s: its signing secret cannot be read", row.id)
            continue
        if signature.verifies(secret, timestamp, body, given):
            matched.append(row)
    return matched


def choose(rows: list[Integration], slack_user_id: str | None) -> Integration:
    """One Slack app shared by several users: the one linked to this Slack user, else the first
    unlinked one, else (every one linked to someone else) the first, which will refuse."""
    linked = [r for r in rows if (r.config or {}).get("linked_slack_user_id")]
    for row in linked:
        if slack_user_id and row.config["linked_slack_user_id"] == slack_user_id:
            return row
    unlinked = [r for r in rows if r not in linked]
    return unlinked[0] if unlinked else rows[0]


def receive(session: Session, headers: Mapping[str, str], body: bytes, *, form: bool, connectors: Connectors) -> dict:
    rows = verified_integrations(session, headers, body, connectors=connectors)
    if not rows:
        raise ConnectorError(401, INVALID_SIGNATURE)
    if not form:
        return _event(body)
    fields = {key: values[-1] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
    row = choose(rows, fields.get("user_id"))
    return run_command(connectors, row, slack_user_id=fields.get("user_id"), text=fields.get("text"))


def _event(body: bytes) -> dict:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        raise ConnectorError(400, "Malformed payload") from None
    if isinstance(payload, dict) and payload.get("type") == "url_verification":
        return {"challenge": payload.get("challenge")}
    return {"ok": True}
