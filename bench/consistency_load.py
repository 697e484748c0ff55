"""Read-your-writes figures for `make bench`: what a decision on a replica costs when the row
is there (a hit) and when it is not yet (a miss: the replica catches up with the owner first).

One client, sequential, through the gateway with an admin token:
- hit: `POST /api/v1/projects` on a client tracking's replica has held for a while;
- miss: `POST /api/v1/clients`, then at once `POST /api/v1/projects` on it. Only the project
  POST is timed; a round whose client event arrived first (no `X-TT-Freshness` on the answer)
  counts as a hit instead;
- the same pair for a task assigned to a user the admin has just created (auth → tracking);
- the owner's part of a miss alone: CRM's `POST /internal/events/flush` called directly.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid

import httpx

ROUNDS = int(os.environ.get("TT_BENCH_CONSISTENCY_ROUNDS", "300"))


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _figures(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0, "p50": float("nan"), "p99": float("nan")}
    return {"n": len(samples), "p50": statistics.median(samples), "p99": _percentile(samples, 99)}


def _timed(c: httpx.Client, path: str, body: dict) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    r = c.post(path, json=body)
    elapsed = (time.perf_counter() - started) * 1000
    if r.status_code != 201:
        raise SystemExit(f"POST {path} answered {r.status_code}: {r.text[:300]}")
    return elapsed, r


def _client(c: httpx.Client) -> int:
    r = c.post("/api/v1/clients", json={"name": f"Bench client {uuid.uuid4().hex[:10]}"})
    if r.status_code != 201:
        raise SystemExit(f"POST /api/v1/clients answered {r.status_code}: {r.text[:300]}")
    return r.json()["client"]["id"]


def _user(c: httpx.Client) -> int:
    r = c.post("/api/v1/users", json={"username": f"b{uuid.uuid4().hex[:10]}", "password": "bench-password"})
    if r.status_code != 201:
        raise SystemExit(f"POST /api/v1/users answered {r.status_code}: {r.text[:300]}")
    return r.json()["user"]["id"]


def _flush_calls(url: str, identity: str) -> list[float]:
    samples = []
    with httpx.Client(headers={"X-TT-Identity": identity}, timeout=10) as c:
        for _ in range(ROUNDS):
            started = time.perf_counter()
            r = c.post(f"{url}/internal/events/flush", params={"timeout": 1})
            samples.append((time.perf_counter() - started) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"flush answered {r.status_code}: {r.text[:300]}")
    return samples


def run(base: str, headers: dict[str, str], *, owner_url: str, service_identity: str) -> list[tuple[str, dict]]:
    """`owner_url`: CRM's own address; `service_identity`: a signed platform identity."""
    hits: dict[str, list[float]] = {"project": [], "task": []}
    misses: dict[str, list[float]] = {"project": [], "task": []}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
        settled = _client(c)
        project = _timed(c, "/api/v1/projects", {"name": "Bench tasks", "client_id": settled})[1].json()["project"]
        settled_user = _user(c)
        time.sleep(1)  # both events applied: the hit rounds find their rows
        for _ in range(ROUNDS):
            name = f"Bench project {uuid.uuid4().hex[:10]}"
            hits["project"].append(_timed(c, "/api/v1/projects", {"name": name, "client_id": settled})[0])
            task = {"name": f"Bench task {uuid.uuid4().hex[:10]}", "project_id": project["id"]}
            hits["task"].append(_timed(c, "/api/v1/tasks", {**task, "assigned_to": settled_user})[0])

            fresh = _client(c)
            elapsed, r = _timed(c, "/api/v1/projects", {"name": name, "client_id": fresh})
            (misses if "X-TT-Freshness" in r.headers else hits)["project"].append(elapsed)
            fresh_user = _user(c)
            elapsed, r = _timed(c, "/api/v1/tasks", {**task, "name": task["name"] + "+", "assigned_to": fresh_user})
            (misses if "X-TT-Freshness" in r.headers else hits)["task"].append(elapsed)
    return [
        ("project on a client in the replica (hit)", _figures(hits["project"])),
        ("project on a client created just before (miss: catch-up with CRM)", _figures(misses["project"])),
        ("task for a user in the replica (hit)", _figures(hits["task"])),
        ("task for a user created just before (miss: catch-up with auth)", _figures(misses["task"])),
        ("CRM's outbox flush alone (the owner's part of a miss)", _figures(_flush_calls(owner_url, service_identity))),
    ]
