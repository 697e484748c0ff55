"""pytest plugin shared by every test suite: real infrastructure and process helpers.

Registered from the repository's root `conftest.py`. Fixtures:
- `infra_urls`: `{"database", "nats", "redis"}` URLs of real servers (env or embedded);
- `identity_secret` / `identity_codec`: the secret services and gateway share in tests;
- `service_process`: factory starting an ASGI app as a separate uvicorn process.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.embedded import embedded, free_port
from shared.identity import Identity, IdentityCodec

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def infra_urls(tmp_path_factory) -> Iterator[dict[str, str]]:
    services = embedded(tmp_path_factory.mktemp("infra"))
    try:
        yield {"database": services.postgres_url(), "nats": services.nats_url(), "redis": services.redis_url()}
    finally:
        services.stop()


@pytest.fixture(scope="session")
def identity_secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture(scope="session")
def identity_codec(identity_secret: str) -> IdentityCodec:
    return IdentityCodec(identity_secret)


def identity_headers(codec: IdentityCodec, **fields) -> dict[str, str]:
    """Headers a service accepts as if the gateway had authenticated this identity."""
    fields.setdefault("user_id", None)
    return {"x-tt-identity": codec.sign(Identity(**fields))}


class ServiceProcess:
    """A uvicorn process serving `app` (an `module:factory` string) on a free port."""

    def __init__(self, app: str, env: dict[str, str], log_path: Path, port: int | None = None) -> None:
        self.app = app
        self.env = env
        self.port = port or free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServiceProcess:
        log = open(self.log_path, "ab")
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            self.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--no-proxy-headers",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(argv, env={**os.environ, **self.env}, stdout=log, stderr=log, cwd=REPO_ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.app} exited; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.app} did not become healthy; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture(scope="session")
def service_process(tmp_path_factory):
    """Factory: `service_process("auth.main:create_app", env)` → a started ServiceProcess,
    stopped at the end of the session (or earlier by the test)."""
    started: list[ServiceProcess] = []
    logs = tmp_path_factory.mktemp("logs")

    def start(app: str, env: dict[str, str], port: int | None = None) -> ServiceProcess:
        name = app.split(".")[0]
        proc = ServiceProcess(app, env, logs / f"{name}-{len(started)}.log", port=port).start()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
