"""Reporting figures for `make bench`, through the gateway with an admin token:

- `GET /api/v1/reports/summary` over a year with 1,000,000 entries in the read model: every
  user, one user, and a ragged range (partial days at both ends) — p50/p95/p99 by wrk, with the
  default read-your-writes wait and with `X-TT-Consistency: eventual`;
- the event lag: from a time entry's 201 in tracking to the read model holding it (so every
  summary includes it), idle and while another client POSTs entries as fast as it can;
- an export of every entry as CSV: time, size and the service's memory.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from shared.timefmt import iso_utc

REPO = Path(__file__).resolve().parents[1]
ROWS = int(os.environ.get("TT_BENCH_ROWS", "1000000"))
USERS = 50
PROJECTS = 20
LAG_PROBES = int(os.environ.get("TT_BENCH_LAG_PROBES", "200"))

# wrk prints p50/p75/p90/p99; p95 comes from this `done` hook.
P95_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95 %.3fms\\n", latency:percentile(95) / 1000))
end
"""


def seed(db_url: str, env: dict[str, str]) -> None:
    """ROWS completed entries over three years (2023–2025), 50 users, 20 projects, 10 to 100
    minutes each, written in bulk as the consumer would have, then the rollups rebuilt."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO known_users (id, username, event_at) SELECT 100000 + g, 'bench' || g, now() "
                "FROM generate_series(1, :users) g"
            ),
            {"users": USERS},
        )
        conn.execute(
            text(
                "INSERT INTO known_projects (id, name, event_at) SELECT 100000 + g, 'Bench project ' || g, now() "
                "FROM generate_series(1, :n) g"
            ),
            {"n": PROJECTS},
        )
        conn.execute(
            text(
                """
                INSERT INTO entries (id, user_id, project_id, start_time, end_time, duration_seconds, billable,
                                     day, centihours, doc, event_at)
                SELECT 100000000 + g, 100001 + g % :users, 100001 + (g * 7 + g / :users) % :projects, s,
                       s + make_interval(secs => d), d, g % 3 <> 0, (s AT TIME ZONE 'Europe/Rome')::date,
                       round(round(d / 3600.0, 2) * 100), '{}'::jsonb, now()
                FROM generate_series(1, :rows) g,
                     LATERAL (SELECT timestamptz '2023-01-01' + make_interval(secs => g * (94608000.0 / :rows)) AS s,
                                     600 + (g * 37) % 5400 AS d) x
                """
            ),
            {"users": USERS, "projects": PROJECTS, "rows": ROWS},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE entries"))
    engine.dispose()
    out = subprocess.run(
        [sys.executable, "-m", "reporting.cli", "rebuild"], env={**os.environ, **env}, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"rebuild failed: {out.stderr}")
    engine = create_engine(db_url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE day_totals, month_totals"))
    engine.dispose()


def _lag_probe(base: str, headers: dict[str, str], project_id: int, probes: int, db_url: str) -> list[float]:
    """Each probe: POST one entry, then watch the read model (every 2 ms, straight from its
    database, so the watching loads neither the service nor the gateway) until the entry's
    row is there: the consumer writes it in the same transaction as the rollups, so from then
    on every summary includes it. Returns lags in ms, from the 201 to that moment."""
    lags = []
    engine = create_engine(db_url, pool_size=1)
    with httpx.Client(base_url=base, headers=headers, timeout=10) as c, engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        me = c.get("/api/v1/users/me").json()["user"]["id"]
        window = {"user_id": me, "start_date": "2040-01-01", "end_date": "2040-12-31"}
        seen = c.get("/api/v1/reports/summary", params=window).json()["summary"]["total_entries"]
        applied = text("SELECT count(*) FROM entries WHERE id = :id AND NOT deleted")
        for _ in range(probes):
            start = datetime(2040, 1, 1, tzinfo=UTC) + timedelta(minutes=2 * seen)
            end = start + timedelta(seconds=30)
            r = c.post("/api/v1/time-entries", json={"project_id": project_id, "start_time": iso_utc(start),
                                                     "end_time": iso_utc(end)})  # fmt: skip
            acknowledged = time.perf_counter()
            if r.status_code != 201:
                raise SystemExit(f"lag probe POST answered {r.status_code}: {r.text}")
            seen += 1
            entry_id = r.json()["time_entry"]["id"]
            while not conn.execute(applied, {"id": entry_id}).scalar_one():
                time.sleep(0.002)
            lags.append((time.perf_counter() - acknowledged) * 1000)
    engine.dispose()
    return lags


def _memory_kib(pid: int, field: str) -> int:
    """`VmRSS` (now) or `VmHWM` (peak so far) of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field} for process {pid}")


