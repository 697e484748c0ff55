"""Gateway test fixtures: a fake auth service and a fake backing service (both real uvicorn
processes speaking the gateway contract), gateways in front of them on real Redis and NATS,
and a raw TCP "service" that answers garbage (for 502)."""

from __future__ import annotations

import itertools
import socket
import socketserver
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from shared.embedded import free_port

FAKES = Path(__file__).resolve().parent / "fakes"
_ids = itertools.count(1000)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def fakes_env(identity_secret: str) -> dict[str, str]:
    return {"PYTHONPATH": str(FAKES), "TT_IDENTITY_SECRET": identity_secret}


@dataclass
class FakeAuth:
    url: str

    def add_token(
        self,
        scopes: str | list[str] = "read:*,write:*",
        *,
        token: str | None = None,
        user: dict | None = None,
        user_id: int | None = None,
        **fields,
    ) -> tuple[str, int, int]:
        """Register a token; returns (plain token, token id, user id)."""
        token = token or "tt_" + uuid.uuid4().hex
        token_id = next(_ids)
        user_id = user_id or next(_ids)
        token_fields = {
            "id": token_id,
            "user_id": user_id,
            "scopes": scopes,
            "is_active": True,
            "expires_at": None,
            "ip_whitelist": None,
            **fields,
        }
        if user is None:
            user = {"id": user_id, "username": f"user{user_id}", "is_admin": False, "is_active": True}
        self.update(token, token_fields, user)
        return token, token_id, user_id

    def update(self, token: str, token_fields: dict, user: dict | None) -> None:
        r = httpx.put(f"{self.url}/_test/tokens", json={"token": token, "token_fields": token_fields, "user": user})
        assert r.status_code == 200

    def delete(self, token: str) -> None:
        httpx.put(f"{self.url}/_test/tokens", json={"token": token, "delete": True})

    def state(self) -> dict:
        return httpx.get(f"{self.url}/_test/state").json()


@pytest.fixture(scope="session")
def fake_auth(service_process, fakes_env) -> FakeAuth:
    return FakeAuth(service_process("gw_fake_auth:create_app", fakes_env).url)


@pytest.fixture(scope="session")
def fake_backend(service_process, fakes_env) -> str:
    return service_process("gw_fake_backend:create_app", fakes_env).url


GARBAGE_OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "garbage", "version": "0"},
    "paths": {"/api/v1/inventory/garbage": {"get": {"x-tt-auth": "token", "x-tt-scopes": []}}},
}


class _GarbageHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        if b" /openapi.json " in line or b" /readyz " in line:
            body = orjson.dumps(GARBAGE_OPENAPI)
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
                b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
        else:
            self.wfile.write(b"this is not HTTP\r\n\r\n")


@pytest.fixture(scope="session")
def garbage_service():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _GarbageHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    port = free_port()
    with socket.socket() as s:  # nothing listens there
        assert s.connect_ex(("127.0.0.1", port)) != 0
    return port


def gateway_env(fakes_env: dict[str, str], infra_urls: dict[str, str], **overrides) -> dict[str, str]:
    env = {
        **fakes_env,
        "TT_NATS_URL": infra_urls["nats"],
        "TT_REDIS_URL": infra_urls["redis"],
        "TT_RATE_LIMIT_KEY_PREFIX": f"tt-gw-test-{uuid.uuid4().hex[:8]}",
        "TT_TRACKING_URL": "",
        "TT_CRM_URL": "",
        "TT_INVENTORY_URL": "",
        "TT_REPORTING_URL": "",
        "TT_INTEGRATIONS_URL": "",
        "TT_USAGE_FLUSH_SECONDS": "0.2",
        "TT_LOG_LEVEL": "WARNING",
        # Gateways run side by side here: none takes the metrics port unless a test gives it one.
        "TT_GATEWAY_METRICS_PORT": "0",
        # uvicorn's own proxy-header rewriting would trust X-Forwarded-For from 127.0.0.1; the
        # gateway decides that itself (TT_TRUST_FORWARDED_FOR), as `--no-proxy-headers` ensures.
        "FORWARDED_ALLOW_IPS": "",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


@dataclass
class Gateway:
    url: str
    log_path: Path | None = None  # everything the process wrote (make_gateway's)

    def get(self, path: str, token: str | None = None, **kwargs) -> httpx.Response:
        return self.request("GET", path, token, **kwargs)

    def request(self, method: str, path: str, token: str | None = None, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["X-API-Key"] = token
        return httpx.request(method, self.url + path, headers=headers, timeout=10, **kwargs)


def _wait_until(predicate, timeout: float = 5.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture(scope="session")
def wait_until():
    """`wait_until(predicate, timeout)`: poll until truthy; returns the last value."""
    return _wait_until


@pytest.fixture(scope="session")
def make_gateway(service_process, fakes_env, infra_urls, fake_auth, fake_backend):
    """`make_gateway(**TT_overrides)`: a gateway process in front of the fakes."""

    def make(**overrides) -> Gateway:
        overrides.setdefault("TT_AUTH_URL", fake_auth.url)
        overrides.setdefault("TT_TRACKING_URL", fake_backend)
        proc = service_process("gateway.main:create_app", gateway_env(fakes_env, infra_urls, **overrides))
        return Gateway(proc.url, proc.log_path)

    return make


@pytest.fixture(scope="session")
def nowhere() -> str:
    """A local URL nothing listens on."""
    return f"http://127.0.0.1:{closed_port()}"


@pytest.fixture(scope="session")
def gateway(service_process, fakes_env, infra_urls, fake_auth, fake_backend, garbage_service) -> Gateway:
    """Auth + tracking (fake backend) + inventory (garbage) deployed; crm configured but down."""
    env = gateway_env(
        fakes_env,
        infra_urls,
        TT_AUTH_URL=fake_auth.url,
        TT_TRACKING_URL=fake_backend,
        TT_INVENTORY_URL=garbage_service,
        TT_CRM_URL=f"http://127.0.0.1:{closed_port()}",
        TT_UPSTREAM_READ_TIMEOUT="0.5",
        TT_TOKEN_CACHE_TTL_SECONDS="30",
        TT_RATE_LIMIT_PER_MINUTE="10000",
        TT_RATE_LIMIT_PER_HOUR="100000",
        TT_LOGIN_RATE_LIMIT_PER_MINUTE="3",
        TT_APP_VERSION="9.9.9",
    )
    gw = Gateway(service_process("gateway.main:create_app", env).url)
    assert _wait_until(lambda: httpx.get(gw.url + "/readyz").json()["checks"]["token_events"]), "no NATS"
    return gw
