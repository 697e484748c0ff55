"""Google OAuth tokens (integrations.md §5.2, §5.3): the authorization URL with PKCE, the code
exchange, and the one function every Google API call gets its access token from.

authlib builds the authorization URL (S256 challenge from the verifier) and reads the token
endpoint's answers (an `error` field becomes `OAuthError`). The token POSTs themselves go
through `connectors.http` like every other provider call, so they get the same timeout and
bounded retries on 429/5xx; handing authlib a retrying transport instead would be a second retry
policy to keep in step with the first. The authlib client is therefore given a transport that
refuses to send anything."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    # authlib 1.9 prefers httpx2 and warns, once per process, that it falls back to httpx: the
    # platform's client is httpx, and this client never sends anything anyway.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client, OAuthError

from integrations.connectors import records
from integrations.connectors.context import Connectors
from integrations.connectors.outbound import ProviderError
from integrations.connectors.values import integer
from integrations.models import Integration
from integrations.secrets import SecretUnreadableError

SCOPE = "https://www.googleapis.com/auth/calendar.readonly https://www.googleapis.com/auth/calendar.events openid email"
CALLBACK_PATH = "/integrations/google/callback"
DEFAULT_EXPIRES_IN = 3600
EXPIRY_MARGIN = timedelta(seconds=60)  # stored expiry is a minute early (§5.2)
REFRESH_AHEAD = timedelta(minutes=5)  # refresh when the stored expiry is this close (§5.3)
NO_CREDENTIALS = "No Google credentials stored"


class GoogleAuthError(Exception):
    """No usable access token; the text is safe to show (it never holds a token)."""


class _NeverSends(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError("token requests go through connectors.http")


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str | None
    expires_in: int


def new_code_verifier() -> str:
    return generate_token(48)


def _oauth_client(connectors: Connectors) -> OAuth2Client:
    settings = connectors.settings
    return OAuth2Client(
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret.get_secret_value(),
        scope=SCOPE,
        redirect_uri=redirect_uri(connectors),
        code_challenge_method="S256",
        transport=_NeverSends(),
    )


def redirect_uri(connectors: Connectors) -> str:
    return connectors.public(CALLBACK_PATH)


def authorization_url(connectors: Connectors, *, state: str, code_verifier: str) -> str:
    with _oauth_client(connectors) as client:
        url, _ = client.create_authorization_url(
            connectors.settings.google_auth_url,
            state=state,
            code_verifier=code_verifier,
            access_type="offline",
            include_granted_scopes="true",
            prompt="consent",
        )
    return url


def parse_grant(connectors: Connectors, response: httpx.Response) -> TokenGrant:
    """A token endpoint answer as a grant; GoogleAuthError for a refusal or no access token."""
    try:
        with _oauth_client(connectors) as client:
            token = client.parse_response_token(response)
    except OAuthError as exc:
        raise GoogleAuthError(f"Google refused the token request: {_safe_code(exc.error)}") from None
    except (httpx.HTTPStatusError, ValueError):
        raise GoogleAuthError(f"Google's token endpoint answered HTTP {response.status_code}") from None
    if response.status_code != 200 or not token.get("access_token"):
        raise GoogleAuthError(f"Google's token endpoint answered HTTP {response.status_code} without a token")
    expires_in = integer(token.get("expires_in"))
    return TokenGrant(
        access_token=str(token["access_token"]),
        refresh_token=str(token["refresh_token"]) if token.get("refresh_token") else None,
        expires_in=expires_in if expires_in is not None and expires_in > 0 else DEFAULT_EXPIRES_IN,
    )


def _safe_code(code: Any) -> str:
    """Google's error code (`invalid_grant`) when it looks like one; never free text."""
    text = str(code or "")
    return text if text and len(text) <= 40 and text.replace("_", "").isalnum() else "error"


def _post_token(connectors: Connectors, form: dict[str, str]) -> TokenGrant:
    settings = connectors.settings
    form = {
        "client_id": settings.google_client_id,
        "client_secret": settings.google_client_secret.get_secret_value(),
        **form,
    }
    try:
        response = connectors.http.request(
            "POST", settings.google_token_url, data=form, headers={"Accept": "application/json"}
        )
    except ProviderError as exc:
        raise GoogleAuthError(f"Google's token endpoint is unreachable: {exc}") from None
    return parse_grant(connectors, response)


def exchange_code(connectors: Connectors, *, code: str, code_verifier: str) -> TokenGrant:
    form = {
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri(connectors),
        "code_verifier": code_verifier,
    }
    return _post_token(connectors, form)


def expiry_of(grant: TokenGrant, now: datetime) -> str:
    return (now + timedelta(seconds=grant.expires_in) - EXPIRY_MARGIN).isoformat()


def parse_expiry(value: Any) -> datetime | None:
    """A stored `token_expiry`; None when absent or unreadable (a naive one is UTC)."""
    try:
        moment = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def still_fresh(expiry: datetime | None, now: datetime) -> bool:
    """§5.3: the stored token is used while its expiry is more than 5 minutes away."""
    return expiry is not None and expiry > now + REFRESH_AHEAD


def store_grant(row: Integration, grant: TokenGrant, connectors: Connectors, now: datetime) -> dict[str, Any]:
    """The new tokens sealed into the row's config (a refresh token only when Google sent one)."""
    config = records.config_of(row)
    records.put_secret(config, "access_token", grant.access_token, connectors.box)
    if grant.refresh_token:
        records.put_secret(config, "refresh_token", grant.refresh_token, connectors.box)
    config["token_expiry"] = expiry_of(grant, now)
    records.save_config(row, config, connectors.box)
    return config


def access_token(row: Integration, connectors: Connectors, *, now: datetime | None = None) -> str:
    """The access token to call Google with, refreshed first when it is about to expire (§5.3);
    the refreshed one is stored in the row (committed with the caller's transaction)."""
    now = now or datetime.now(UTC)
    try:
        access = records.secret(row, "access_token", connectors.box)
        refresh = records.secret(row, "refresh_token", connectors.box)
    except SecretUnreadableError:
        raise GoogleAuthError("The stored Google credentials cannot be read; connect Google Calendar again") from None
    if not access and not refresh:
        raise GoogleAuthError(NO_CREDENTIALS)
    if access and (still_fresh(parse_expiry(row.config.get("token_expiry")), now) or not refresh):
        return access
    assert refresh is not None
    grant = _post_token(connectors, {"grant_type": "refresh_token", "refresh_token": refresh})
    store_grant(row, grant, connectors, now)
    return grant.access_token


def mark_rejected(row: Integration, connectors: Connectors) -> None:
    """Google refused the stored access token (revoked or expired early): the next call refreshes
    it instead of sending it again."""
    config = records.config_of(row)
    config["token_expiry"] = datetime.now(UTC).isoformat()
    records.save_config(row, config, connectors.box)
