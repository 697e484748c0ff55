"""Event apply figures for `make bench`: how fast a consumer that keeps a replica works off a
backlog of tracking's time-entry events (the rate of a new deployment replaying history too).

Reporting and auth are stopped; N entry events (80 % created, then 20 % updates of earlier
entries, moving their time to another day and project) go straight into tracking's outbox and
the relay publishes them; then each consumer's process is started alone and timed from its
first acknowledged event until its durable has nothing pending or unacknowledged. After the
run, `reporting.cli verify` and `verify --from-stream` must find no difference, and auth's
`total_seconds` must equal the sum of its per-entry seconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import nats
from sqlalchemy import create_engine, text

EVENTS = int(os.environ.get("TT_BENCH_APPLY_EVENTS", "20000"))
ENTRY_BASE = 900_000_000

# One envelope per row of the series: the first 80 % create entries, the rest update the
# first ones (another day and project, a longer duration). occurred_at rises with g.
_SEED_OUTBOX = """
INSERT INTO outbox (event_id, subject, payload, created_at)
SELECT ev.id, ev.type,
       jsonb_build_object('id', ev.id, 'type', ev.type, 'occurred_at', to_char(ev.at AT TIME ZONE 'UTC',
                          'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), 'source', 'tracking', 'entity_id', e.id::text,
                          'actor', NULL, 'version', 1,
                          'data', jsonb_build_object(
                              'id', e.id, 'user_id', :user_id, 'project_id', e.project_id, 'client_id', NULL,
                              'task_id', NULL, 'start_time', to_char(e.s AT TIME ZONE 'UTC',
                              'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'), 'end_time', to_char((e.s + make_interval(
                              secs => e.d)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
                              'duration_seconds', e.d, 'break_seconds', 0, 'paused_at', NULL, 'notes', 'bench',
                              'tags', NULL, 'billable', e.id % 3 <> 0, 'source', 'manual')),
       ev.at
FROM generate_series(1, :n) g
CROSS JOIN LATERAL (SELECT g > :created AS is_update) u
CROSS JOIN LATERAL (
    SELECT CASE WHEN u.is_update THEN g - :created ELSE g END AS k) kk
CROSS JOIN LATERAL (
    SELECT :base + kk.k AS id,
           1 + (kk.k * 7 + CASE WHEN u.is_update THEN 3 ELSE 0 END) % 20 AS project_id,
           timestamptz '2030-01-01' + make_interval(days => (kk.k + CASE WHEN u.is_update THEN 1 ELSE 0 END) % 365,
                                                    secs => kk.k % 80000) AS s,
           600 + (kk.k * 37) % 5400 + CASE WHEN u.is_update THEN 60 ELSE 0 END AS d) e
CROSS JOIN LATERAL (
    SELECT gen_random_uuid()::text AS id,
           CASE WHEN u.is_update THEN 'tt.tracking.time_entry.updated' ELSE 'tt.tracking.time_entry.created' END
               AS type,
           clock_timestamp() + make_interval(secs => g / 1000000.0) AS at) ev
"""


def seed(tracking_db: str, *, user_id: int, n: int) -> None:
    engine = create_engine(tracking_db)
    with engine.begin() as conn:
        conn.execute(text(_SEED_OUTBOX), {"n": n, "created": n * 4 // 5, "base": ENTRY_BASE, "user_id": user_id})
    deadline = time.monotonic() + 600
    with engine.connect() as conn:
        while conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar_one():
            if time.monotonic() > deadline:
                raise SystemExit("the relay did not publish the seeded events within 10 minutes")
            time.sleep(0.2)
            conn.rollback()
    engine.dispose()


async def _progress(js, stream: str, durable: str) -> tuple[int, int]:
    """(messages pending or unacknowledged, the consumer sequence acknowledged so far)."""
    info = await js.consumer_info(stream, durable)
    return info.num_pending + info.num_ack_pending, info.ack_floor.consumer_seq


async def time_durable(nats_url: str, stream: str, durable: str, *, timeout: float = 900) -> dict[str, float]:
    """From the first acknowledged event to none pending: {"events", "seconds", "per_second"}.
    Events are counted by the consumer's acknowledged sequence: on a NATS shared with other
    stacks, their events on the same subjects are applied (and counted) too."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + timeout
        while True:  # the process creates (or resubscribes) its durable once it is up
            try:
                left, acked = await _progress(js, stream, durable)
                break
            except nats.js.errors.NotFoundError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"durable {durable} never appeared") from None
                await asyncio.sleep(0.05)
        first_acked = acked
        while acked == first_acked and left:
            await asyncio.sleep(0.01)
            left, acked = await _progress(js, stream, durable)
        started, start_acked = time.perf_counter(), acked
        while left:
            if time.monotonic() > deadline:
                raise SystemExit(f"durable {durable}: {left} events still pending")
            await asyncio.sleep(0.02)
            left, acked = await _progress(js, stream, durable)
        seconds = time.perf_counter() - started
        events = acked - start_acked
        return {"events": events, "seconds": seconds, "per_second": events / seconds}
    finally:
        await nc.close()


def _auth_exact(auth_db: str, user_id: int) -> bool:
    engine = create_engine(auth_db)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT total_seconds FROM users WHERE id = :u"), {"u": user_id}).scalar_one()
        summed = conn.execute(
            text("SELECT coalesce(sum(seconds), 0) FROM tracked_entries WHERE user_id = :u"), {"u": user_id}
        ).scalar_one()
    engine.dispose()
    return total == summed


def verify(env: dict[str, str]) -> dict[str, object]:
    """`reporting.cli verify` and `verify --from-stream` (their JSON, and whether both passed)."""
    out = {}
    for label, argv in (("verify", ["verify"]), ("verify --from-stream", ["verify", "--from-stream"])):
        done = subprocess.run(
            [sys.executable, "-m", "reporting.cli", *argv], env={**os.environ, **env}, capture_output=True, text=True
        )
        result = json.loads(done.stdout) if done.stdout.strip() else done.stderr[-500:]
        out[label] = {"ok": done.returncode == 0, "result": result}
    return out


# (label, service, durable) of each consumer timed
TIMED = (
    ("reporting (entries + 4 rollup levels)", "reporting", "reporting-tracking"),
    ("auth (total_hours)", "auth", "auth-time-entries"),
    ("integrations (webhook deliveries, no subscription)", "integrations", "integrations-webhooks"),
)


def run(*, env: dict[str, str], tracking_db: str, auth_db: str, consumers: dict, user_id: int) -> dict:
    """`consumers`: service name → its started ServiceProcess; each is stopped, then restarted
    one at a time. Returns {"rows": [(label, figures)], "auth_exact": bool, "verify": {...}}."""
    stream, prefix, nats_url = env.get("TT_NATS_STREAM", "TT"), env["TT_NATS_DURABLE_PREFIX"], env["TT_NATS_URL"]
    for proc in consumers.values():
        proc.stop()
    print(f"publishing {EVENTS:,} time-entry events through tracking's outbox …", flush=True)
    seed(tracking_db, user_id=user_id, n=EVENTS)
    rows = []
    for label, service, durable in TIMED:
        proc = consumers[service]
        proc.start()
        rows.append((label, asyncio.run(time_durable(nats_url, stream, prefix + durable))))
    return {"rows": rows, "auth_exact": _auth_exact(auth_db, user_id), "verify": verify(env)}