def export_figures(base: str, headers: dict[str, str], pid: int) -> dict[str, float]:
    """Every entry as CSV through the gateway, read as it streams: rows, seconds, and the
    reporting process's resident memory before and at its peak."""
    before, peak_before = _memory_kib(pid, "VmRSS"), _memory_kib(pid, "VmHWM")
    started, rows, size = time.perf_counter(), 0, 0
    with httpx.stream("GET", base + "/api/v1/exports/time-entries", headers=headers, timeout=600) as r:
        if r.status_code != 200:
            raise SystemExit(f"export answered {r.status_code}")
        for chunk in r.iter_bytes():
            rows += chunk.count(b"\n")
            size += len(chunk)
    return {
        "rows": rows - 1,
        "seconds": time.perf_counter() - started,
        "mb": size / 1e6,
        "rss_before_mib": before / 1024,
        "peak_growth_mib": max(0, _memory_kib(pid, "VmHWM") - max(before, peak_before)) / 1024,
    }


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(wrk, wrk_bin, base: str, headers: dict[str, str], db_url: str, env: dict[str, str], *, project_id: int,
        post_script: str, seconds: int, reporting_pid: int):  # fmt: skip
    """Seed, then measure; returns (summary rows, lag rows, export figures)."""
    seed(db_url, env)
    rows = []
    year = "start_date=2025-01-01&end_date=2025-12-31"
    cases = (
        ("summary, one year, every user", f"/api/v1/reports/summary?{year}"),
        ("summary, one year, one user", f"/api/v1/reports/summary?{year}&user_id=100002"),
        ("summary, ragged range (partial days, days, months)",
         "/api/v1/reports/summary?start_date=2025-01-15T10:30:00&end_date=2025-12-20T12:00:00"),
    )  # fmt: skip
    probe = httpx.get(base + cases[0][1], headers=headers)
    if probe.status_code != 200 or probe.json()["summary"]["total_entries"] < ROWS // 4:
        raise SystemExit(f"summary answers {probe.status_code}: {probe.text[:300]}")
    for label, path in cases:
        for mode, extra in (("read-your-writes", {}), ("eventual", {"X-TT-Consistency": "eventual"})):
            fig = wrk(wrk_bin, base + path, {**headers, **extra}, seconds=seconds, connections=1, extra_lua=P95_LUA)
            rows.append((f"{label} ({mode})", 1, fig))
    # against the list's 16-connection row: a summary should cost no more than a list page
    for label, path in cases[:2]:
        fig = wrk(wrk_bin, base + path, headers, seconds=seconds, connections=16, extra_lua=P95_LUA)
        rows.append((f"{label} (read-your-writes)", 16, fig))

    exported = export_figures(base, headers, reporting_pid)

    # Event lag: a user of its own, idle, then with wrk POSTing entries for the admin meanwhile.
    account = {"username": f"lag{uuid.uuid4().hex[:6]}", "password": "bench-password", "role": "admin"}
    user = httpx.post(base + "/api/v1/users", headers=headers, json=account)
    token = httpx.post(base + "/api/v1/admin/api-tokens", headers=headers,
                       json={"name": "lag", "user_id": user.json()["user"]["id"], "scopes": "admin:all"})  # fmt: skip
    probe_headers = {"Authorization": f"Bearer {token.json()['token']}"}
    lag_rows = []
    lag_rows.append(("idle", _lag_probe(base, probe_headers, project_id, LAG_PROBES // 2, db_url)))
    load = threading.Thread(
        target=lambda: wrk(
            wrk_bin, base + "/api/v1/time-entries", headers, seconds=seconds, connections=4, script=post_script
        ),  # fmt: skip
        daemon=True,
    )
    load.start()
    time.sleep(1)
    busy = _lag_probe(base, probe_headers, project_id, LAG_PROBES // 2, db_url)
    lag_rows.append(("while 4 connections POST entries", busy))
    load.join()
    lags = [
        (label, {"n": len(v), "p50": statistics.median(v), "p99": _percentile(v, 99), "max": max(v)})
        for label, v in lag_rows
    ]
    return rows, exported, lags
