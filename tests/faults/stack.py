"""A whole platform of the fault suite's own: every service and the gateway as processes on the
private servers of `faults.infra`, each on a fixed port so a process killed -9 comes back where
the others (and the gateway) expect it."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from conftest import gateway_env, new_auth_env, run_cli, service_database
from cryptography.fernet import Fernet
from faults.infra import Postgres, ServerProcess

from shared.embedded import free_port
from shared.testing.fixtures import ServiceProcess

SERVICES = ("auth", "crm", "tracking", "inventory", "reporting", "integrations")


@dataclass
class FaultStack:
    postgres: Postgres
    nats: ServerProcess
    redis: ServerProcess
    env: dict[str, str]  # auth's: the private servers' URLs and the shared secret
    processes: dict[str, ServiceProcess]  # by service name, and "gateway"
    logs: Path
    admin_token: str = ""

    @property
    def gateway_url(self) -> str:
        return self.processes["gateway"].url

    def kill(self, name: str) -> None:
        """kill -9: no shutdown hook runs, in-flight work is cut where it stands."""
        proc = self.processes[name].proc
        proc.kill()
        proc.wait()

    def restart(self, name: str) -> None:
        self.processes[name].proc = None
        self.processes[name].start(timeout=120)

    def stop(self) -> None:
        for proc in self.processes.values():
            proc.stop()


@contextlib.contextmanager
def fault_stack(postgres: Postgres, nats: ServerProcess, redis: ServerProcess, identity_secret: str, logs: Path):
    urls = {
        "database": postgres.url,
        "nats": f"nats://127.0.0.1:{nats.port}",
        "redis": f"redis://127.0.0.1:{redis.port}/0",
    }
    auth_env = new_auth_env(urls, identity_secret)
    ports = {name: free_port() for name in (*SERVICES, "gateway")}
    known = {f"TT_{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in SERVICES}
    with contextlib.ExitStack() as databases:
        envs = {"auth": {**auth_env, **known}}
        for name in SERVICES[1:]:
            envs[name] = {**databases.enter_context(service_database(auth_env, name)), **known}
        envs["integrations"].update(
            TT_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
            TT_WEBHOOK_ALLOW_PRIVATE_TARGETS="true",  # the receiver listens on loopback
            TT_CONNECTOR_JOBS_ENABLED="false",
            TT_PUBLIC_URL=f"http://127.0.0.1:{ports['gateway']}",
        )
        envs["gateway"] = gateway_env(
            auth_env, known["TT_AUTH_URL"], **known, TT_RATE_LIMIT_PER_MINUTE=100000,
            TT_RATE_LIMIT_PER_HOUR=1000000, TT_LOGIN_RATE_LIMIT_PER_MINUTE=10000,
        )  # fmt: skip
        processes = {
            name: ServiceProcess(f"{name}.main:create_app", env, logs / f"{name}.log", port=ports[name])
            for name, env in envs.items()
        }
        stack = FaultStack(postgres, nats, redis, auth_env, processes, logs)
        try:
            # side by side, each waiting on its own health check; the gateway last, as it loads
            # the route table from the services' OpenAPI
            with ThreadPoolExecutor(len(SERVICES)) as pool:
                list(pool.map(lambda name: processes[name].start(timeout=180), SERVICES))
            processes["gateway"].start(timeout=120)
            stack.admin_token = run_cli(auth_env, "bootstrap", "--print-token")
            yield stack
        finally:
            stack.stop()
