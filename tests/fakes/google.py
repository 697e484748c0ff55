"""A fake Google: the OAuth 2.0 endpoints (consent with PKCE, token, revoke), OpenID userinfo and
the slice of Calendar API v3 the connector uses (calendar list, events list and insert).

Accounts are keyed by email, so tests sharing the session's fake stay apart: a test seeds its
own account's events (`add_event`), picks who consents (`login_hint` on the consent URL, or
`approve(query, email=…)`), and sets how long its access tokens live (`expires_in`). Access
tokens stop working when the test says so (`expire_access_tokens`), or once revoked."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlencode

from fakes.server import Answer, FakeProvider, Request

REQUIRED_SCOPES = {
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events",
}
CALENDAR_PREFIX = "/calendar/v3/calendars/"
UNAUTHENTICATED = Answer(401, {"error": {"code": 401, "message": "Invalid Credentials", "status": "UNAUTHENTICATED"}})


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class Grant:
    """One consent: its code (single use), refresh token and access tokens."""

    email: str
    redirect_uri: str
    code_challenge: str
    code: str | None
    refresh_token: str
    access_tokens: set[str] = field(default_factory=set)
    revoked: bool = False


@dataclass
class Account:
    email: str
    expires_in: int = 3600
    rotate_refresh_token: bool = False
    calendars: list[str] = field(default_factory=lambda: ["primary"])
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # calendar id → events
    created: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class FakeGoogle(FakeProvider):
    def __init__(self, *, client_id: str, client_secret: str) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.accounts: dict[str, Account] = {}
        self.grants: list[Grant] = []
        self.expired: set[str] = set()
        self.revoked_tokens: list[str] = []
        self._state = threading.RLock()

    # -- what tests set up and read ---------------------------------------------------------
    def account(self, email: str) -> Account:
        with self._state:
            return self.accounts.setdefault(email, Account(email))

    def add_event(self, email: str, event: dict[str, Any], calendar_id: str = "primary") -> None:
        with self._state:
            self.account(email).events.setdefault(calendar_id, []).append(event)

    def created_events(self, email: str, calendar_id: str = "primary") -> list[dict[str, Any]]:
        with self._state:
            return list(self.account(email).created.get(calendar_id, []))

    def expire_access_tokens(self, email: str | None = None) -> None:
        """From now on the (account's) access tokens issued so far get 401."""
        with self._state:
            for grant in self.grants:
                if email is None or grant.email == email:
                    self.expired |= grant.access_tokens

    def grants_of(self, email: str) -> list[Grant]:
        with self._state:
            return [g for g in self.grants if g.email == email]

    def approve(self, query: dict[str, str], *, email: str) -> str:
        """What the consent page does when `email` agrees: the redirect back, with a code."""
        problem = self._authorize_problem(query)
        if problem:
            raise ValueError(problem)
        with self._state:
            grant = Grant(
                email=email,
                redirect_uri=query["redirect_uri"],
                code_challenge=query["code_challenge"],
                code=secrets.token_urlsafe(16),
                refresh_token="1//fake-refresh-" + secrets.token_urlsafe(16),
            )
            self.account(email)
            self.grants.append(grant)
        return f"{query['redirect_uri']}?{urlencode({'state': query['state'], 'code': grant.code})}"

    # -- the wire ------------------------------------------------------------------------------
    def handle(self, request: Request) -> Answer:
        if request.path == "/o/oauth2/v2/auth" and request.method == "GET":
            return self._consent(request)
        if request.path == "/token" and request.method == "POST":
            return self._token(request.form())
        if request.path == "/revoke" and request.method == "POST":
            return self._revoke(request.query.get("token") or request.form().get("token", ""))
        account = self._bearer(request)
        if account is None:
            return UNAUTHENTICATED
        if request.path == "/v1/userinfo":
            return Answer(200, {"sub": hashlib.sha1(account.email.encode()).hexdigest(), "email": account.email})
        if request.path == "/calendar/v3/users/me/calendarList":
            return Answer(200, {"kind": "calendar#calendarList", "items": [{"id": c} for c in account.calendars]})
        if request.path.startswith(CALENDAR_PREFIX) and request.path.endswith("/events"):
            calendar_id = request.path[len(CALENDAR_PREFIX) : -len("/events")]
            return self._events(request, account, calendar_id)
        return Answer(404, {"error": {"code": 404, "message": "Not Found"}})

    def _authorize_problem(self, query: dict[str, str]) -> str | None:
        if query.get("client_id") != self.client_id:
            return "invalid client_id"
        if not query.get("redirect_uri") or query.get("response_type") != "code" or not query.get("state"):
            return "redirect_uri, response_type=code and state are required"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return "PKCE (S256) is required"
        if not REQUIRED_SCOPES <= set(query.get("scope", "").split()):
            return "calendar scopes missing"
        return None

    def _consent(self, request: Request) -> Answer:
        try:
            location = self.approve(request.query, email=request.query.get("login_hint") or "someone@example.com")
        except ValueError as problem:
            return Answer(400, {"error": "invalid_request", "error_description": str(problem)})
        return Answer(302, b"", {"location": location})

    def _issue(self, grant: Grant, account: Account) -> dict[str, Any]:
        access = "ya29.fake-" + secrets.token_urlsafe(16)
        grant.access_tokens.add(access)
        return {"access_token": access, "expires_in": account.expires_in, "token_type": "Bearer"}

    def _token(self, form: dict[str, str]) -> Answer:
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Answer(401, {"error": "invalid_client"})
        with self._state:
            if form.get("grant_type") == "authorization_code":
                return self._exchange(form)
            if form.get("grant_type") == "refresh_token":
                return self._refresh(form)
        return Answer(400, {"error": "unsupported_grant_type"})

    def _exchange(self, form: dict[str, str]) -> Answer:
        grant = next((g for g in self.grants if g.code and g.code == form.get("code")), None)
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return Answer(400, {"error": "invalid_grant"})
        if s256(form.get("code_verifier", "")) != grant.code_challenge:
            return Answer(400, {"error": "invalid_grant", "error_description": "code_verifier mismatch"})
        grant.code = None
        return Answer(200, {**self._issue(grant, self.account(grant.email)), "refresh_token": grant.refresh_token})

    def _refresh(self, form: dict[str, str]) -> Answer:
        grant = next((g for g in self.grants if g.refresh_token == form.get("refresh_token")), None)
        if grant is None or grant.revoked:
            return Answer(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        account = self.account(grant.email)
        answer = self._issue(grant, account)
        if account.rotate_refresh_token:
            grant.refresh_token = "1//fake-refresh-" + secrets.token_urlsafe(16)
            answer["refresh_token"] = grant.refresh_token
        return Answer(200, answer)

    def _revoke(self, token: str) -> Answer:
        with self._state:
            grant = next((g for g in self.grants if token == g.refresh_token or token in g.access_tokens), None)
            if grant is None:
                return Answer(400, {"error": "invalid_token"})
            grant.revoked = True
            self.expired |= grant.access_tokens
            self.revoked_tokens.append(token)
        return Answer(200, {})

    def _bearer(self, request: Request) -> Account | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._state:
            grant = next((g for g in self.grants if token in g.access_tokens), None)
            if grant is None or grant.revoked or token in self.expired:
                return None
            return self.account(grant.email)

    def _events(self, request: Request, account: Account, calendar_id: str) -> Answer:
        calendar_id = unquote(calendar_id)
        calendar = account.email if calendar_id == "primary" else calendar_id
        key = "primary" if calendar == account.email else calendar_id
        with self._state:
            if request.method == "POST":
                event = {**request.json(), "id": "created" + secrets.token_hex(6), "status": "confirmed"}
                account.created.setdefault(key, []).append(event)
                return Answer(200, event)
            listed = [e for e in account.events.get(key, []) if _in_window(e, request.query)]
        return Answer(200, {"kind": "calendar#events", "items": listed})


def _moment(side: dict[str, Any] | None) -> datetime | None:
    raw = (side or {}).get("dateTime") or (side or {}).get("date")
    if not raw:
        return None
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _in_window(event: dict[str, Any], query: dict[str, str]) -> bool:
    """Google lists an event that ends after `timeMin` and starts before `timeMax`."""
    start, end = _moment(event.get("start")), _moment(event.get("end"))
    low = datetime.fromisoformat(query["timeMin"]) if query.get("timeMin") else None
    high = datetime.fromisoformat(query["timeMax"]) if query.get("timeMax") else None
    if start is None or end is None:
        return True
    return (low is None or end > low) and (high is None or start < high)
