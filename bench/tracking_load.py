"""Tracking figures for `make bench`, through the gateway with an admin token:

- `POST /api/v1/time-entries` (each request a new, non-overlapping completed entry), all for one
  user (the per-user lock serializes them) and spread over 16 users;
- timer start/stop alternating on one user;
- `GET /api/v1/time-entries` first page, filtered, with 1,000,000 rows in the table — for a
  user's own entries and an admin's project filter with a date range;
- `POST /api/v1/time-entries/import-csv` in 2,000-row chunks by a manager (every rule of §4.6,
  the overlap rule included): rows imported per second.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROWS = int(os.environ.get("TT_BENCH_ROWS", "1000000"))
USERS = 50
PROJECTS = 20

# wrk scripts: one thread (-t1), so a plain counter gives every request its own time slot.
# wrk.format replaces the -H headers when given a table: copy them (the token) first.
JSON_HEADERS_LUA = """
function json_headers()
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Content-Type"] = "application/json"
  return h
end
"""

POST_ENTRIES_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local start = BASE + counter * 120  -- two minutes apart, from this run's own BASE
  local body = string.format(
    '{"project_id": %d, "start_time": "%s", "end_time": "%s", "notes": "bench", "tags": "a,b"}',
    PROJECT, os.date("!%Y-%m-%dT%H:%M:%SZ", start), os.date("!%Y-%m-%dT%H:%M:%SZ", start + 60))
  return wrk.format("POST", "/api/v1/time-entries", json_headers(), body)
end
"""

# One token per user, taken in turn: the 16 connections' requests spread over 16 owners.
POST_ENTRIES_MANY_USERS_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local start = BASE + counter * 120
  local body = string.format(
    '{"project_id": %d, "start_time": "%s", "end_time": "%s", "notes": "bench", "tags": "a,b"}',
    PROJECT, os.date("!%Y-%m-%dT%H:%M:%SZ", start), os.date("!%Y-%m-%dT%H:%M:%SZ", start + 60))
  local h = json_headers()
  h["Authorization"] = "Bearer " .. TOKENS[(counter % #TOKENS) + 1]
  return wrk.format("POST", "/api/v1/time-entries", h, body)
end
"""

TIMER_LUA = """
running = false
request = function()
  if not running then
    return wrk.format("POST", "/api/v1/timer/start", json_headers(), string.format('{"project_id": %d}', PROJECT))
  end
  return wrk.format("POST", "/api/v1/timer/stop")
end
on_response = function(status)  -- one connection: the next request follows this answer
  if status == 201 then running = true elseif status == 200 then running = false end
end
"""


# Prints the first failing response, so a broken run says why.
REPORT_LUA = """
reported = false
response = function(status, headers, body)
  if on_response then on_response(status) end
  if status >= 300 and not reported then
    reported = true
    io.stderr:write(status .. " " .. body .. "\\n")
  end
end
"""


_runs = itertools.count()
IMPORT_CHUNKS = 5
IMPORT_CHUNK_ROWS = 2000


def manager_token(base: str, admin_headers: dict[str, str]) -> str:
    """A new manager (sees every project, held to every entry rule) and an API token of theirs."""
    with httpx.Client(base_url=base, headers=admin_headers, timeout=60) as admin:
        name = f"bench-{next(_runs)}-{os.getpid()}"
        user = admin.post("/api/v1/users", json={"username": name, "password": "bench-password-1", "role": "manager"})
        user.raise_for_status()
        minted = admin.post(
            "/api/v1/admin/api-tokens",
            json={"name": name, "user_id": user.json()["user"]["id"], "scopes": "read:*,write:*"},
        )
        minted.raise_for_status()
    return minted.json()["token"]


def import_rate(base: str, admin_headers: dict[str, str], project_id: int) -> dict[str, float]:
    """Rows/s of CSV import through the gateway: a new manager imports IMPORT_CHUNKS chunks of
    IMPORT_CHUNK_ROWS one-minute entries, one chunk per request, as the web UI and scripts do."""
    headers = {"Authorization": f"Bearer {manager_token(base, admin_headers)}"}
    elapsed = imported = 0.0
    with httpx.Client(base_url=base, headers=headers, timeout=300) as c:
        for chunk in range(IMPORT_CHUNKS):
            lines = ["project_id,start_time,end_time,notes"]
            for i in range(IMPORT_CHUNK_ROWS):
                minute = chunk * IMPORT_CHUNK_ROWS + i
                start = 1_600_000_000 + minute * 120
                lines.append(f"{project_id},{_iso(start)},{_iso(start + 60)},bench row {minute}")
            started = time.perf_counter()
            r = c.post("/api/v1/time-entries/import-csv", json={"csv": "\n".join(lines)})
            elapsed += time.perf_counter() - started
            r.raise_for_status()
            if r.json()["failed"]:
                raise SystemExit(f"CSV import refused rows: {r.json()['errors'][:3]}")
            imported += r.json()["created"]
    return {"rows": imported, "seconds": elapsed, "rows_per_second": imported / elapsed}


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lua_file(source: str, project_id: int) -> str:
    """The script with its project and a BASE time of its own (2030 onwards, a year per run),
    so the entries of two runs never overlap."""
    base = 1893456000 + next(_runs) * 366 * 86400
    path = Path(tempfile.mkdtemp(prefix="tt-bench-lua-")) / "script.lua"
    path.write_text(f"PROJECT = {project_id}\nBASE = {base}\n{JSON_HEADERS_LUA}\n{source}\n{REPORT_LUA}")
    return str(path)


def seed(db_url: str, admin_id: int) -> dict[str, int]:
    """Users, a client, projects and ROWS completed entries spread over three years, written
    in bulk by PostgreSQL itself (the API would take an hour)."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO known_users (id, username, is_admin, role) SELECT g, 'bench' || g, g = :admin, "
                "CASE WHEN g = :admin THEN 'admin' ELSE 'user' END FROM generate_series(1, :users) g "
                "UNION SELECT :admin, 'admin', true, 'admin' ON CONFLICT (id) DO NOTHING"
            ),
            {"admin": admin_id, "users": USERS},
        )
        conn.execute(text("INSERT INTO known_clients (id, name) VALUES (1, 'Bench client') ON CONFLICT DO NOTHING"))
        conn.execute(
            text(
                "INSERT INTO projects (name, client_id, created_by) "
                "SELECT 'Bench project ' || g, 1, :admin FROM generate_series(1, :n) g"
            ),
            {"admin": admin_id, "n": PROJECTS},
        )
        first_project = conn.execute(text("SELECT min(id) FROM projects")).scalar()
        conn.execute(
            text(
                "INSERT INTO time_entries (user_id, project_id, start_time, end_time, duration_seconds, notes, "
                "source, billable) "
                "SELECT 1 + g % :users, :first + g % :projects, "
                "timestamptz '2026-01-01' - make_interval(mins => g), "
                "timestamptz '2026-01-01' - make_interval(mins => g) + interval '50 seconds', 50, "
                "'seeded entry ' || g, 'manual', g % 3 <> 0 FROM generate_series(1, :rows) g"
            ),
            {"users": USERS, "first": first_project, "projects": PROJECTS, "rows": ROWS},
        )
    # As autovacuum would have by now: statistics, and a visibility map for index-only counts.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE time_entries"))
    engine.dispose()
    return {"project_id": first_project}


