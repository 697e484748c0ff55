"""A steady write load through the gateway, as clients would send it, recording every answer.

- time entries of one user, each with an `Idempotency-Key`: a connection error or a 502/503/504
  is retried with the same key until it is answered (CONVENTIONS §11: a replay, or a first run
  if the earlier attempt never committed), so each entry is acknowledged exactly once;
- projects on a few clients and new clients, sent once: a failed attempt is just recorded.

Durations are whole multiples of 36 s (0.01 h) so every hour total is exact at two decimals.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

RETRIED = {502, 503, 504}
FIRST_SLOT = datetime(2024, 1, 1, tzinfo=UTC)


def entry_seconds(slot: int) -> int:
    return 3600 + 36 * (slot % 50)


@dataclass
class Answers:
    """What clients were told: the acknowledged writes, and every status by kind of write."""

    entries: dict[int, int] = field(default_factory=dict)  # acknowledged entry id → seconds
    projects: dict[int, list[int]] = field(default_factory=dict)  # client id → acknowledged project ids
    clients: list[int] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # (kind, status or exception name) → count
    server_errors: list[str] = field(default_factory=list)  # every 500 a client saw, with its body
    unexpected: list[str] = field(default_factory=list)  # 4xx a correct write should never get
    gateway_errors: list[tuple[int, dict]] = field(default_factory=list)  # 502/503/504, to check their shape

    def record(self, kind: str, r: httpx.Response) -> None:
        self.statuses[(kind, r.status_code)] += 1
        if r.status_code >= 500 and r.status_code not in RETRIED:
            self.server_errors.append(f"{kind} {r.status_code} {r.text[:300]}")
        elif r.status_code in RETRIED:
            self.gateway_errors.append((r.status_code, r.json()))
        elif 400 <= r.status_code < 500:
            self.unexpected.append(f"{kind} {r.status_code} {r.text[:300]}")


class WriteLoad:
    def __init__(self, gateway_url: str, token: str, project_id: int, client_ids: list[int]) -> None:
        self.http = httpx.Client(base_url=gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=15)
        self.project_id, self.client_ids = project_id, client_ids
        self.answers = Answers(projects={c: [] for c in client_ids})
        self._slot = 0
        self._slot_lock = threading.Lock()
        self._running = threading.Event()
        self._go = threading.Event()  # cleared: the writers park between writes
        self._parked = {"entries": threading.Event(), "crm": threading.Event()}
        self._threads = [threading.Thread(target=self._entries, daemon=True),
                         threading.Thread(target=self._crm, daemon=True)]  # fmt: skip

    def start(self) -> WriteLoad:
        self._running.set()
        self._go.set()
        for t in self._threads:
            t.start()
        return self

    def pause(self) -> Answers:
        """Park the writers (none in flight), so what was answered can be compared with what exists."""
        self._go.clear()
        for parked in self._parked.values():
            assert parked.wait(timeout=60), "a writer did not finish its write"
        return self.answers

    def resume(self) -> None:
        for parked in self._parked.values():
            parked.clear()
        self._go.set()

    def _wait_for_go(self, name: str) -> None:
        if not self._go.is_set():
            self._parked[name].set()
            self._go.wait()

    def stop(self) -> Answers:
        self._running.clear()
        self._go.set()
        for t in self._threads:
            t.join(timeout=60)
        self.http.close()
        return self.answers

    def acknowledged_after(self, count: int, timeout: float = 20.0) -> None:
        """Wait until `count` more entries were acknowledged (the load goes on)."""
        target = len(self.answers.entries) + count
        deadline = time.monotonic() + timeout
        while len(self.answers.entries) < target:
            assert time.monotonic() < deadline, f"the load stalled: {self.answers.statuses}"
            time.sleep(0.05)

    def _send(self, kind: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        try:
            r = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            self.answers.statuses[(kind, type(exc).__name__)] += 1
            return None
        self.answers.record(kind, r)
        return r

    def _entries(self) -> None:
        while self._running.is_set():
            self._wait_for_go("entries")
            self.write_entry()
            time.sleep(0.04)  # a steady rate (≤ 25/s), not a benchmark: the faults are the test

    def write_entry(self) -> None:
        """One entry in a slot of its own, sent until answered: stopping the load or a fault never
        leaves an entry whose outcome the client does not know."""
        with self._slot_lock:
            slot, self._slot = self._slot, self._slot + 1
        start = FIRST_SLOT + timedelta(hours=2 * slot)
        body = {"project_id": self.project_id, "start_time": start.isoformat(),
                "end_time": (start + timedelta(seconds=entry_seconds(slot))).isoformat()}  # fmt: skip
        key = uuid.uuid4().hex
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            r = self._send("entry", "POST", "/api/v1/time-entries", json=body, headers={"Idempotency-Key": key})
            if r is not None and r.status_code == 201:
                self.answers.entries[r.json()["time_entry"]["id"]] = entry_seconds(slot)
                return
            if r is not None and r.status_code not in RETRIED:
                return
            time.sleep(0.1)
        self.answers.unexpected.append(f"entry in slot {slot} never answered")

    def _crm(self) -> None:
        n = 0
        while self._running.is_set():
            self._wait_for_go("crm")
            n += 1
            client = self.client_ids[n % len(self.client_ids)]
            r = self._send("project", "POST", "/api/v1/projects", json={"name": f"Load {n} {uuid.uuid4().hex[:6]}",
                                                                         "client_id": client})  # fmt: skip
            if r is not None and r.status_code == 201:
                self.answers.projects[client].append(r.json()["project"]["id"])
            if n % 5 == 0:
                r = self._send("client", "POST", "/api/v1/clients", json={"name": f"Load client {uuid.uuid4().hex}"})
                if r is not None and r.status_code == 201:
                    self.answers.clients.append(r.json()["client"]["id"])
            time.sleep(0.2)
