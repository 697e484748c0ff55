"""Google Calendar connector routes (integrations.md §5, §2.4): the OAuth flow under
`/integrations/google/*`, settings, status, test and sync under `/api/integrations/google/*`.
Every route but the OAuth callback takes the user's token (no scope); the callback is public and
trusts only its `state`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import RedirectResponse

from integrations.connectors.inbound import ConfigFields
from integrations.deps import ConnectorsDep
from integrations.google import oauth, service, sync
from integrations.routing import feature_router
from shared.db import SessionDep
from shared.identity import Identity, public, requires

router = feature_router("", tags=["google"])
TokenUser = Annotated[Identity, requires()]
Anyone = Annotated[Identity, public()]


@router.get("/integrations/google/connect", response_model=None)
def connect_google(
    request: Request, session: SessionDep, connectors: ConnectorsDep, identity: TokenUser
) -> RedirectResponse | dict[str, Any]:
    """Start the OAuth flow: a 302 to Google's consent page, or with `Accept: application/json`
    the URL to open."""
    url = oauth.start_connect(session, identity.user_id, connectors=connectors)
    if "application/json" in request.headers.get("accept", ""):
        return {"ok": True, "authorization_url": url}
    return RedirectResponse(url, status_code=302)


@router.get("/integrations/google/callback", response_class=RedirectResponse, status_code=302)
def finish_google_connect(
    session: SessionDep,
    connectors: ConnectorsDep,
    identity: Anyone,
    state: Annotated[str | None, Query()] = None,
    code: Annotated[str | None, Query()] = None,
    error: Annotated[str | None, Query()] = None,
) -> RedirectResponse:
    """Google's redirect back: store the tokens, then a 302 to the UI's integrations page."""
    query = oauth.CallbackQuery(state=state, code=code, error=error)
    return RedirectResponse(oauth.finish_connect(session, query, connectors=connectors), status_code=302)


@router.post("/integrations/google/disconnect")
def disconnect_google(session: SessionDep, connectors: ConnectorsDep, identity: TokenUser) -> dict[str, Any]:
    """Revoke the grant at Google (best effort) and forget the tokens."""
    return oauth.disconnect(session, identity.user_id, connectors=connectors)


@router.post("/api/integrations/google/config")
def save_google_config(
    fields: ConfigFields, session: SessionDep, connectors: ConnectorsDep, identity: TokenUser
) -> dict[str, Any]:
    """Save the sync settings (JSON or form; invalid values become their defaults)."""
    return service.save_settings(session, identity.user_id, fields, connectors=connectors)


@router.get("/api/integrations/google/status")
def get_google_status(session: SessionDep, identity: TokenUser) -> dict[str, Any]:
    """The settings and whether Google is connected; never a token."""
    return service.status(session, identity.user_id)


@router.post("/api/integrations/google/test")
def test_google(session: SessionDep, connectors: ConnectorsDep, identity: TokenUser) -> dict[str, Any]:
    """Check the stored access (refreshed if needed) by listing the account's calendars."""
    return service.test_access(session, identity.user_id, connectors=connectors)


@router.post("/api/integrations/google/sync")
def sync_google(session: SessionDep, connectors: ConnectorsDep, identity: TokenUser) -> dict[str, Any]:
    """Import calendar events as time entries and/or export new entries as events, now."""
    return sync.sync_for_user(session, identity.user_id, connectors=connectors)