def first_project(db_url: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        project = conn.execute(text("SELECT min(id) FROM projects")).scalar_one()
    engine.dispose()
    return project


def run(wrk, wrk_bin: str, base: str, headers: dict[str, str], db_url: str, *, admin_id: int, seconds: int):
    """Seed, then measure; returns rows of (label, connections, figures)."""
    seeded = seed(db_url, admin_id)
    project = seeded["project_id"]
    rows = []

    probe = httpx.get(base + "/api/v1/time-entries?per_page=1", headers=headers)
    if probe.status_code != 200:
        raise SystemExit(f"time-entry list answers {probe.status_code}: {probe.text}")

    def measure(label: str, path: str, connections: int, script: str | None = None) -> None:
        fig = wrk(wrk_bin, base + path, headers, seconds=seconds, connections=connections, script=script)
        rows.append((label, connections, fig))

    measure("GET time-entries, user filter, first page", "/api/v1/time-entries?user_id=2&per_page=50", 16)
    measure(
        "GET time-entries, project + date range, first page",
        f"/api/v1/time-entries?project_id={project}&start_date=2025-06-01&end_date=2025-06-30&per_page=50",
        16,
    )
    measure("GET time-entries, user filter, first page", "/api/v1/time-entries?user_id=2&per_page=50", 1)
    measure("POST time-entries (new completed entry)", "/api/v1/time-entries", 16, lua_file(POST_ENTRIES_LUA, project))
    measure("POST time-entries (new completed entry)", "/api/v1/time-entries", 1, lua_file(POST_ENTRIES_LUA, project))
    tokens = ", ".join(f'"{manager_token(base, headers)}"' for _ in range(16))
    many_users = f"TOKENS = {{{tokens}}}\n{POST_ENTRIES_MANY_USERS_LUA}"
    measure("POST time-entries, 16 users", "/api/v1/time-entries", 16, lua_file(many_users, project))
    # one user has one timer: start and stop alternate on a single connection
    measure("POST timer/start + timer/stop, alternating", "/api/v1/timer/start", 1, lua_file(TIMER_LUA, project))
    return rows, import_rate(base, headers, project)
