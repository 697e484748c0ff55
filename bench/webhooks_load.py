"""Webhook figures for `make bench`, through the gateway with an admin token:

- the lag from a time entry's 201 to its webhook arriving at a local receiver (one subscription,
  one entry at a time), p50/p99;
- deliveries per second: SUBSCRIPTIONS subscriptions on `time_entry.created`, entries posted by
  wrk at 16 connections, every delivery counted at the receiver until all have arrived.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

SUBSCRIPTIONS = 10
LAG_PROBES = 200


class Receiver:
    """Counts webhook requests and remembers when the last one arrived."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.perf_counter()
                with receiver.lock:
                    receiver.count += 1
                    receiver.last = now
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.last = 0.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_count(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.count < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.0005)
        return True

    def close(self) -> None:
        self.server.shutdown()


def _subscribe(c: httpx.Client, url: str, n: int) -> list[int]:
    ids = []
    for i in range(n):
        r = c.post("/api/v1/webhooks", json={"name": f"bench {i}", "url": url, "events": ["time_entry.created"]})
        if r.status_code != 201:
            raise SystemExit(f"webhook create answered {r.status_code}: {r.text}")
        ids.append(r.json()["webhook"]["id"])
    return ids


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(wrk, wrk_bin: str, base: str, headers: dict[str, str], *, project_id: int, post_script: str, seconds: int):
    """Returns (lag figures, throughput figures)."""
    receiver = Receiver()
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=10) as c:
            hooks = _subscribe(c, receiver.url, 1)
            lags = []
            start = datetime(2045, 1, 1, tzinfo=UTC)
            for n in range(LAG_PROBES):
                begin = start + timedelta(minutes=2 * n)
                expected = receiver.count + 1
                r = c.post("/api/v1/time-entries", json={"project_id": project_id,
                                                         "start_time": begin.isoformat().replace("+00:00", "Z"),
                                                         "end_time": (begin + timedelta(seconds=30)).isoformat()
                                                         .replace("+00:00", "Z")})  # fmt: skip
                acknowledged = time.perf_counter()
                if r.status_code != 201:
                    raise SystemExit(f"lag probe POST answered {r.status_code}: {r.text}")
                if not receiver.wait_count(expected, 30):
                    raise SystemExit("a webhook did not arrive within 30 s")
                lags.append((receiver.last - acknowledged) * 1000)
            for hook in hooks:
                c.delete(f"/api/v1/webhooks/{hook}")

            _subscribe(c, receiver.url, SUBSCRIPTIONS)
            before, began = receiver.count, time.perf_counter()
            posted = wrk(wrk_bin, base + "/api/v1/time-entries", headers, seconds=seconds, connections=16,
                         script=post_script)  # fmt: skip
            entries = round(posted["rps"] * seconds)
            # wrk's count is rounded: wait for (nearly) every delivery it implies, then for stragglers.
            receiver.wait_count(before + entries * SUBSCRIPTIONS * 99 // 100, 600)
            time.sleep(2)
            delivered = receiver.count - before
            span = receiver.last - began  # from the first POST to the last delivery
    finally:
        receiver.close()
    lag = {"n": len(lags), "p50": _percentile(lags, 50), "p99": _percentile(lags, 99), "max": max(lags)}
    throughput = {"entries": entries, "deliveries": delivered, "seconds": span, "per_second": delivered / span}
    return lag, throughput
