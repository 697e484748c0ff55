"""`make run` (deploy/launcher.py) as a process: it restarts a killed service while the gateway
answers 503 for that service's routes, and stops everything on SIGTERM. Plus the restart
backoff on its own."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from shared.db import drop_database
from shared.embedded import free_port

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy"))

from launcher import probe_host  # noqa: E402
from supervisor import Backoff, Supervised  # noqa: E402

# Not 127.0.0.1: the launcher must reach its processes where they listen (a LAN address, say).
BIND_HOST = "127.0.0.2"


def port_is_free(port: int) -> bool:
    for host in ("127.0.0.1", BIND_HOST):
        with socket.socket() as s:
            if s.connect_ex((host, port)) == 0:
                return False
    return True


def free_port_run(length: int) -> int:
    """A port with the `length - 1` ports after it free too (the launcher's services follow it)."""
    for _ in range(50):
        base = free_port()
        if base + length < 65536 and all(port_is_free(base + i) for i in range(1, length)):
            return base
    raise RuntimeError("no run of free ports")


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def launcher(infra_urls, tmp_path):
    """The launcher with auth and tracking only, on databases of its own; yields (process, gateway
    URL, stdout path)."""
    gateway_port = free_port_run(3)  # gateway, then auth (+1) and tracking (+2)
    databases = {
        name: make_url(infra_urls["database"])
        .set(database=f"tt_e2e_launch_{name}_{uuid.uuid4().hex[:8]}")
        .render_as_string(hide_password=False)
        for name in ("auth", "tracking")
    }
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("TT_")}
    env.update(
        TT_DATABASE_URL=infra_urls["database"],
        TT_NATS_URL=infra_urls["nats"],
        TT_AUTH_DATABASE_URL=databases["auth"],
        TT_TRACKING_DATABASE_URL=databases["tracking"],
        TT_NATS_DURABLE_PREFIX=f"e2e-launch-{uuid.uuid4().hex[:8]}-",
        TT_NATS_REPLAY_SINCE=datetime.now(UTC).isoformat(),
        TT_GATEWAY_PORT=str(gateway_port),
        TT_RUN_DIR=str(tmp_path / "run"),
        TT_RUN_SERVICES="tracking",
        TT_BIND_HOST=BIND_HOST,
    )
    out = tmp_path / "launcher.out"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "deploy" / "launcher.py")], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield proc, f"http://{BIND_HOST}:{gateway_port}", out
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for url in databases.values():
            drop_database(url)


def test_a_killed_service_is_restarted_while_the_gateway_answers_503(launcher):
    proc, gateway, out = launcher
    banner = wait_for(lambda: "TimeTracker is running." in out.read_text() and out.read_text(), 120, "start")
    token = re.search(r"Admin token:\s+(\S+)", banner).group(1)
    tracking_pid = int(re.search(r"started tracking \(pid (\d+)\)", banner).group(1))
    client = httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert client.get("/api/v1/projects").status_code == 200

    os.kill(tracking_pid, signal.SIGKILL)
    down = wait_for(lambda: (r := client.get("/api/v1/projects")).status_code == 503 and r, 10, "503")
    assert down.json()["error_code"] == "service_unavailable"
    assert {"error", "message", "error_code"} <= down.json().keys()

    wait_for(lambda: client.get("/api/v1/projects").status_code == 200, 60, "tracking back")
    log = out.read_text()
    assert "tracking exited with -9; restarting in 0.5 s" in log
    assert re.search(r"tracking restarted \(pid \d+\)", log)
    assert proc.poll() is None  # the platform kept running

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert "TimeTracker stopped." in out.read_text()
    assert wait_for(lambda: port_is_free(int(gateway.rsplit(":", 1)[1])), 5, "gateway port released")


def test_a_bad_setting_stops_the_launcher_before_anything_starts(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("TT_")}
    env.update(TT_RUN_DIR=str(tmp_path), TT_TIMEZONE="Nowhere/Special", TT_DATABASE_URL="postgresql://x@127.0.0.1:9/x")
    env["TT_NATS_URL"] = "nats://127.0.0.1:9"
    out = subprocess.run(
        [sys.executable, str(REPO / "deploy" / "launcher.py")], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 78
    assert "TT_TIMEZONE='Nowhere/Special' is not valid: a time zone of the tz database" in out.stderr
    assert "migrating" not in out.stdout


@pytest.mark.parametrize(
    ("bind", "reach"),
    [("192.168.1.20", "192.168.1.20"), ("0.0.0.0", "127.0.0.1"), ("::", "127.0.0.1"), ("fd00::5", "[fd00::5]")],
)
def test_the_launcher_reaches_its_processes_where_they_listen(bind, reach):
    assert probe_host(bind) == reach


class TestBackoff:
    def test_quick_crashes_double_the_delay_up_to_the_ceiling(self):
        backoff = Backoff(initial=0.5, ceiling=4.0, stable_after=60)
        assert [backoff.delay_after_exit(uptime=1) for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]

    def test_a_process_that_stayed_up_restarts_quickly_again(self):
        backoff = Backoff(initial=0.5, ceiling=30.0, stable_after=60)
        for _ in range(4):
            backoff.delay_after_exit(uptime=1)
        assert backoff.delay_after_exit(uptime=61) == 0.5
        assert backoff.delay_after_exit(uptime=1) == 1.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TestSupervised:
    def test_an_exited_process_is_started_again_after_the_delay(self):
        clock, lines = FakeClock(), []
        child = Supervised(
            "svc",
            lambda: subprocess.Popen([sys.executable, "-c", "pass"]),
            report=lambda name, message: lines.append(f"{name} {message}"),
            clock=clock,
        )
        first = child.start()
        first.wait()
        child.tick()
        assert lines == ["svc exited with 0; restarting in 0.5 s"]
        clock.now += 0.4
        child.tick()
        assert child.proc is first  # not yet due
        clock.now += 0.2
        child.tick()
        assert child.proc is not first and lines[-1] == f"svc restarted (pid {child.proc.pid})"
        child.proc.wait()
