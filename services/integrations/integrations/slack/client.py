"""Posting to a Slack channel (integrations.md §4.3): `chat.postMessage` with the bot token as a
Bearer header and a JSON body. Slack answers HTTP 200 with `ok: false` for a refused post
(`invalid_auth`, `channel_not_found`), so success is both the status and the flag."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from integrations.connectors.context import Connectors
from integrations.connectors.outbound import ProviderError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posted:
    ok: bool
    error: str | None = None


def post_message(connectors: Connectors, *, token: str | None, channel: str | None, text: str) -> Posted:
    """Never raises: a transport failure or a refusal is a `Posted(ok=False)` naming why."""
    if not token or not channel:
        return Posted(False, "bot token and channel_id are required")
    try:
        response = connectors.http.request(
            "POST",
            connectors.settings.slack_api_url + "/chat.postMessage",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=utf-8"},
            json={"channel": channel, "text": text},
        )
    except ProviderError as exc:
        return Posted(False, str(exc))
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and isinstance(body, dict) and body.get("ok") is True:
        return Posted(True)
    error = body.get("error") if isinstance(body, dict) else None
    return Posted(False, str(error or f"Slack returned HTTP {response.status_code}"))
