"""`make bench`: load on loopback, measured side by side in one run.

1. The same authenticated GET (`/api/v1/users/me`) served directly by the auth service (with a
   pre-signed gateway identity) and through the gateway (API token, scope check, rate limit
   against Redis when TT_REDIS_URL is set or an embedded one, proxy) — req/s, p50, p99 by wrk.
2. The rate limiter alone: decisions per second and latency, Redis-backed and process-local.
3. Tracking through the gateway (`bench/tracking_load.py`): POST time entries (one user, 16 users),
   timer start/stop, the filtered first page of the time-entry list with 1,000,000 rows in the
   table, and CSV import rows/s.
4. Reporting through the gateway (`bench/reporting_load.py`): the summary over a year with
   1,000,000 entries in the read model, and the event lag from tracking's 201 to the summary.
5. Read-your-writes (`bench/consistency_load.py`): a decision on a replica that has the row (hit)
   against one that must catch up with the owner first (miss), p50/p99.
6. Inventory through the gateway (`bench/inventory_load.py`): movements per second at 1 and 16
   connections, and the valuation, turnover, movement-history and low-stock reports with 100,000
   movements in the ledger.
7. Webhooks (`bench/webhooks_load.py`): the lag from a time entry's 201 to its webhook arriving at
   a local receiver, and deliveries per second.
8. Event apply (`bench/apply_load.py`): events/s with which reporting (entries and rollups),
   auth (`total_hours`) and integrations (webhook deliveries, no subscription yet) work off a
   backlog of 20,000 time-entry events, then `verify` and `verify --from-stream`. It runs right
   after part 5, before the read model is seeded (the stream must hold the read model's whole
   history for `--from-stream`).

`--only consistency` runs the stack and part 5 alone (a quick look at the catch-up cost);
`--only apply` the stack and part 8 alone.

The figures are printed as a Markdown table; `docs/benchmarks.md` records a run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[1]

from shared.db import drop_database, migrate  # noqa: E402
from shared.embedded import embedded, free_port  # noqa: E402
from shared.identity import Identity, IdentityCodec  # noqa: E402
from shared.testing.fixtures import ServiceProcess  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import apply_load as apply_bench  # noqa: E402
import consistency_load as consistency_bench  # noqa: E402
import inventory_load as inventory_bench  # noqa: E402
import reporting_load as reporting_bench  # noqa: E402
import tracking_load as tracking_bench  # noqa: E402
import webhooks_load as webhooks_bench  # noqa: E402

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk from the Debian packages …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed for make bench (apt-get install wrk)")
    return found


def wrk(
    binary: str,
    url: str,
    headers: dict[str, str],
    *,
    seconds: int,
    connections: int,
    script: str | None = None,
    extra_lua: str | None = None,
) -> dict[str, float]:
    """`extra_lua` is appended to the script (a `done` hook printing `P95 <x>ms` adds p95)."""
    argv = [binary, "--latency", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    if extra_lua:
        combined = Path(tempfile.mkdtemp(prefix="tt-bench-lua-")) / "script.lua"
        combined.write_text((Path(script).read_text() if script else "") + "\n" + extra_lua)
        script = str(combined)
    if script:
        argv += ["-s", script]
    for key, value in headers.items():
        argv += ["-H", f"{key}: {value}"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    out = done.stdout + done.stderr
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: float(v) * _UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} non-2xx responses during the run:\n{out}")
    figures = {"rps": rps, "p50": latency["50"], "p99": latency["99"]}
    p95 = re.search(r"^P95 ([\d.]+)ms$", out, re.M)
    if p95:
        figures["p95"] = float(p95.group(1))
    return figures


async def limiter_figures(redis_url: str, n: int) -> dict[str, dict[str, float]]:
    from gateway.limiter import RateLimiter

    results = {}
    redis_limiter = RateLimiter(redis_url, prefix=f"bench-{uuid.uuid4().hex[:6]}")
    local = RateLimiter(None)
    for name, limiter in (("redis", redis_limiter), ("local", local)):
        samples = []
        started = time.perf_counter()
        for i in range(n):
            t = time.perf_counter()
            await limiter.hit(f"tok{i % 50}", per_minute=10**9, per_hour=10**9)
            samples.append((time.perf_counter() - t) * 1000)
        elapsed = time.perf_counter() - started
        samples.sort()
        results[name] = {"rps": n / elapsed, "p50": samples[n // 2], "p99": samples[int(n * 0.99)]}
    await redis_limiter.close()
    await local.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", choices=["consistency", "apply"], default=None)
    args = parser.parse_args()

    wrk_bin = ensure_wrk()
    infra = embedded(Path(tempfile.mkdtemp(prefix="tt-bench-")))
    procs: list[ServiceProcess] = []
    databases: list[str] = []
    try:
        server = infra.postgres_url()
        redis_url = infra.redis_url()
        secret = os.environ.get("TT_IDENTITY_SECRET") or uuid.uuid4().hex * 2
        from sqlalchemy.engine import make_url

        db_url = make_url(server).set(database=f"tt_bench_auth_{uuid.uuid4().hex[:6]}").render_as_string(False)
        tracking_db = make_url(server).set(database=f"tt_bench_tracking_{uuid.uuid4().hex[:6]}").render_as_string(False)
        crm_db = make_url(server).set(database=f"tt_bench_crm_{uuid.uuid4().hex[:6]}").render_as_string(False)
        reporting_db = (
            make_url(server).set(database=f"tt_bench_reporting_{uuid.uuid4().hex[:6]}").render_as_string(False)
        )
        inventory_db = (
            make_url(server).set(database=f"tt_bench_inventory_{uuid.uuid4().hex[:6]}").render_as_string(False)
        )
        integrations_db = (
            make_url(server).set(database=f"tt_bench_integrations_{uuid.uuid4().hex[:6]}").render_as_string(False)
        )
        databases += [db_url, tracking_db, crm_db, reporting_db, inventory_db, integrations_db]
        migrate(REPO / "services" / "auth", db_url)
        migrate(REPO / "services" / "tracking", tracking_db)
        migrate(REPO / "services" / "crm", crm_db)
        migrate(REPO / "services" / "reporting", reporting_db)
        migrate(REPO / "services" / "inventory", inventory_db)
        migrate(REPO / "services" / "integrations", integrations_db)
        env = {
            "TT_DATABASE_URL": server,
            "TT_AUTH_DATABASE_URL": db_url,
            "TT_TRACKING_DATABASE_URL": tracking_db,
            "TT_CRM_DATABASE_URL": crm_db,
            "TT_REPORTING_DATABASE_URL": reporting_db,
            "TT_INVENTORY_DATABASE_URL": inventory_db,
            "TT_INTEGRATIONS_DATABASE_URL": integrations_db,
            "TT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "TT_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",  # the receiver listens on loopback
            "TT_NATS_DURABLE_PREFIX": f"bench-{uuid.uuid4().hex[:6]}-",
            "TT_NATS_REPLAY_SINCE": datetime.now(UTC).isoformat(),
            "TT_NATS_URL": infra.nats_url(),
            "TT_IDENTITY_SECRET": secret,
            "TT_ADMIN_USERNAME": "admin",
            "TT_ADMIN_PASSWORD": "bench-password",
            "TT_LOG_LEVEL": "WARNING",
        }
        # Every process knows every service (as `make run`): replicas catch up with their owners.
        ports = {name: free_port() for name in ("auth", "tracking", "crm", "inventory", "reporting", "integrations")}
        env.update({f"TT_{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()})
        logs = Path(tempfile.mkdtemp(prefix="tt-bench-logs-"))
        started = {}
        for name, port in ports.items():
            started[name] = ServiceProcess(f"{name}.main:create_app", env, logs / f"{name}.log", port=port).start()
            procs.append(started[name])
        auth, reporting = started["auth"], started["reporting"]
        reporting_env = env
        gw_env = {
            **env,
            "TT_REDIS_URL": redis_url,
            "TT_RATE_LIMIT_PER_MINUTE": "100000000",
            "TT_RATE_LIMIT_PER_HOUR": "100000000",
        }
        gateway = ServiceProcess("gateway.main:create_app", gw_env, logs / "gateway.log").start()
        procs.append(gateway)
        token = (
            subprocess.run(
                [sys.executable, "-m", "auth.cli", "bootstrap", "--print-token"],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        identity = IdentityCodec(secret).sign(
            Identity(user_id=1, username="admin", is_admin=True, scopes=("admin:all",), token_id=1), ttl_seconds=3600
        )
        direct_headers = {"X-TT-Identity": identity}
        gateway_headers = {"Authorization": f"Bearer {token}"}
        path = "/api/v1/users/me"
        service_identity = IdentityCodec(secret).sign(Identity(user_id=None, service="bench"), ttl_seconds=3600)
        consistency_rows = consistency_bench.run(
            gateway.url, gateway_headers, owner_url=started["crm"].url, service_identity=service_identity
        )
        if args.only == "consistency":
            print_consistency(consistency_rows)
            return
        admin_id = httpx.get(gateway.url + path, headers=gateway_headers).json()["user"]["id"]
        applied = apply_bench.run(
            env=env, tracking_db=tracking_db, auth_db=db_url, user_id=admin_id,
            consumers={"reporting": reporting, "auth": auth, "integrations": started["integrations"]},
        )  # fmt: skip
        if args.only == "apply":
            print_apply(applied)
            return
        for url, headers in ((auth.url, direct_headers), (gateway.url, gateway_headers)):  # warm-up
            wrk(wrk_bin, url + path, headers, seconds=2, connections=args.connections)
        # Throughput under load (latency there is mostly queueing), then the latency a single
        # client sees, where the gateway's added time shows undiluted.
        direct = wrk(wrk_bin, auth.url + path, direct_headers, seconds=args.seconds, connections=args.connections)
        through = wrk(wrk_bin, gateway.url + path, gateway_headers, seconds=args.seconds, connections=args.connections)
        direct_1 = wrk(wrk_bin, auth.url + path, direct_headers, seconds=args.seconds, connections=1)
        through_1 = wrk(wrk_bin, gateway.url + path, gateway_headers, seconds=args.seconds, connections=1)
        limiter = asyncio.run(limiter_figures(redis_url, 20000))
        print(f"seeding {tracking_bench.ROWS:,} time entries …", flush=True)
        tracking_rows, imported = tracking_bench.run(
            wrk, wrk_bin, gateway.url, gateway_headers, tracking_db, admin_id=admin_id, seconds=args.seconds
        )
        print(f"seeding the reporting read model with {reporting_bench.ROWS:,} entries …", flush=True)
        project_id = tracking_bench.first_project(tracking_db)
        reporting_rows, exported, lag_rows = reporting_bench.run(
            wrk,
            wrk_bin,
            gateway.url,
            gateway_headers,
            reporting_db,
            reporting_env,
            project_id=project_id,
            post_script=tracking_bench.lua_file(tracking_bench.POST_ENTRIES_LUA, project_id),
            seconds=args.seconds,
            reporting_pid=reporting.proc.pid,
        )
        inventory_rows = inventory_bench.run(
            wrk, wrk_bin, gateway.url, gateway_headers, inventory_db, admin_id=admin_id, seconds=args.seconds,
            p95_lua=reporting_bench.P95_LUA,
        )  # fmt: skip
        webhook_lag, webhook_throughput = webhooks_bench.run(
            wrk, wrk_bin, gateway.url, gateway_headers, project_id=project_id,
            post_script=tracking_bench.lua_file(tracking_bench.POST_ENTRIES_LUA, project_id), seconds=args.seconds,
        )  # fmt: skip
    finally:
        for proc in procs:
            proc.stop()
        for url in databases:
            drop_database(url)
        infra.stop()

    print(f"\nGET {path}, wrk -t1, {args.seconds}s per row, one uvicorn worker per process, same 2-core host\n")
    print("| path | connections | req/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for label, fig, conns in (
        ("direct to auth service", direct, args.connections),
        ("through the gateway", through, args.connections),
        ("direct to auth service", direct_1, 1),
        ("through the gateway", through_1, 1),
    ):
        print(f"| {label} | {conns} | {fig['rps']:.0f} | {fig['p50']:.2f} | {fig['p99']:.2f} |")
    ratio = through["rps"] / direct["rps"] * 100
    print(f"\nthrough-gateway throughput at {args.connections} connections: {ratio:.0f}% of direct (target ≥ 85%)")
    print(f"added p50 for one client: {through_1['p50'] - direct_1['p50']:.2f} ms (target ≤ 1.0 ms)\n")
    print("| limiter alone (one caller, sequential) | decisions/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    for name, fig in limiter.items():
        print(f"| {name} | {fig['rps']:.0f} | {fig['p50']:.3f} | {fig['p99']:.3f} |")
    print(f"\nTracking through the gateway, admin token, {tracking_bench.ROWS:,} entries in the table\n")
    print("| request | connections | req/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for label, conns, fig in tracking_rows:
        print(f"| {label} | {conns} | {fig['rps']:.0f} | {fig['p50']:.2f} | {fig['p99']:.2f} |")
    print(
        f"\nCSV import by a manager, {tracking_bench.IMPORT_CHUNK_ROWS:,}-row chunks: {imported['rows']:,.0f} rows "
        f"in {imported['seconds']:.1f} s = {imported['rows_per_second']:,.0f} rows/s (target ≥ 3,000)"
    )
    print(f"\nReporting through the gateway, admin token, {reporting_bench.ROWS:,} entries in the read model\n")
    print("| request | connections | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, conns, fig in reporting_rows:
        print(f"| {label} | {conns} | {fig['rps']:.0f} | {fig['p50']:.2f} | {fig['p95']:.2f} | {fig['p99']:.2f} |")
    print("\n(target: summary over a year p95 ≤ 20 ms; one connection, read-your-writes p95 ≤ 10 ms)\n")
    list_16 = tracking_rows[0][2]["rps"]  # the list's user-filter first page, 16 connections
    for label, conns, fig in reporting_rows:
        if conns == 16:
            print(f"- {label}, 16 connections: {fig['rps']:.0f} req/s against the list's {list_16:.0f} (target ≥ list)")
    print()
    print(
        f"export of every entry as CSV through the gateway: {exported['rows']:,} rows, {exported['mb']:.0f} MB in "
        f"{exported['seconds']:.1f} s; reporting process {exported['rss_before_mib']:.0f} MiB resident before, "
        f"peak growth {exported['peak_growth_mib']:.1f} MiB\n"
    )
    print("| event lag, tracking 201 → summary includes the entry | probes | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for label, fig in lag_rows:
        print(f"| {label} | {fig['n']} | {fig['p50']:.1f} | {fig['p99']:.1f} | {fig['max']:.1f} |")
    print("\n(target: p99 ≤ 500 ms)")
    print(f"\nInventory through the gateway, admin token; reports with {inventory_bench.ROWS:,} movements\n")
    print("| request | connections | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, conns, fig in inventory_rows:
        p95 = f"{fig['p95']:.2f}" if "p95" in fig else "—"
        print(f"| {label} | {conns} | {fig['rps']:.0f} | {fig['p50']:.2f} | {p95} | {fig['p99']:.2f} |")
    print("\n(targets: movements/s ≥ POST time-entries at the same connections; report p95 ≤ 50 ms)\n")
    print("| webhook lag, tracking 201 → receiver | probes | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    print(f"| one subscription | {webhook_lag['n']} | {webhook_lag['p50']:.1f} | {webhook_lag['p99']:.1f} | "
          f"{webhook_lag['max']:.1f} |")  # fmt: skip
    print(
        f"\ndeliveries: {webhook_throughput['deliveries']:,} to {webhooks_bench.SUBSCRIPTIONS} subscriptions for "
        f"{webhook_throughput['entries']:,} entries in {webhook_throughput['seconds']:.1f} s = "
        f"{webhook_throughput['per_second']:.0f} deliveries/s (target: lag p99 ≤ 1 s)"
    )
    print_consistency(consistency_rows)
    print_apply(applied)


def print_apply(applied) -> None:
    print(f"\nEvent apply: a backlog of {apply_bench.EVENTS:,} time-entry events (80 % created, 20 % updated)\n")
    print("| consumer | events | seconds | events/s |")
    print("|---|---:|---:|---:|")
    for label, fig in applied["rows"]:
        print(f"| {label} | {fig['events']:,} | {fig['seconds']:.1f} | {fig['per_second']:.0f} |")
    checks = {label: "exact" if v["ok"] else f"DIFFERS {v['result']}" for label, v in applied["verify"].items()}
    replayed = applied["verify"]["verify --from-stream"]["result"]
    if isinstance(replayed, dict) and "events" in replayed:
        checks["verify --from-stream"] += f" ({replayed['events']:,} events replayed)"
    checks["auth total_seconds"] = "exact" if applied["auth_exact"] else "DIFFERS"
    print("\n(target: ≥ 2,000 events/s) " + "; ".join(f"{k}: {v}" for k, v in checks.items()))


def print_consistency(rows) -> None:
    print(f"\nRead-your-writes through the gateway, one client, {consistency_bench.ROUNDS} rounds each\n")
    print("| decision on a replica | n | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    for label, fig in rows:
        print(f"| {label} | {fig['n']} | {fig['p50']:.2f} | {fig['p99']:.2f} |")


if __name__ == "__main__":
    main()
