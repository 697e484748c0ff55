"""`make run`: the whole platform on one machine.

Uses the PostgreSQL / NATS / Redis named by TT_DATABASE_URL / TT_NATS_URL / TT_REDIS_URL, or
starts embedded PostgreSQL and NATS (state kept in `.run/`, or TT_RUN_DIR) when they are not set.
Checks every process's settings first, migrates every service, starts each one and the gateway
as separate processes, bootstraps the admin, prints the gateway URL and an admin token, restarts
a process that exits (with backoff, `supervisor.py`), and stops everything on Ctrl-C or SIGTERM.

The gateway listens on TT_GATEWAY_PORT (8000), the services on the next ports in SERVICES order
(auth 8001 … integrations 8006), all on TT_BIND_HOST (127.0.0.1). TT_RUN_SERVICES (comma
separated, auth always included) starts only some services.
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import httpx
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from supervisor import Supervised

from shared.config_errors import EXIT_BAD_CONFIG, describe_errors, platform_settings_classes, warn_unknown_variables
from shared.db import migrate
from shared.embedded import embedded
from shared.migrate import service_database_url
from shared.settings import SERVICES

REPO = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("TT_RUN_DIR") or REPO / ".run").resolve()


def discover_services(wanted: str | None = None) -> list[str]:
    """The services of this checkout (or those of TT_RUN_SERVICES), auth first (the others may
    need users)."""
    found = [p.name for p in sorted((REPO / "services").iterdir()) if (p / "alembic.ini").exists()]
    if wanted:
        chosen = {"auth", *(name.strip() for name in wanted.split(",") if name.strip())}
        if chosen - set(found):
            raise SystemExit(f"TT_RUN_SERVICES={wanted!r} is not valid: comma-separated names among {', '.join(found)}")
        found = [name for name in found if name in chosen]
    return sorted(found, key=lambda name: (name != "auth", name))


def service_port(gateway_port: int, name: str) -> int:
    return gateway_port + 1 + SERVICES.index(name)


def probe_host(bind_host: str) -> str:
    """Where the launcher and the processes reach a process bound to `bind_host`: the bind
    address itself, or loopback for the wildcard addresses."""
    host = bind_host.strip() or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def check_ports_free(reach: str, ports: dict[str, int]) -> None:
    """A port already answering would pass our health check for a process that never bound it."""
    for name, port in ports.items():
        with socket.socket(socket.AF_INET6 if reach.startswith("[") else socket.AF_INET) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((reach.strip("[]"), port)) == 0:
                raise SystemExit(
                    f"port {port} ({name}) is already in use on {reach}: stop what listens there "
                    "(another make run?) or move the platform with TT_GATEWAY_PORT"
                )


def migrate_all(services: list[str]) -> None:
    for name in services:
        print(f"migrating {name} …", flush=True)
        url = service_database_url(name)
        try:
            migrate(REPO / "services" / name, url)
        except OperationalError as exc:
            where = make_url(url).render_as_string(hide_password=True)
            reason = str(exc.orig or exc).strip().splitlines()[0]
            raise SystemExit(f"PostgreSQL is not answering at {where} (TT_DATABASE_URL): {reason}") from None


def check_settings() -> None:
    """Every process's settings from this environment, before anything starts: a bad value is
    one line per variable here rather than one service refusing minutes later."""
    lines: dict[str, None] = {}
    for cls in platform_settings_classes():
        try:
            cls()
        except ValidationError as exc:
            lines.update(dict.fromkeys(describe_errors(cls, exc, os.environ)))
    if lines:
        print("\n".join(lines), file=sys.stderr, flush=True)
        raise SystemExit(EXIT_BAD_CONFIG)
    warn_unknown_variables(os.environ)


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
    log = open(STATE / f"{log_name}.log", "ab")  # the child holds it; closed here after the fork
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
    try:
        return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True)
    finally:
        log.close()


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


def start_healthy(
    processes: list[tuple[str, int]], env: dict[str, str], reach: str, children: list[Supervised]
) -> None:
    """Start each (name, port) into `children` (stopped with the rest if one fails), then wait
    until every one answers its health check."""
    started = []
    for name, port in processes:
        child = Supervised(name, partial(uvicorn, f"{name}.main:create_app", port, env, name), report=report)
        proc = child.start()
        print(f"started {name} (pid {proc.pid}) on http://{reach}:{port}", flush=True)
        children.append(child)
        started.append(child)
    for child, (name, port) in zip(started, processes, strict=True):
        wait_healthy(f"http://{reach}:{port}", child.proc, name)


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
    STATE.mkdir(parents=True, exist_ok=True)
    infra = embedded(STATE)
    children: list[Supervised] = []
    stopping: list[bool] = []

    def stop(*_: object, code: int = 0) -> None:
        if stopping:  # a signal during start-up stops once, not again in the handler below
            raise SystemExit(code)
        stopping.append(True)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for child in reversed(children):
            child.terminate()
        for child in reversed(children):
            child.wait(timeout=10)
        infra.stop()
        print("\nTimeTracker stopped.", flush=True)
        raise SystemExit(code)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        env = base_environment(infra)
        port = int(env.get("TT_GATEWAY_PORT") or 8000)
        reach = probe_host(env.get("TT_BIND_HOST") or "127.0.0.1")
        services = discover_services(env.get("TT_RUN_SERVICES"))
        # Services find each other (reporting's search and fresh reads) the gateway's way.
        env.update({f"TT_{name.upper()}_URL": f"http://{reach}:{service_port(port, name)}" for name in services})
        # the connectors' webhook/events URLs and the OAuth redirect_uri point at the gateway
        env.setdefault("TT_PUBLIC_URL", f"http://{reach}:{port}")
        os.environ.update(env)
        check_settings()
        write_env_file(env)
        check_ports_free(reach, {**{name: service_port(port, name) for name in services}, "gateway": port})
        migrate_all(services)
        # the gateway loads the services' routes when it starts: they are up first
        start_healthy([(name, service_port(port, name)) for name in services], env, reach, children)
        start_healthy([("gateway", port)], env, reach, children)
        token = admin_token(env)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr, flush=True)
        stop(code=exc.code if isinstance(exc.code, int) else 1)
    except BaseException:
        stop(code=1)
        raise
    print(
        f"""
TimeTracker is running.

  Gateway:        http://{reach}:{port}/api/v1   (docs: http://{reach}:{port}/api/docs)
  Services:       {", ".join(f"{n} :{service_port(port, n)}" for n in services)}
  Admin user:     {env["TT_ADMIN_USERNAME"]} / {env["TT_ADMIN_PASSWORD"]}
  Admin token:    {token}

  curl -H "Authorization: Bearer {token}" http://{reach}:{port}/api/v1/users/me

Logs are in {STATE}/*.log. A process that exits is restarted. Press Ctrl-C to stop.
""",
        flush=True,
    )
    while True:
        for child in children:
            child.tick()
        time.sleep(0.2)


def report(name: str, message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {name} {message} (see {STATE / name}.log)", flush=True)


if __name__ == "__main__":
    main()
