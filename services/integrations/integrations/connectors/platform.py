"""Calls a connector makes to the platform's own services (integrations.md §6): auth for the user
it acts for — read fresh on every operation, so a deactivated user or a changed role counts at
once — and tracking, as that user, for timers, tasks and entries. Never another service's
database.

The call carries the user's identity signed as this service (`X-TT-Identity`), with the scopes the
connector's operations need and nothing more."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from shared.identity import IDENTITY_HEADER, Identity, IdentityCodec

log = logging.getLogger(__name__)
SERVICE = "integrations"
# What a connector does as its owner: read projects, run the timer, create entries and tasks.
ACTING_SCOPES = ("read:projects", "read:time_entries", "write:time_entries", "read:tasks", "write:tasks")


class PlatformUnavailableError(Exception):
    """A platform service could not answer; the connector reports it as a failed result."""


@dataclass(frozen=True)
class PlatformUser:
    """The user a connector acts for, as auth has them now."""

    id: int
    username: str
    display_name: str
    is_admin: bool
    is_active: bool
    role: str | None
    client_ids: tuple[int, ...]
    modules_off: tuple[str, ...]
    timezone: str | None

    @classmethod
    def from_auth(cls, user: dict[str, Any]) -> PlatformUser:
        return cls(
            id=int(user["id"]),
            username=user["username"],
            display_name=user.get("full_name") or user["username"],
            is_admin=bool(user.get("is_admin")),
            is_active=bool(user.get("is_active")),
            role=user.get("role"),
            client_ids=tuple(user.get("assigned_client_ids") or ()),
            modules_off=tuple(user.get("modules_off") or ()),
            timezone=user.get("timezone"),
        )

    def identity(self) -> Identity:
        return Identity(
            user_id=self.id,
            username=self.username,
            is_admin=self.is_admin,
            scopes=ACTING_SCOPES,
            service=SERVICE,
            role=self.role,
            client_ids=self.client_ids,
            modules_off=self.modules_off,
        )


@dataclass(frozen=True)
class TrackingAnswer:
    status_code: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    @property
    def message(self) -> str:
        """A refusal's text, as tracking words it (`message`, else `error`)."""
        return str(self.body.get("message") or self.body.get("error") or f"HTTP {self.status_code}")


class Platform:
    def __init__(self, codec: IdentityCodec, *, auth_url: str | None, tracking_url: str | None, timeout: float) -> None:
        self.codec = codec
        self.auth_url = auth_url
        self.tracking_url = tracking_url
        self.http = httpx.Client(timeout=timeout)

    def _call(self, base: str | None, method: str, path: str, identity: Identity, **kwargs: Any) -> httpx.Response:
        if base is None:
            raise PlatformUnavailableError("the platform service is not configured")
        headers = {IDENTITY_HEADER: self.codec.sign(identity)}
        try:
            return self.http.request(method, base + path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            log.warning("connector call %s %s failed: %s", method, path, type(exc).__name__)
            raise PlatformUnavailableError("the platform service is unavailable") from None

    def find_user(self, *, timeout: float | None = None, **criterion: Any) -> PlatformUser | None:
        """`find_user(user_id=…)`, `find_user(github_username=…)` or `find_user(admin="true")`;
        `timeout` shortens the call for a caller on a deadline (Slack's 3 s)."""
        response = self._call(
            self.auth_url,
            "GET",
            "/internal/users/find",
            Identity(user_id=None, service=SERVICE),
            params=criterion,
            **({} if timeout is None else {"timeout": timeout}),
        )
        if response.status_code != 200:
            raise PlatformUnavailableError(f"the auth service answered HTTP {response.status_code}")
        user = response.json().get("user")
        return PlatformUser.from_auth(user) if user else None

    def active_user(self, user_id: int, *, timeout: float | None = None) -> PlatformUser | None:
        """The connector's owner if they exist and are active."""
        user = self.find_user(user_id=user_id, timeout=timeout)
        return user if user is not None and user.is_active else None

    def tracking(self, method: str, path: str, user: PlatformUser, **kwargs: Any) -> TrackingAnswer:
        response = self._call(self.tracking_url, method, path, user.identity(), **kwargs)
        if response.status_code >= 500:
            raise PlatformUnavailableError(f"the tracking service answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        return TrackingAnswer(response.status_code, body if isinstance(body, dict) else {})

    def close(self) -> None:
        self.http.close()
