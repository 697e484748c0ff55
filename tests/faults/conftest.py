"""The fault suite's own platform (`faults.stack`) on private servers (`faults.infra`), with a
user, a webhook to a local receiver and a steady write load running through it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from faults.consistency import Receiver
from faults.infra import Postgres, nats_server, redis_server
from faults.load import WriteLoad
from faults.stack import FaultStack, fault_stack

SCOPES = "read:*,write:*"


@pytest.fixture(scope="module")
def faults(tmp_path_factory, identity_secret) -> Iterator[FaultStack]:
    root = tmp_path_factory.mktemp("faults")
    postgres = Postgres(root / "pg")
    nats, redis = nats_server(root / "nats"), redis_server()
    try:
        nats.start()
        redis.start()
        with fault_stack(postgres, nats, redis, identity_secret, root) as stack:
            yield stack
    finally:
        nats.stop()
        redis.stop()
        postgres.stop()


@dataclass
class Loaded:
    stack: FaultStack
    load: WriteLoad
    receiver: Receiver
    user_id: int
    user: httpx.Client
    admin: httpx.Client


@pytest.fixture(scope="module")
def loaded(faults) -> Iterator[Loaded]:
    admin = httpx.Client(base_url=faults.gateway_url, headers={"X-API-Key": faults.admin_token}, timeout=15)
    r = admin.post("/api/v1/users", json={"username": f"load{uuid.uuid4().hex[:8]}", "password": "password-123"})
    assert r.status_code == 201, r.text
    user_id = r.json()["user"]["id"]
    r = admin.post("/api/v1/admin/api-tokens", json={"name": "load", "user_id": user_id, "scopes": SCOPES})
    assert r.status_code == 201, r.text
    user = httpx.Client(base_url=faults.gateway_url, headers={"X-API-Key": r.json()["token"]}, timeout=15)
    receiver = Receiver()
    r = user.post("/api/v1/webhooks", json={"name": "faults", "url": receiver.url,
                                            "events": ["time_entry.created", "client.created"]})  # fmt: skip
    assert r.status_code == 201, r.text
    names = [f"Fault client {i} {uuid.uuid4().hex[:6]}" for i in range(3)]
    clients = [user.post("/api/v1/clients", json={"name": name}).json()["client"]["id"] for name in names]
    r = user.post("/api/v1/projects", json={"name": "Entries under faults", "client_id": clients[0]})
    assert r.status_code == 201, r.text
    load = WriteLoad(faults.gateway_url, user.headers["X-API-Key"], r.json()["project"]["id"], clients)
    load.answers.projects[clients[0]].append(r.json()["project"]["id"])
    load.start()
    try:
        yield Loaded(faults, load, receiver, user_id, user, admin)
    finally:
        answers = load.stop()
        # what the clients saw, beside the processes' logs, for whoever reads a failure
        (faults.logs / "answers.txt").write_text(
            f"acknowledged entries: {len(answers.entries)}\n"
            + "".join(f"{kind} {status}: {n}\n" for (kind, status), n in sorted(answers.statuses.items(), key=str))
        )
        receiver.close()
        user.close()
        admin.close()
