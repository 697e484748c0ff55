"""After a fault: what clients were told is what every service holds, each event applied once.

Read back through the gateway from each owner (tracking's entries and projects, CRM's clients)
and each consumer (reporting's summary, auth's `total_hours`, CRM's project counts, the webhook
deliveries a local receiver got). Consumers converge within the event lag, so each comparison is
polled up to a bound; a double apply never converges and fails the same way a loss does."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from faults.load import Answers

GATEWAY_CODES = {502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout"}


class Receiver:
    """A webhook endpoint on loopback: records (Standard Webhooks `webhook-id`, event, entity id)."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[str, str, int]] = []
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                envelope = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                received.deliveries.append(
                    (self.headers["webhook-id"], envelope["event_type"], envelope["entity"]["id"])
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def hours(seconds: int) -> float:
    return round(seconds / 3600, 2)


def pages(c: httpx.Client, path: str, key: str, **params) -> list[dict]:
    found, page = [], 1
    while True:
        r = c.get(path, params={**params, "page": page, "per_page": 100})
        assert r.status_code == 200, r.text
        found += r.json()[key]
        if page >= r.json()["pagination"]["pages"]:
            return found
        page += 1


def converges(what: str, read: Callable[[], object], expected: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while (seen := read()) != expected:
        assert time.monotonic() < deadline, f"{what}: {seen!r}, expected {expected!r}"
        time.sleep(0.25)


def assert_consistent(user: httpx.Client, admin: httpx.Client, user_id: int, answers: Answers,
                      receiver: Receiver, timeout: float = 30.0) -> None:  # fmt: skip
    """Every acknowledged write present at its owner; every consumer holds each event once."""
    owned = {e["id"]: e["duration_seconds"] for e in pages(user, "/api/v1/time-entries", "time_entries")}
    acknowledged = dict(answers.entries)
    # retried with one Idempotency-Key each: nothing the clients were not told about exists
    assert owned == acknowledged, (len(owned), len(acknowledged), set(owned) ^ set(acknowledged))
    entries_hours = round(sum(hours(s) for s in owned.values()), 2)

    def summary() -> tuple[int, float]:
        r = user.get("/api/v1/reports/summary", params={"start_date": "2024-01-01", "end_date": "2030-12-31"})
        assert r.status_code == 200, r.text
        return r.json()["summary"]["total_entries"], r.json()["summary"]["total_hours"]

    converges("reporting's summary", summary, (len(owned), entries_hours), timeout)
    converges("auth's total_hours", lambda: admin.get(f"/api/v1/users/{user_id}").json()["user"]["total_hours"],
              hours(sum(owned.values())), timeout)  # fmt: skip

    for client_id, acked in answers.projects.items():
        projects = {p["id"] for p in pages(user, "/api/v1/projects", "projects", client_id=client_id)}
        assert set(acked) <= projects, set(acked) - projects
        converges(f"CRM's project count of client {client_id}",
                  lambda c=client_id: user.get(f"/api/v1/clients/{c}").json()["client"]["total_projects"],
                  len(projects), timeout)  # fmt: skip
    for client_id in answers.clients:
        assert user.get(f"/api/v1/clients/{client_id}").status_code == 200, client_id

    def delivered(event: str) -> tuple[set[int], int, int]:
        hooks = [(hook_id, entity) for hook_id, kind, entity in receiver.deliveries if kind == event]
        return {entity for _, entity in hooks}, len({hook_id for hook_id, _ in hooks}), len(hooks)

    # one delivery (one webhook-id, one request) per entry; a retry of the same delivery would
    # keep its webhook-id, a second event for one entry would not
    converges("time_entry.created deliveries (entries, distinct webhook-ids, requests)",
              lambda: delivered("time_entry.created"), (set(owned), len(owned), len(owned)), timeout)  # fmt: skip
    converges("every acknowledged client delivered",
              lambda: set(answers.clients) <= delivered("client.created")[0], True, timeout)  # fmt: skip
    clients, hook_ids, requests = delivered("client.created")
    assert len(clients) == hook_ids == requests, (len(clients), hook_ids, requests)
    assert not answers.server_errors, answers.server_errors[:5]
    assert not answers.unexpected, answers.unexpected[:5]
    for status, body in answers.gateway_errors:
        assert body["success"] is False and body["error_code"] == GATEWAY_CODES[status], body
        assert set(body) >= {"error", "message", "error_code"}, body


def counts(answers: Answers, kind: str) -> Counter:
    return Counter({status: n for (k, status), n in answers.statuses.items() if k == kind})
