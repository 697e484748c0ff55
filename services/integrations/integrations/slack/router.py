"""The Slack connector's routes (integrations.md §4): settings for the token user, and the
Slack-signed receiver of Events API requests and `/tt` slash commands."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request

from integrations.connectors.inbound import ConfigFields, RawBody, is_form
from integrations.deps import ConnectorsDep
from integrations.routing import feature_router
from integrations.slack import events, service
from shared.db import SessionDep
from shared.identity import Identity, public, requires

router = feature_router("", tags=["slack"])
TokenUser = Annotated[Identity, requires()]
SlackSigned = Annotated[Identity, public()]


@router.post("/api/integrations/slack/config")
def save_slack_config(
    fields: ConfigFields, session: SessionDep, identity: TokenUser, connectors: ConnectorsDep
) -> dict:
    """Save the caller's Slack settings (JSON or form); secrets are replaced only when non-blank."""
    return service.save_config(session, fields, actor=identity, connectors=connectors)


@router.get("/api/integrations/slack/status")
def get_slack_status(session: SessionDep, identity: TokenUser, connectors: ConnectorsDep) -> dict:
    """The caller's Slack settings without their secrets, and the URL to give Slack."""
    return service.status(session, actor=identity, connectors=connectors)


@router.post("/api/integrations/slack/test")
def test_slack(session: SessionDep, identity: TokenUser, connectors: ConnectorsDep) -> dict:
    """Post a short test message to the configured channel."""
    return service.send_test(session, actor=identity, connectors=connectors)


@router.post("/api/integrations/slack/events")
def receive_slack_event(
    request: Request, body: RawBody, session: SessionDep, identity: SlackSigned, connectors: ConnectorsDep
) -> dict:
    """Slack's requests, signed with an integration's signing secret: URL verification and `/tt`."""
    return events.receive(session, request.headers, body, form=is_form(request), connectors=connectors)
