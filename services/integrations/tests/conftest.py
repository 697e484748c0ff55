"""Integrations service test fixtures.

- API tests: a migrated scratch database on the real PostgreSQL server, one rolled-back
  transaction per test (requests included), from `shared.testing.service`.
- Delivery tests: apps whose lifespan runs (the worker sends for real) on the same database with
  *committed* rows (`committed` cleans them up), and `receiver`: a real HTTP server on loopback
  that records every request and answers as told. Those apps point at an unreachable NATS: the
  worker needs none, and their consumer then never reads other suites' events from the shared
  stream (deliveries are made by calling the consumer's handler, as the durable would).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker

from integrations.main import create_app
from integrations.models import KnownUser, Webhook, outbox
from integrations.settings import IntegrationsSettings
from shared.db import utcnow
from shared.testing.service import ServiceUnderTest

SERVICE_DIR = Path(__file__).resolve().parents[1]
ENCRYPTION_KEY = Fernet.generate_key().decode()
NO_NATS = "nats://127.0.0.1:1"


@pytest.fixture
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest(
        "integrations",
        SERVICE_DIR,
        IntegrationsSettings,
        create_app,
        outbox,
        settings={"encryption_keys": ENCRYPTION_KEY, "webhook_worker_enabled": False, "connector_jobs_enabled": False},
    )


def known_owner(session, user_id: int, *, is_admin: bool) -> None:
    """The webhook owner in the user replica (whether their hooks get other users' events)."""
    if session.get(KnownUser, user_id) is None:
        session.add(KnownUser(id=user_id, username=f"owner{user_id}", is_admin=is_admin, event_at=utcnow()))


@pytest.fixture
def make_webhook(session):
    """`make_webhook(user_id=..., **fields)`: a subscription row (no secret), flushed. Its owner
    (user 1 by default) is an admin in the user replica unless `owner_is_admin=False`, so it
    receives every user's events."""

    def make(owner_is_admin: bool = True, **overrides: Any) -> Webhook:
        fields: dict[str, Any] = {
            "name": f"hook {uuid.uuid4().hex[:6]}",
            "url": "https://example.com/hook",
            "events": ["*"],
            "user_id": 1,
        }
        fields.update(overrides)
        known_owner(session, fields["user_id"], is_admin=owner_is_admin)
        webhook = Webhook(**fields)
        session.add(webhook)
        session.flush()
        return webhook

    return make


# --- a receiver: a real HTTP server on loopback --------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """Records every request; `script(path, [status, …])` sets the answers for a path in turn
        (the last repeats; default 200). `delay(path, seconds, …)` holds answers back (in turn, the
    last repeating). `redirect(path,
        location)` answers 302 there."""

    host: str
    port: int
    requests: list[Received] = field(default_factory=list)
    scripts: dict[str, list[int]] = field(default_factory=dict)
    delays: dict[str, list[float]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def script(self, path: str, statuses: list[int]) -> None:
        self.scripts[path] = list(statuses)

    def delay(self, path: str, *seconds: float) -> None:
        self.delays[path] = list(seconds)

    def redirect(self, path: str, location: str) -> None:
        self.redirects[path] = location

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, path: str, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.at(path)
            if len(got) >= count:
                return got
            time.sleep(0.005)
        raise AssertionError(f"{path}: {len(self.at(path))} requests, expected {count}")

    def _answer(self, path: str) -> int:
        with self.lock:
            return _next(self.scripts.get(path), 200)

    def _delay(self, path: str) -> float:
        with self.lock:
            return _next(self.delays.get(path), 0)


def _next(values: list | None, default):
    if not values:
        return default
    return values.pop(0) if len(values) > 1 else values[0]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with receiver.lock:
                receiver.requests.append(
                    Received(
                        self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()
                    )
                )
            pause = receiver._delay(self.path)
            if pause:
                time.sleep(pause)
            if self.path in receiver.redirects:
                self.send_response(302)
                self.send_header("Location", receiver.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = receiver._answer(self.path)
            payload = json.dumps({"received": True, "status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_PUT = do_PATCH = do_GET = _any

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many workers' connections at once (the default backlog is 5)
    daemon_threads = True


@contextlib.contextmanager
def running_receiver(host: str = "127.0.0.1") -> Iterator[Receiver]:
    server = _Server((host, 0), None)
    receiver = Receiver(host=host, port=server.server_address[1])
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


# --- committed rows and running apps ------------------------------------------------------


@pytest.fixture
def committed(engine) -> Iterator[sessionmaker]:
    """Sessions that really commit (workers of other apps must see the rows); every
    subscription (with its deliveries) and user row is removed afterwards."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    yield sessions
    with sessions() as s, s.begin():
        s.execute(delete(Webhook))
        s.execute(delete(KnownUser))


_prefixes = itertools.count()


@pytest.fixture
def worker_settings(settings_kwargs) -> Callable[..., IntegrationsSettings]:
    """Settings of an app whose worker runs: private targets allowed (the receiver is on
    loopback), no NATS, short polls and leases."""

    def make(**overrides: Any) -> IntegrationsSettings:
        kwargs = {
            **settings_kwargs,
            "nats_url": NO_NATS,
            "nats_durable_prefix": f"wh-test-{uuid.uuid4().hex[:8]}-{next(_prefixes)}-",
            "webhook_worker_enabled": True,
            "webhook_allow_private_targets": True,
            "webhook_poll_seconds": 0.5,
            "webhook_lease_margin_seconds": 1,
            "webhook_shutdown_grace_seconds": 2,
            "outbox_poll_seconds": 5,
        }
        kwargs.update(overrides)
        return IntegrationsSettings(**kwargs)

    return make


@pytest.fixture
def running_app(worker_settings):
    """`with running_app(**settings) as client:` an app whose lifespan (worker included) runs."""

    @contextlib.contextmanager
    def start(**overrides: Any) -> Iterator[TestClient]:
        app = create_app(worker_settings(**overrides))
        with TestClient(app) as client:
            yield client

    return start


# --- committed subscriptions and events ---------------------------------------------------


@pytest.fixture
def subscribe(committed):
    """`subscribe(url, events=[...], **fields)` → (webhook id, plain secret or None), committed;
    its owner (user 1 by default) an admin unless `owner_is_admin=False`."""
    from integrations.secrets import SecretBox, new_webhook_secret

    box = SecretBox([ENCRYPTION_KEY])

    def make(url: str, *, secret: bool = True, owner_is_admin: bool = True, **fields: Any) -> tuple[int, str | None]:
        plain = new_webhook_secret() if secret else None
        values: dict[str, Any] = {
            "name": "receiver",
            "url": url,
            "events": ["*"],
            "user_id": 1,
            "retry_delay_seconds": 1,
            "timeout_seconds": 5,
        }
        values.update(fields)
        with committed() as s, s.begin():
            known_owner(s, values["user_id"], is_admin=owner_is_admin)
            webhook = Webhook(**values, secret=box.seal(plain) if plain else None)
            s.add(webhook)
            s.flush()
            return webhook.id, plain

    return make


@pytest.fixture
def publish(committed):
    """`publish(subject, data, actor_id=None, notify=None)`: the event applied by the webhook
    consumer's durable path (its own transaction, the processed-events record, acked after
    commit). Returns the envelope."""
    from integrations.consumers import deliver_event
    from integrations.models import processed_events
    from shared.events import EventEnvelope
    from shared.events.consumer import DurableConsumer
    from shared.testing.contracts import example_payload

    def apply(subject: str, data: dict[str, Any], *, actor_id: int | None = None, notify=None, event=None):
        event = event or EventEnvelope(
            type=subject,
            source=subject.split(".")[1],
            entity_id=str(data.get("id")),
            actor={"user_id": actor_id, "token_id": 1, "service": None} if actor_id else None,
            data=example_payload(subject, **data),
        )
        consumer = DurableConsumer(
            name="integrations-webhooks-test",
            subject="tt.>",
            handler=lambda session, envelope: deliver_event(session, envelope, notify=notify),
            sessions=committed,
            processed=processed_events,
            link=None,
        )
        consumer.apply(event)
        return event

    return apply


@pytest.fixture
def process_env(settings_kwargs) -> dict[str, str]:
    """Environment of this service as a uvicorn process on the suite's database (worker on,
    private targets allowed, no NATS, short polls and leases)."""
    return {
        "TT_DATABASE_URL": settings_kwargs["database_url"],
        "TT_INTEGRATIONS_DATABASE_URL": settings_kwargs["integrations_database_url"],
        "TT_IDENTITY_SECRET": settings_kwargs["identity_secret"],
        "TT_NATS_URL": NO_NATS,
        "TT_NATS_DURABLE_PREFIX": f"wh-proc-{uuid.uuid4().hex[:8]}-",
        "TT_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "TT_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "TT_WEBHOOK_LEASE_MARGIN_SECONDS": "1",
        "TT_WEBHOOK_POLL_SECONDS": "0.2",
    }


@pytest.fixture
def inner_receiver() -> Iterator[Receiver]:
    """A second receiver on another loopback address (127.0.0.2): an "internal" target."""
    with running_receiver("127.0.0.2") as r:
        yield r
