"""The Google APIs the connector calls (integrations.md §5): userinfo, the calendar list, a
calendar's events (list and insert), and token revocation. Every call goes through
`connectors.http` (timeout, bounded retries); a 401 means Google no longer accepts the access
token and is raised as `TokenRejectedError`, for the operation to report, never as a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from integrations.connectors.context import Connectors
from integrations.connectors.outbound import ProviderError

REJECTED = "Google rejected the access token (HTTP 401); connect Google Calendar again"


class TokenRejectedError(Exception):
    """Google answered 401 to a call made with the stored access token."""

    def __init__(self) -> None:
        super().__init__(REJECTED)


def _call(connectors: Connectors, method: str, url: str, token: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    response = connectors.http.request(method, url, headers=headers, **kwargs)
    if response.status_code == 401:
        raise TokenRejectedError()
    return response


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _events_url(connectors: Connectors, calendar_id: str) -> str:
    return f"{connectors.settings.google_calendar_url}/calendars/{quote(calendar_id, safe='')}/events"


def user_email(connectors: Connectors, token: str) -> str | None:
    """The account's email, best effort (§5.2): None on any failure."""
    try:
        response = _call(connectors, "GET", connectors.settings.google_userinfo_url, token)
    except (ProviderError, TokenRejectedError):
        return None
    email = _json(response).get("email") if response.status_code == 200 else None
    return str(email) if email else None


def count_calendars(connectors: Connectors, token: str) -> int:
    """How many calendars the account lists; ProviderError with Google's status otherwise."""
    response = _call(connectors, "GET", f"{connectors.settings.google_calendar_url}/users/me/calendarList", token)
    if response.status_code != 200:
        raise ProviderError(f"Google answered HTTP {response.status_code}")
    items = _json(response).get("items")
    return len(items) if isinstance(items, list) else 0


def list_events(connectors: Connectors, token: str, calendar_id: str, params: dict[str, str]) -> list[dict[str, Any]]:
    response = _call(connectors, "GET", _events_url(connectors, calendar_id), token, params=params)
    if response.status_code != 200:
        raise ProviderError(f"HTTP {response.status_code}")
    items = _json(response).get("items")
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def insert_event(connectors: Connectors, token: str, calendar_id: str, event: dict[str, Any]) -> int:
    """POST one event; Google's status code."""
    return _call(connectors, "POST", _events_url(connectors, calendar_id), token, json=event).status_code


def revoke(connectors: Connectors, token: str) -> None:
    """Best effort (§5.2): any failure is ignored, and nothing about it is logged (the token is in
    the URL's query)."""
    try:
        connectors.http.request("POST", connectors.settings.google_revoke_url, params={"token": token})
    except ProviderError:
        pass
