"""Auth service test fixtures: a migrated scratch database on the real PostgreSQL server, one
rolled-back transaction per test (requests included), identities signed like the gateway's."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from auth.main import create_app
from auth.models import ApiToken, User, outbox
from auth.passwords import hash_password
from auth.settings import AuthSettings
from auth.tokens.service import issue_token
from shared.identity import ALGORITHM, IDENTITY_HEADER, Identity
from shared.testing.fixtures import identity_headers
from shared.testing.service import ServiceUnderTest

SERVICE_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "password-123"


@pytest.fixture
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest(
        "auth",
        SERVICE_DIR,
        AuthSettings,
        create_app,
        outbox,
        settings={
            "version_check_github_api_url": "http://127.0.0.1:9",  # nothing listens: fetches fail fast
            "version_check_http_timeout": 2.0,
        },
    )


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def make_user(session, password_hash):
    def make(**overrides: Any) -> User:
        fields = {"username": f"user_{uuid.uuid4().hex[:10]}", "role": "user", "password_hash": password_hash}
        fields.update(overrides)
        user = User(**fields)
        session.add(user)
        session.flush()
        return user

    return make


@pytest.fixture
def make_token(session):
    def make(user: User, scopes: str = "read:*,write:*", **overrides: Any) -> tuple[ApiToken, str]:
        fields = {"name": f"token-{uuid.uuid4().hex[:6]}", "scopes": scopes, "actor": None}
        fields.update(overrides)
        return issue_token(session, user=user, **fields)

    return make


def userless_identity_headers(secret: str, **fields: Any) -> dict[str, str]:
    """Identity without a user (public routes, platform callers), signed as the gateway does.

    Built by hand because `Identity.to_claims()` in shared/ emits `"sub": null`, which the
    verifier rejects ("Claim 'sub' must be a StringOrURI value"); omitting `sub` is the fix
    proposed for shared/ and what this helper does meanwhile."""
    now = int(time.time())
    claims = {k: v for k, v in Identity(user_id=None, **fields).to_claims().items() if k != "sub"}
    claims |= {"iat": now, "exp": now + 60}
    key = OctKey.import_key(secret.encode())
    return {IDENTITY_HEADER: jwt.encode({"alg": ALGORITHM}, claims, key, algorithms=[ALGORITHM])}


@pytest.fixture
def headers_for(identity_codec, identity_secret):
    """Gateway identity headers for a user (scopes chosen by the test)."""

    def make(user: User | None, *scopes: str, token_id: int | None = 1) -> dict[str, str]:
        if user is None:
            return userless_identity_headers(identity_secret)
        return identity_headers(
            identity_codec,
            user_id=user.id,
            username=user.username,
            is_admin=user.is_admin,
            scopes=scopes,
            token_id=token_id,
        )

    return make


@pytest.fixture
def admin(make_user) -> User:
    return make_user(role="admin", username=f"admin_{uuid.uuid4().hex[:8]}")


@pytest.fixture
def admin_headers(admin, headers_for) -> dict[str, str]:
    return headers_for(admin, "admin:all")


@pytest.fixture
def public_headers(identity_secret) -> dict[str, str]:
    return userless_identity_headers(identity_secret, client_ip="127.0.0.1")


@pytest.fixture
def gateway_headers(identity_secret) -> dict[str, str]:
    return userless_identity_headers(identity_secret, service="gateway")


class FakeGitHub:
    """A local HTTP server standing in for the GitHub API (never the internet)."""

    def __init__(self) -> None:
        self.responses: dict[str, tuple[int, bytes]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                status, body = fake.responses.get(self.path, (404, b'{"message": "Not Found"}'))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def respond(self, path: str, body: Any, status: int = 200) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.responses[path] = (status, raw)

    def reset(self) -> None:
        self.responses.clear()
        self.requests.clear()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def github_server() -> Iterator[FakeGitHub]:
    server = FakeGitHub()
    yield server
    server.stop()


@pytest.fixture
def github(github_server) -> Iterator[FakeGitHub]:
    github_server.reset()
    yield github_server
    github_server.reset()
