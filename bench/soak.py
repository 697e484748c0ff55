"""`make soak`: mixed client traffic at a fixed rate through two gateway processes, watched for drift.

The whole platform on embedded PostgreSQL, NATS and Redis (as `make bench`), two gateways in
front. A paced client sends `--rate` requests a second, round-robin over the gateways, for
`--minutes` (30 by default), cycling through: POST a completed time entry, the time-entry list's
first page, timer start then stop, the summary over the entries' year, POST a client, the client
list, a search. Requests are issued at their scheduled instants whatever the answers' latency
(latency counts from the scheduled instant, so a stall is not hidden by fewer requests).

Every minute it samples each process's resident memory, the minute's p50/p99 and error count,
and from each service's `/metrics` the outbox backlog (`tt_outbox_backlog`) and the consumer lag
(`tt_consumer_lag`, summed). It prints a table per 5-minute window, then a drift verdict
comparing the first window after warm-up (minute 1 is excluded) with the last: memory, p99,
backlog and lag must stay flat. Exit status 1 on drift or on any 5xx.

    make soak                              # 30 minutes
    make soak SOAK_ARGS="--minutes 2"      # a quick check of the harness
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]

from shared.db import drop_database, migrate  # noqa: E402
from shared.embedded import embedded, free_port  # noqa: E402
from shared.testing.fixtures import ServiceProcess  # noqa: E402

SERVICES = ("auth", "tracking", "crm", "inventory", "reporting", "integrations")
WINDOW_MINUTES = 5
# Drift bounds, last window against the first after warm-up.
RSS_GROWTH_MIB = 25.0  # per process (allocator arenas settle in the first minutes)
RSS_GROWTH_RATIO = 0.15
P99_GROWTH_RATIO = 1.5
P99_SLACK_MS = 10.0
BACKLOG_LIMIT = 50  # an outbox that keeps up is near 0 at any sample
LAG_LIMIT = 200
METRIC = re.compile(r"^(tt_outbox_backlog|tt_consumer_lag)\{[^}]*\}\s+([0-9.e+-]+)$", re.M)


@dataclass
class Minute:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    server_errors: int = 0
    rss_mib: dict[str, float] = field(default_factory=dict)
    backlog: float = 0.0
    lag: float = 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Traffic:
    """The request mix, one operation per tick; each returns (status, seconds) samples."""

    def __init__(self, gateways: list[str], token: str, project_id: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        self.clients = [httpx.AsyncClient(base_url=url, headers=headers, timeout=30) for url in gateways]
        self.project_id = project_id
        # this run's entries: two minutes apart from a random instant of 2030, so never overlapping
        self.base = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=2 * uuid.uuid4().int % 400_000)
        self.count = 0
        self.timer_busy = False
        self.ops = (
            self.post_entry,
            self.list_entries,
            self.timer,
            self.summary,
            self.post_entry,
            self.create_client,
            self.list_clients,
            self.search,
        )

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()

    async def post_entry(self, c: httpx.AsyncClient) -> list[int]:
        self.count += 1
        start = self.base + timedelta(minutes=2 * self.count)
        body = {
            "project_id": self.project_id,
            "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_time": (start + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "notes": "soak",
        }
        return [(await c.post("/api/v1/time-entries", json=body)).status_code]

    async def list_entries(self, c: httpx.AsyncClient) -> list[int]:
        return [(await c.get("/api/v1/time-entries", params={"per_page": 50})).status_code]

    async def timer(self, c: httpx.AsyncClient) -> list[int]:
        """Start then stop; one timer per user, so a cycle still running skips this tick."""
        if self.timer_busy:
            return []
        self.timer_busy = True
        try:
            started = await c.post("/api/v1/timer/start", json={"project_id": self.project_id})
            stopped = await c.post("/api/v1/timer/stop")
            return [started.status_code, stopped.status_code]
        finally:
            self.timer_busy = False

    async def summary(self, c: httpx.AsyncClient) -> list[int]:
        year = self.base.year
        params = {"start_date": f"{year}-01-01", "end_date": f"{year + 1}-12-31"}
        return [(await c.get("/api/v1/reports/summary", params=params)).status_code]

    async def create_client(self, c: httpx.AsyncClient) -> list[int]:
        return [(await c.post("/api/v1/clients", json={"name": f"Soak {uuid.uuid4().hex[:12]}"})).status_code]

    async def list_clients(self, c: httpx.AsyncClient) -> list[int]:
        return [(await c.get("/api/v1/clients", params={"per_page": 20})).status_code]

    async def search(self, c: httpx.AsyncClient) -> list[int]:
        return [(await c.get("/api/v1/search", params={"q": "soak"})).status_code]


async def drive(traffic: Traffic, *, rate: float, minutes: int, watched: dict[str, int], metrics: list[str]):
    """Issue `rate` requests a second for `minutes`; returns the per-minute record."""
    record = [Minute() for _ in range(minutes)]
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    total = int(rate * minutes * 60)
    pending: set[asyncio.Task] = set()

    async def one(i: int, scheduled: float) -> None:
        op = traffic.ops[i % len(traffic.ops)]
        client = traffic.clients[i % len(traffic.clients)]
        try:
            statuses = await op(client)
        except httpx.HTTPError:
            statuses = [599]
        minute = record[min(int((scheduled - t0) // 60), minutes - 1)]
        elapsed_ms = (loop.time() - scheduled) * 1000
        for status in statuses:
            minute.latencies.append(elapsed_ms / len(statuses))
            if status >= 400:
                minute.errors += 1
            if status >= 500:
                minute.server_errors += 1

    sampler = asyncio.create_task(sample(record, t0, watched, metrics))
    for i in range(total):
        scheduled = t0 + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(i, scheduled))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending, timeout=60)
    await sampler
    return record


async def sample(record: list[Minute], t0: float, watched: dict[str, int], metrics: list[str]) -> None:
    """At the end of each minute: every process's RSS, the services' backlog and lag."""
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(timeout=10) as http:
        for m, minute in enumerate(record):
            await asyncio.sleep(max(0.0, t0 + (m + 1) * 60 - loop.time()))
            minute.rss_mib = {name: rss_mib(pid) for name, pid in watched.items()}
            for url in metrics:
                try:
                    text = (await http.get(url + "/metrics")).text
                except httpx.HTTPError:
                    continue
                for name, value in METRIC.findall(text):
                    if name == "tt_outbox_backlog":
                        minute.backlog += float(value)
                    else:
                        minute.lag += float(value)


def windows(record: list[Minute]) -> list[tuple[str, list[Minute]]]:
    size = min(WINDOW_MINUTES, len(record))
    return [(f"{i + 1}–{min(i + size, len(record))}", record[i : i + size]) for i in range(0, len(record), size)]


def report(record: list[Minute], *, rate: float) -> bool:
    """Print the tables and the verdict; True when nothing drifted."""
    processes = list(record[0].rss_mib)
    print(f"\nSoak: {rate:g} req/s through two gateways, {len(record)} min, sampled each minute\n")
    print("| minutes | requests | errors | 5xx | p50 ms | p99 ms | outbox backlog (max) | consumer lag (max) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, group in windows(record):
        lat = [x for m in group for x in m.latencies]
        print(
            f"| {label} | {len(lat)} | {sum(m.errors for m in group)} | {sum(m.server_errors for m in group)} | "
            f"{percentile(lat, 50):.1f} | {percentile(lat, 99):.1f} | {max(m.backlog for m in group):.0f} | "
            f"{max(m.lag for m in group):.0f} |"
        )
    print("\n| resident MiB at window end | " + " | ".join(label for label, _ in windows(record)) + " |")
    print("|---|" + "---:|" * len(windows(record)))
    for name in processes:
        print(f"| {name} | " + " | ".join(f"{group[-1].rss_mib[name]:.0f}" for _, group in windows(record)) + " |")

    # first minute is warm-up; compare minute 2 (or the first window after it) with the last window
    settled = record[1:] if len(record) > 1 else record
    size = max(1, min(WINDOW_MINUTES, len(settled) // 2 or 1))
    first, last = settled[:size], settled[-size:]
    drift = []
    for name in processes:
        before, after = first[0].rss_mib[name], last[-1].rss_mib[name]
        if after - before > max(RSS_GROWTH_MIB, before * RSS_GROWTH_RATIO):
            drift.append(f"{name} memory {before:.0f} → {after:.0f} MiB")
    p99_first = percentile([x for m in first for x in m.latencies], 99)
    p99_last = percentile([x for m in last for x in m.latencies], 99)
    if p99_last > p99_first * P99_GROWTH_RATIO + P99_SLACK_MS:
        drift.append(f"p99 {p99_first:.1f} → {p99_last:.1f} ms")
    if last[-1].backlog > BACKLOG_LIMIT:
        drift.append(f"outbox backlog {last[-1].backlog:.0f} at the end")
    if last[-1].lag > LAG_LIMIT:
        drift.append(f"consumer lag {last[-1].lag:.0f} at the end")
    server_errors = sum(m.server_errors for m in record)
    if server_errors:
        drift.append(f"{server_errors} server errors")
    verdict = "no drift" if not drift else "DRIFT: " + "; ".join(drift)
    print(
        f"\nverdict: {verdict} (minute {2 if len(record) > 1 else 1}–{1 + size if len(record) > 1 else size} "
        f"against the last {size}; memory bound +{RSS_GROWTH_MIB:.0f} MiB or +{RSS_GROWTH_RATIO:.0%}, "
        f"p99 ×{P99_GROWTH_RATIO} + {P99_SLACK_MS:.0f} ms)"
    )
    return not drift


def start_stack(infra, logs: Path, databases: list[str]) -> tuple[dict[str, ServiceProcess], list[ServiceProcess], str]:
    """Six services and two gateways; returns them and an admin API token."""
    server = infra.postgres_url()
    suffix = uuid.uuid4().hex[:6]
    env = {
        "TT_DATABASE_URL": server,
        "TT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "TT_NATS_DURABLE_PREFIX": f"soak-{suffix}-",
        "TT_NATS_REPLAY_SINCE": datetime.now(UTC).isoformat(),
        "TT_NATS_URL": infra.nats_url(),
        "TT_IDENTITY_SECRET": os.environ.get("TT_IDENTITY_SECRET") or uuid.uuid4().hex * 2,
        "TT_ADMIN_USERNAME": "admin",
        "TT_ADMIN_PASSWORD": "soak-password",
        "TT_LOG_LEVEL": "WARNING",
    }
    for name in SERVICES:
        url = make_url(server).set(database=f"tt_soak_{name}_{suffix}").render_as_string(False)
        databases.append(url)
        migrate(REPO / "services" / name, url)
        env[f"TT_{name.upper()}_DATABASE_URL"] = url
    ports = {name: free_port() for name in SERVICES}
    env.update({f"TT_{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()})
    services = {
        name: ServiceProcess(f"{name}.main:create_app", env, logs / f"{name}.log", port=port).start()
        for name, port in ports.items()
    }
    gateway_env = {
        **env,
        "TT_REDIS_URL": infra.redis_url(),
        "TT_RATE_LIMIT_PER_MINUTE": "100000000",
        "TT_RATE_LIMIT_PER_HOUR": "100000000",
        "TT_GATEWAY_METRICS_PORT": "0",
    }
    gateways = [
        ServiceProcess("gateway.main:create_app", gateway_env, logs / f"gateway-{i}.log").start() for i in (1, 2)
    ]
    bootstrap = subprocess.run(
        [sys.executable, "-m", "auth.cli", "bootstrap", "--print-token"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return services, gateways, bootstrap.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--rate", type=float, default=40.0, help="requests per second, all gateways together")
    args = parser.parse_args()
    if args.minutes < 1 or args.rate <= 0:
        raise SystemExit("--minutes ≥ 1 and --rate > 0")

    infra = embedded(Path(tempfile.mkdtemp(prefix="tt-soak-")))
    logs = Path(tempfile.mkdtemp(prefix="tt-soak-logs-"))
    databases: list[str] = []
    procs: list[ServiceProcess] = []
    try:
        services, gateways, token = start_stack(infra, logs, databases)
        procs += [*services.values(), *gateways]
        with httpx.Client(base_url=gateways[0].url, headers={"Authorization": f"Bearer {token}"}) as c:
            r = c.post("/api/v1/clients", json={"name": f"Soak {uuid.uuid4().hex[:8]}"})
            if r.status_code != 201:
                raise SystemExit(f"POST /api/v1/clients answered {r.status_code}: {r.text[:300]}")
            client_id = r.json()["client"]["id"]
            r = c.post("/api/v1/projects", json={"name": f"Soak {uuid.uuid4().hex[:8]}", "client_id": client_id})
            if r.status_code != 201:
                raise SystemExit(f"POST /api/v1/projects answered {r.status_code}: {r.text[:300]}")
            project_id = r.json()["project"]["id"]
        watched = {name: p.proc.pid for name, p in services.items()}
        watched |= {f"gateway {i}": g.proc.pid for i, g in enumerate(gateways, 1)}
        print(f"soak: {args.rate:g} req/s for {args.minutes} min; logs in {logs}", flush=True)

        async def run() -> list[Minute]:
            traffic = Traffic([g.url for g in gateways], token, project_id)
            try:
                metrics = [p.url for p in services.values()]
                return await drive(traffic, rate=args.rate, minutes=args.minutes, watched=watched, metrics=metrics)
            finally:
                await traffic.close()

        started = time.monotonic()
        record = asyncio.run(run())
        print(f"ran {time.monotonic() - started:.0f} s", flush=True)
    finally:
        for proc in procs:
            proc.stop()
        for url in databases:
            drop_database(url)
        infra.stop()
    sys.exit(0 if report(record, rate=args.rate) else 1)


if __name__ == "__main__":
    main()
