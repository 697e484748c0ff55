"""`make run`: the whole platform on one machine.

Uses the PostgreSQL / NATS / Redis named by TT_DATABASE_URL / TT_NATS_URL / TT_REDIS_URL, or
starts embedded PostgreSQL and NATS (state kept in `.run/`) when they are not set. Migrates
every service, starts each one and the gateway as separate processes, bootstraps the admin,
prints the gateway URL and an admin token, and stops everything on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
STATE = REPO / ".run"

from shared.db import migrate  # noqa: E402
from shared.embedded import embedded  # noqa: E402
from shared.migrate import service_database_url  # noqa: E402

# Fixed local ports; the gateway's own comes from TT_GATEWAY_PORT.
SERVICE_PORTS = {
    "auth": 8001,
    "tracking": 8002,
    "crm": 8003,
    "inventory": 8004,
    "reporting": 8005,
    "integrations": 8006,
}


def discover_services() -> list[str]:
    """Every service that exists in this checkout, auth first (the others may need users)."""
    found = [p.name for p in sorted((REPO / "services").iterdir()) if (p / "alembic.ini").exists()]
    return sorted(found, key=lambda name: (name != "auth", name))


def persistent_secret(name: str, nbytes: int = 48, *, make=None) -> str:
    path = STATE / name
    if not path.exists():
        path.write_text(make() if make else secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


def fernet_key() -> str:
    """A key for the integrations service's stored secrets: URL-safe base64 of 32 random bytes."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def base_environment(infra) -> dict[str, str]:
    env = dict(os.environ)
    env["TT_DATABASE_URL"] = os.environ.get("TT_DATABASE_URL") or infra.postgres_url()
    env["TT_NATS_URL"] = os.environ.get("TT_NATS_URL") or infra.nats_url()
    env.setdefault("TT_IDENTITY_SECRET", persistent_secret("identity_secret"))
    env.setdefault("TT_ADMIN_USERNAME", "admin")
    env.setdefault("TT_ADMIN_PASSWORD", persistent_secret("admin_password", 12))
    env.setdefault("TT_ENCRYPTION_KEYS", persistent_secret("encryption_key", make=fernet_key))
    return env


def write_env_file(env: dict[str, str]) -> None:
    """`.run/env` lets `make admin` reach the same database as the running stack."""
    keep = ("TT_DATABASE_URL", "TT_NATS_URL", "TT_REDIS_URL", "TT_IDENTITY_SECRET")
    lines = [f"export {k}='{env[k]}'" for k in keep if env.get(k)]
    path = STATE / "env"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)


def uvicorn(app: str, port: int, env: dict[str, str], log_name: str) -> subprocess.Popen:
    log = open(STATE / f"{log_name}.log", "ab")
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        app,
        "--host",
        env.get("TT_BIND_HOST", "127.0.0.1"),
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--no-proxy-headers",  # client addresses come from the socket unless TT_TRUST_FORWARDED_FOR
    ]
    return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True)


def wait_healthy(url: str, proc: subprocess.Popen, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited at start-up; see .run/{name}.log")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{name} did not become healthy in {timeout:.0f}s; see .run/{name}.log")


def admin_token(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "auth.cli", "bootstrap", "--print-token"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if out.returncode != 0:
        raise SystemExit(f"admin bootstrap failed:\n{out.stderr}")
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    STATE.mkdir(exist_ok=True)
    infra = embedded(STATE)
    procs: list[tuple[str, subprocess.Popen]] = []

    def stop(*_: object) -> None:
        for _, proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in reversed(procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        infra.stop()
        print("\nTimeTracker stopped.", flush=True)
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        env = base_environment(infra)
        write_env_file(env)
        services = discover_services()
        gateway_env = dict(env)
        # the connectors' webhook/events URLs and the OAuth redirect_uri point at the gateway
        gateway_env.setdefault("TT_PUBLIC_URL", f"http://127.0.0.1:{env.get('TT_GATEWAY_PORT', '8000')}")
        os.environ["TT_DATABASE_URL"] = env["TT_DATABASE_URL"]
        for name in services:
            print(f"migrating {name} …", flush=True)
            migrate(REPO / "services" / name, service_database_url(name))
            gateway_env[f"TT_{name.upper()}_URL"] = f"http://127.0.0.1:{SERVICE_PORTS[name]}"
        for name in services:
            # Services find each other (reporting's search and fresh reads) the gateway's way.
            proc = uvicorn(f"{name}.main:create_app", SERVICE_PORTS[name], gateway_env, name)
            procs.append((name, proc))
        for name, proc in procs:
            wait_healthy(f"http://127.0.0.1:{SERVICE_PORTS[name]}", proc, name)
        port = int(env.get("TT_GATEWAY_PORT", "8000"))
        gateway = uvicorn("gateway.main:create_app", port, gateway_env, "gateway")
        procs.append(("gateway", gateway))
        wait_healthy(f"http://127.0.0.1:{port}", gateway, "gateway")
        token = admin_token(env)
    except BaseException:
        stop()
        raise
    print(
        f"""
TimeTracker is running.

  Gateway:        http://localhost:{port}/api/v1   (docs: http://localhost:{port}/api/docs)
  Services:       {", ".join(f"{n} :{SERVICE_PORTS[n]}" for n in services)}
  Admin user:     {env["TT_ADMIN_USERNAME"]} / {env["TT_ADMIN_PASSWORD"]}
  Admin token:    {token}

  curl -H "Authorization: Bearer {token}" http://localhost:{port}/api/v1/users/me

Logs are in .run/*.log. Press Ctrl-C to stop.
""",
        flush=True,
    )
    while True:
        for name, proc in procs:
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping (see .run/{name}.log)", flush=True)
                stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
