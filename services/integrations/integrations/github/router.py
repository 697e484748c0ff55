"""`/api/integrations/github/*`: the GitHub connector (integrations.md §3). Settings, status,
test and sync act on the token user's own integration (no scope needed, §2.4); the webhook
receiver is public and trusts only the delivery's signature."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request
from fastapi.responses import JSONResponse

from integrations.connectors.inbound import ConfigFields, RawBody
from integrations.deps import ConnectorsDep
from integrations.github import service, webhook
from integrations.routing import feature_router
from shared.db import SessionDep
from shared.identity import Identity, public, requires

router = feature_router("/api/integrations/github", tags=["github"])
TokenUser = Annotated[Identity, requires()]
Provider = Annotated[Identity, public()]


@router.post("/config")
def save_github_config(
    fields: ConfigFields, session: SessionDep, identity: TokenUser, connectors: ConnectorsDep
) -> dict:
    """Save the connector's settings (JSON or form); a generated webhook secret is shown once."""
    return service.save_config(session, fields, actor=identity, connectors=connectors)


@router.get("/status")
def get_github_status(session: SessionDep, identity: TokenUser, connectors: ConnectorsDep) -> dict:
    """The connector's settings, without its secrets."""
    return service.status(session, actor=identity, connectors=connectors)


@router.post("/test")
def test_github_connection(session: SessionDep, identity: TokenUser, connectors: ConnectorsDep) -> dict:
    """Check the stored personal access token against GitHub."""
    return service.test_connection(session, actor=identity, connectors=connectors)


@router.post("/sync")
def sync_github_issues(session: SessionDep, identity: TokenUser, connectors: ConnectorsDep) -> dict:
    """Admins: upsert the repository's open issues (first page) as tasks of the default project."""
    return service.sync_issues(session, actor=identity, connectors=connectors)


@router.post("/webhook")
def receive_github_webhook(
    request: Request, body: RawBody, session: SessionDep, identity: Provider, connectors: ConnectorsDep
) -> JSONResponse:
    """GitHub deliveries (`issues`, `ping`), verified by `X-Hub-Signature-256`."""
    status_code, answer = webhook.receive_delivery(session, body, dict(request.headers), connectors=connectors)
    return JSONResponse(answer, status_code=status_code)
