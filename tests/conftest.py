"""Cross-service tests: the real services and gateway as separate processes, on real
PostgreSQL, NATS and Redis. Each session gets its own databases, rate-limit key prefix and
durable-consumer names."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from fakes.github import FakeGitHub
from fakes.google import FakeGoogle
from fakes.slack import FakeSlack
from sqlalchemy.engine import make_url

from shared.db import drop_database, migrate
from shared.embedded import free_port

REPO = Path(__file__).resolve().parents[1]
# Durable consumers created by this session skip events older runs left on the same NATS.
SESSION_STARTED = datetime.now(UTC).isoformat()
ADMIN_PASSWORD = "admin-password-123"
GOOGLE_CLIENT_ID = "tt-e2e-client.apps.example"
GOOGLE_CLIENT_SECRET = "tt-e2e-google-client-secret"


@dataclass
class Stack:
    env: dict[str, str]
    auth_url: str
    crm_url: str
    tracking_url: str
    inventory_url: str
    reporting_url: str
    integrations_url: str
    reporting_env: dict[str, str]
    integrations_env: dict[str, str]
    # everything the integrations process logged (at DEBUG): the connectors' secret checks grep it
    integrations_log: Path
    gateway_url: str
    gateway_log: Path
    gateway_metrics_url: str
    admin_token: str

    def client(self, token: str | None = None, base: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=base or self.gateway_url, headers=headers, timeout=10)


def database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def run_cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "auth.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def gateway_env(base: dict[str, str], auth_url: str, **overrides: str) -> dict[str, str]:
    # a key prefix of its own: limits are shared only by gateways started from one env
    env = {
        **base,
        "TT_AUTH_URL": auth_url,
        "TT_TOKEN_CACHE_TTL_SECONDS": "30",
        "TT_RATE_LIMIT_KEY_PREFIX": f"tt-e2e-{uuid.uuid4().hex[:8]}",
        # each gateway its own: several run side by side here
        "TT_GATEWAY_METRICS_PORT": str(free_port()),
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def new_auth_env(infra_urls: dict[str, str], identity_secret: str) -> dict[str, str]:
    """Environment of an auth service on a freshly migrated database of its own."""
    url = database_url(infra_urls["database"], f"tt_e2e_auth_{uuid.uuid4().hex[:8]}")
    migrate(REPO / "services" / "auth", url)
    return {
        "TT_DATABASE_URL": infra_urls["database"],
        "TT_AUTH_DATABASE_URL": url,
        "TT_NATS_URL": infra_urls["nats"],
        "TT_REDIS_URL": infra_urls["redis"],
        "TT_IDENTITY_SECRET": identity_secret,
        "TT_ADMIN_USERNAME": "admin",
        "TT_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "TT_OUTBOX_POLL_SECONDS": "0.5",
        "TT_NATS_DURABLE_PREFIX": f"e2e-{uuid.uuid4().hex[:8]}-",
        "TT_NATS_REPLAY_SINCE": SESSION_STARTED,
        # every process of the stack at DEBUG: the security suite greps their logs for secrets
        "TT_LOG_LEVEL": "DEBUG",
    }


@pytest.fixture(scope="session")
def auth_env(infra_urls, identity_secret):
    env = new_auth_env(infra_urls, identity_secret)
    yield env
    drop_database(env["TT_AUTH_DATABASE_URL"])


@contextlib.contextmanager
def service_database(auth_env: dict[str, str], service: str) -> Iterator[dict[str, str]]:
    """A freshly migrated database of its own for `service`, beside the session's auth service
    (same secret, NATS and prefix): its environment, the database dropped on exit."""
    url = database_url(auth_env["TT_DATABASE_URL"], f"tt_e2e_{service}_{uuid.uuid4().hex[:8]}")
    migrate(REPO / "services" / service, url)
    try:
        yield {**auth_env, f"TT_{service.upper()}_DATABASE_URL": url}
    finally:
        drop_database(url)


@pytest.fixture(scope="session")
def crm_env(auth_env):
    with service_database(auth_env, "crm") as env:
        yield env


@pytest.fixture(scope="session")
def tracking_env(auth_env):
    with service_database(auth_env, "tracking") as env:
        yield env


@pytest.fixture(scope="session")
def inventory_env(auth_env):
    with service_database(auth_env, "inventory") as env:
        yield env


@pytest.fixture(scope="session")
def fake_github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle(client_id=GOOGLE_CLIENT_ID, client_secret=GOOGLE_CLIENT_SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def integrations_env(auth_env, fake_github, fake_slack, fake_google):
    """With an encryption key of its own, webhook targets on loopback allowed (the tests'
    receivers listen there), and the providers' fakes in place of GitHub, Slack and Google.
    The scheduled connector jobs are off here; the tests that prove them start a process of
    their own."""
    with service_database(auth_env, "integrations") as env:
        yield {
            **env,
            "TT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "TT_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
            "TT_GITHUB_API_URL": fake_github.url,
            "TT_SLACK_API_URL": fake_slack.url + "/api",
            "TT_GOOGLE_AUTH_URL": fake_google.url + "/o/oauth2/v2/auth",
            "TT_GOOGLE_TOKEN_URL": fake_google.url + "/token",
            "TT_GOOGLE_REVOKE_URL": fake_google.url + "/revoke",
            "TT_GOOGLE_USERINFO_URL": fake_google.url + "/v1/userinfo",
            "TT_GOOGLE_CALENDAR_URL": fake_google.url + "/calendar/v3",
            "TT_GOOGLE_CLIENT_ID": GOOGLE_CLIENT_ID,
            "TT_GOOGLE_CLIENT_SECRET": GOOGLE_CLIENT_SECRET,
            "TT_PROVIDER_BACKOFF_SECONDS": "0.05",
            "TT_CONNECTOR_JOBS_ENABLED": "false",
            "TT_LOG_LEVEL": "DEBUG",
        }


@pytest.fixture(scope="session")
def reporting_database(auth_env):
    """The reporting service's database (its processes get URLs of the stack's services)."""
    with service_database(auth_env, "reporting") as env:
        yield env["TT_REPORTING_DATABASE_URL"]


@pytest.fixture(scope="session")
def stack(
    auth_env, crm_env, tracking_env, inventory_env, reporting_database, integrations_env, service_process
) -> Stack:
    # Every process knows every service's URL (as `make run` does): a service catches its
    # replicas up with their owner before deciding on them. Ports first, so no order matters.
    names = ("auth", "crm", "tracking", "inventory", "reporting", "integrations")
    ports = {name: free_port() for name in names}
    urls = {f"TT_{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    gateway_port = free_port()
    gateway_metrics_port = free_port()
    auth = service_process("auth.main:create_app", {**auth_env, **urls}, port=ports["auth"])
    crm = service_process("crm.main:create_app", {**crm_env, **urls}, port=ports["crm"])
    tracking = service_process("tracking.main:create_app", {**tracking_env, **urls}, port=ports["tracking"])
    inventory = service_process("inventory.main:create_app", {**inventory_env, **urls}, port=ports["inventory"])
    reporting_env = {**auth_env, **urls, "TT_REPORTING_DATABASE_URL": reporting_database}
    reporting = service_process("reporting.main:create_app", reporting_env, port=ports["reporting"])
    # the connectors build their webhook/events URLs and the OAuth redirect_uri on the gateway's
    integrations_env = {**integrations_env, **urls, "TT_PUBLIC_URL": f"http://127.0.0.1:{gateway_port}"}
    integrations = service_process("integrations.main:create_app", integrations_env, port=ports["integrations"])
    gateway = service_process(
        "gateway.main:create_app",
        gateway_env(
            auth_env,
            auth.url,
            **urls,
            TT_RATE_LIMIT_PER_MINUTE=10000,
            TT_RATE_LIMIT_PER_HOUR=100000,
            TT_LOGIN_RATE_LIMIT_PER_MINUTE=10000,
            TT_GATEWAY_METRICS_PORT=gateway_metrics_port,
        ),
        port=gateway_port,
    )
    token = run_cli(auth_env, "bootstrap", "--print-token")
    return Stack(
        env=auth_env,
        auth_url=auth.url,
        crm_url=crm.url,
        tracking_url=tracking.url,
        inventory_url=inventory.url,
        reporting_url=reporting.url,
        integrations_url=integrations.url,
        reporting_env=reporting_env,
        integrations_env=integrations_env,
        integrations_log=integrations.log_path,
        gateway_url=gateway.url,
        gateway_log=gateway.log_path,
        gateway_metrics_url=f"http://127.0.0.1:{gateway_metrics_port}/metrics",
        admin_token=token,
    )


@pytest.fixture(scope="session")
def admin(stack) -> httpx.Client:
    with stack.client(stack.admin_token) as c:
        yield c


@pytest.fixture
def make_user(admin):
    """Create a user through the API; returns its id."""

    def make(role: str = "user", **fields) -> dict:
        username = fields.pop("username", f"u{uuid.uuid4().hex[:10]}")
        body = {"username": username, "password": "password-123", "role": role, **fields}
        r = admin.post("/api/v1/users", json=body)
        assert r.status_code == 201, r.text
        return r.json()["user"]

    return make


@pytest.fixture
def make_token(admin, make_user):
    """Mint a token through the admin API; returns (plain token, token id, user)."""

    def make(scopes: str = "read:*,write:*", user: dict | None = None, **fields) -> tuple[str, int, dict]:
        user = user or make_user()
        body = {"name": f"t-{uuid.uuid4().hex[:6]}", "user_id": user["id"], "scopes": scopes, **fields}
        r = admin.post("/api/v1/admin/api-tokens", json=body)
        assert r.status_code == 201, r.text
        return r.json()["token"], r.json()["token_id"], user

    return make


def free_local_port() -> int:
    return free_port()
