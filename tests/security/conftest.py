"""Security suites on the session's stack: clients that keep every error body they receive and
a register of every secret the flows handed out, for the final secrets grep (test_secrets.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from fakes.server import Answer, FakeProvider, Request


@dataclass
class Captured:
    """What the security suites saw: secrets they created or sent, error bodies they got back."""

    secrets: set[str] = field(default_factory=set)
    error_bodies: list[str] = field(default_factory=list)

    def keep_errors(self, response: httpx.Response) -> None:
        if response.status_code >= 400:
            response.read()
            self.error_bodies.append(response.text)


@pytest.fixture(scope="session")
def captured() -> Captured:
    return Captured()


@dataclass
class Api:
    """Creates users and tokens through the admin API, each secret registered in `captured`."""

    stack: object
    admin: httpx.Client
    captured: Captured

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(
            base_url=self.stack.gateway_url,
            headers=headers,
            timeout=10,
            event_hooks={"response": [self.captured.keep_errors]},
        )

    def user(self, role: str = "user", **fields) -> dict:
        password = f"pw-{uuid.uuid4().hex}"
        body = {"username": f"sec{uuid.uuid4().hex[:10]}", "password": password, "role": role, **fields}
        r = self.admin.post("/api/v1/users", json=body)
        assert r.status_code == 201, r.text
        self.captured.secrets.add(password)
        return {**r.json()["user"], "password": password}

    def token(self, user: dict, scopes: str = "read:*,write:*", **fields) -> tuple[str, int]:
        body = {"name": f"sec-{uuid.uuid4().hex[:6]}", "user_id": user["id"], "scopes": scopes, **fields}
        r = self.admin.post("/api/v1/admin/api-tokens", json=body)
        assert r.status_code == 201, r.text
        self.captured.secrets.add(r.json()["token"])
        return r.json()["token"], r.json()["token_id"]


@pytest.fixture(scope="session")
def api(stack, admin, captured) -> Iterator[Api]:
    captured.secrets.add(stack.admin_token)
    yield Api(stack, admin, captured)


@pytest.fixture(scope="session")
def openapi(stack) -> dict:
    """The merged OpenAPI document the gateway serves: the one source of routes and scopes."""
    r = httpx.get(stack.gateway_url + "/api/openapi.json", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


class WebhookReceiver(FakeProvider):
    """Where a user's webhook delivers: records every delivery and answers 200."""

    def handle(self, request: Request) -> Answer:
        return Answer()

    def event_types(self) -> list[str]:
        return [r.headers.get("x-webhook-event", "") for r in self.received()]


@pytest.fixture(scope="module")
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
