"""Outbound webhooks through the gateway: a user subscribes a URL, then writes in tracking and CRM
reach it signed both ways (legacy `X-Webhook-Signature`, Standard Webhooks), with the
platform's envelope, recorded in the delivery log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SCOPES = "read:webhooks,write:webhooks,read:projects,write:projects,read:time_entries,write:time_entries," \
    "read:clients,write:clients"  # fmt: skip


class Receiver:
    """A local HTTP endpoint that records every request it gets and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        received = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                received.requests.append({"method": self.command, "headers": headers, "body": body})
                self.send_response(received.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = do_PATCH = _record

            def log_message(self, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.requests

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def subscriber(stack, make_token):
    token, _, user = make_token(SCOPES)
    with stack.client(token) as c:
        yield c, user


def subscribe(c, url: str, events: list[str], **fields) -> dict:
    r = c.post("/api/v1/webhooks", json={"name": f"hook {uuid.uuid4().hex[:6]}", "url": url, "events": events,
                                         **fields})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["message"] == "Webhook created successfully"
    return r.json()["webhook"]


def settled(c, hook_id: int, timeout: float = 5.0) -> list[dict]:
    """The delivery log once no attempt is in flight."""
    deadline = time.monotonic() + timeout
    while True:
        deliveries = c.get(f"/api/v1/webhooks/{hook_id}/deliveries").json()["deliveries"]
        if all(d["status"] != "pending" for d in deliveries) or time.monotonic() > deadline:
            return deliveries
        time.sleep(0.05)


def assert_signed(request: dict, secret: str) -> None:
    """Verify both signatures as a receiver would."""
    body, headers = request["body"], request["headers"]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-webhook-signature"].removeprefix("sha256="), expected)
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    standard = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    assert f"v1,{standard}" in headers["webhook-signature"].split(" ")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60


def test_a_time_entry_reaches_the_subscriber_signed_with_the_platform_envelope(subscriber, receiver):
    c, user = subscriber
    hook = subscribe(c, receiver.url, ["time_entry.created"])
    secret = hook["secret"]
    assert len(secret) == 43 and "secret" not in c.get(f"/api/v1/webhooks/{hook['id']}").json()["webhook"]

    client = c.post("/api/v1/clients", json={"name": f"Hooked client {uuid.uuid4().hex[:6]}"}).json()["client"]
    r = c.post("/api/v1/projects", json={"name": f"Hooked {uuid.uuid4().hex[:6]}", "client_id": client["id"]})
    assert r.status_code == 201, r.text
    project = r.json()["project"]
    r = c.post("/api/v1/time-entries", json={"project_id": project["id"], "start_time": "2026-03-02T09:00:00Z",
                                             "end_time": "2026-03-02T10:00:00Z"})  # fmt: skip
    assert r.status_code == 201, r.text
    entry = r.json()["time_entry"]

    (request,) = receiver.wait_for(1)
    assert_signed(request, secret)
    headers = request["headers"]
    assert headers["x-webhook-event"] == "time_entry.created" and headers["x-webhook-id"] == str(hook["id"])
    assert headers["user-agent"] == "TimeTracker-Webhook/1.0"
    envelope = json.loads(request["body"])
    assert envelope["event_type"] == "time_entry.created" and envelope["action"] == "created"
    assert envelope["entity"]["type"] == "time_entry" and envelope["entity"]["id"] == entry["id"]
    assert envelope["data"]["id"] == entry["id"] and envelope["timestamp"].endswith("Z")

    # The attempt is recorded once the receiver has answered: `pending` until then (in flight).
    deliveries = settled(c, hook["id"])
    assert [(d["status"], d["attempt_number"], d["response_status_code"]) for d in deliveries] == [("success", 1, 200)]
    counters = c.get(f"/api/v1/webhooks/{hook['id']}").json()["webhook"]
    assert (counters["total_deliveries"], counters["successful_deliveries"]) == (1, 1)


def test_every_subscribed_event_of_another_service_arrives_once(subscriber, receiver):
    c, _ = subscriber
    subscribe(c, receiver.url, ["client.created", "client.updated"])
    names = [f"Hooked client {uuid.uuid4().hex[:6]}" for _ in range(5)]
    ids = [c.post("/api/v1/clients", json={"name": name}).json()["client"]["id"] for name in names]
    c.patch(f"/api/v1/clients/{ids[0]}", json={"phone": "555"})
    requests = receiver.wait_for(6)
    time.sleep(0.5)  # nothing more may come
    kinds = sorted((json.loads(r["body"])["event_type"], json.loads(r["body"])["entity"]["id"]) for r in requests)
    assert kinds == sorted([("client.created", i) for i in ids] + [("client.updated", ids[0])])


def test_a_failing_receiver_is_retried_on_the_schedule_with_the_same_bytes(subscriber, receiver):
    c, _ = subscriber
    receiver.status = 500
    hook = subscribe(c, receiver.url, ["client.created"], max_retries=1, retry_delay_seconds=1)
    c.post("/api/v1/clients", json={"name": f"Retry client {uuid.uuid4().hex[:6]}"})
    first, second = receiver.wait_for(2)[:2]
    assert first["body"] == second["body"]
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    time.sleep(1.5)
    assert len(receiver.requests) == 2  # 1 + max_retries attempts, then it gives up
    (delivery,) = settled(c, hook["id"])
    assert (delivery["status"], delivery["attempt_number"], delivery["error_type"]) == ("failed", 2, "http_error")
    assert delivery["error_message"].startswith("HTTP 500")


def test_others_subscriptions_are_not_theirs_to_see(stack, subscriber, make_token, receiver):
    c, _ = subscriber
    hook = subscribe(c, receiver.url, ["*"])
    other, _, _ = make_token("read:webhooks,write:webhooks")
    with stack.client(other) as o:
        r = o.get(f"/api/v1/webhooks/{hook['id']}")
        assert r.status_code == 403 and r.json()["message"] == "Access denied"
        assert hook["id"] not in [w["id"] for w in o.get("/api/v1/webhooks").json()["webhooks"]]
        assert o.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 403
    assert c.get(f"/api/v1/webhooks/{hook['id']}").status_code == 200
