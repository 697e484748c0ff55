"""Faults: a backing service stopped, NATS stopped while a revocation commits."""

import asyncio
import json
import subprocess
import time
import uuid

import httpx
import nats
from conftest import REPO, database_url, gateway_env, new_auth_env, run_cli
from sqlalchemy import create_engine, text

from shared.db import drop_database, migrate
from shared.embedded import free_port, wait_for_port

ME = "/api/v1/users/me"


def test_stopped_service_gives_503_in_the_standard_shape(stack, auth_env, service_process):
    auth = service_process("auth.main:create_app", auth_env)
    gateway = service_process("gateway.main:create_app", gateway_env(auth_env, auth.url))
    token = run_cli(auth_env, "create-token", "--user", "admin", "--scopes", "read:users")
    assert httpx.get(gateway.url + ME, headers={"X-API-Key": token}).status_code == 200
    auth.stop()
    for r in (
        httpx.get(gateway.url + ME, headers={"X-API-Key": token}),
        httpx.post(gateway.url + "/api/v1/auth/login", json={"username": "a", "password": "b"}),
    ):
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["success"] is False and body["error_code"] == "service_unavailable"
    health = httpx.get(gateway.url + "/api/v1/health").json()
    assert health["status"] == "healthy" and health["services"]["auth"] == "unavailable"


def _nats_server(binary: str, port: int, store) -> subprocess.Popen:
    proc = subprocess.Popen(
        [binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port("127.0.0.1", port)
    return proc


def _revocations(url: str, token_id: int) -> list[dict]:
    async def read() -> list[dict]:
        nc = await nats.connect(url)
        js = nc.jetstream()
        sub = await js.subscribe("tt.auth.api_token.revoked", ordered_consumer=True)
        found = []
        try:
            while True:
                msg = await sub.next_msg(timeout=1)
                event = json.loads(msg.data)
                if event["data"].get("token_id") == token_id:
                    found.append(event)
        except nats.errors.TimeoutError:
            pass
        await nc.close()
        return found

    return asyncio.run(read())


def test_revocation_committed_while_nats_is_down_is_delivered_once_after(
    infra_urls, identity_secret, service_process, tmp_path
):
    import shutil
    import sys
    from pathlib import Path

    binary = str(Path(sys.executable).parent / "nats-server")
    binary = binary if Path(binary).exists() else shutil.which("nats-server")
    port = free_port()
    url = f"nats://127.0.0.1:{port}"
    server = _nats_server(binary, port, tmp_path)
    env = {**new_auth_env(infra_urls, identity_secret), "TT_NATS_URL": url}
    auth = service_process("auth.main:create_app", env)
    gateway = service_process("gateway.main:create_app", gateway_env(env, auth.url))
    run_cli(env, "bootstrap")
    token = run_cli(env, "create-token", "--user", "admin", "--scopes", "admin:all")
    headers = {"X-API-Key": token}
    victim = httpx.post(
        gateway.url + "/api/v1/admin/api-tokens",
        headers=headers,
        json={"name": "victim", "user_id": 1, "scopes": "read:users"},
    ).json()
    try:
        server.terminate()
        server.wait()
        r = httpx.delete(f"{gateway.url}/api/v1/admin/api-tokens/{victim['token_id']}", headers=headers)
        assert r.status_code == 200, "the revoke commits although NATS is down"
        engine = create_engine(env["TT_AUTH_DATABASE_URL"])
        with engine.connect() as conn:
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM outbox WHERE published_at IS NULL "
                    "AND subject = 'tt.auth.api_token.revoked' AND payload->'data'->>'token_id' = :t"
                ),
                {"t": str(victim["token_id"])},
            )
        assert waiting == 1
        time.sleep(1.5)  # the relay retries against the dead server meanwhile
        server = _nats_server(binary, port, tmp_path)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                left = conn.scalar(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
            if left == 0:
                break
            time.sleep(0.2)
        engine.dispose()
        assert left == 0, "the outbox did not drain after NATS came back"
        events = _revocations(url, victim["token_id"])
        assert len(events) == 1, events
        assert events[0]["type"] == "tt.auth.api_token.revoked"
    finally:
        server.terminate()
        auth.stop()
        drop_database(env["TT_AUTH_DATABASE_URL"])


def test_crm_down_then_back_keeps_its_data_and_catches_up_on_missed_user_events(
    stack, auth_env, crm_env, service_process, make_token
):
    """A CRM process of its own (own database and durable consumers): while it is down the
    gateway answers 503 for CRM routes only; a user created meanwhile reaches its replica from
    the stream once it is back."""
    db = database_url(crm_env["TT_DATABASE_URL"], f"tt_faults_crm_{uuid.uuid4().hex[:8]}")
    migrate(REPO / "services" / "crm", db)
    env = {**crm_env, "TT_CRM_DATABASE_URL": db, "TT_NATS_DURABLE_PREFIX": f"faults-{uuid.uuid4().hex[:8]}-"}
    try:
        crm = service_process("crm.main:create_app", env)
        gateway = service_process("gateway.main:create_app", gateway_env(auth_env, stack.auth_url, TT_CRM_URL=crm.url))
        admin = {"X-API-Key": stack.admin_token}
        r = httpx.post(gateway.url + "/api/v1/clients", json={"name": f"Kept {uuid.uuid4().hex[:6]}"}, headers=admin)
        assert r.status_code == 201
        kept = r.json()["client"]["id"]

        crm.stop()
        r = httpx.get(gateway.url + "/api/v1/clients", headers=admin)
        assert r.status_code == 503 and r.json()["error_code"] == "service_unavailable"
        assert httpx.get(gateway.url + ME, headers=admin).status_code == 200
        token, _, user = make_token("read:clients,write:clients")  # its user.created event is missed

        service_process("crm.main:create_app", env, port=crm.port)
        assert httpx.get(f"{gateway.url}/api/v1/clients/{kept}", headers=admin).status_code == 200
        mine = {"X-API-Key": token}
        own = httpx.post(gateway.url + "/api/v1/clients", json={"name": f"Own {uuid.uuid4().hex[:6]}"}, headers=mine)
        note = httpx.post(f"{gateway.url}/api/v1/clients/{own.json()['client']['id']}/notes", json={"content": "hi"},
                          headers=mine).json()["note"]  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            author = httpx.get(f"{gateway.url}/api/v1/client-notes/{note['id']}", headers=mine).json()["note"]["author"]
            if author == user["username"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert author == user["username"]
    finally:
        drop_database(db)


def test_search_with_crm_stopped_answers_the_other_domains_as_partial(stack, crm_env, service_process):
    """A CRM process of its own behind a reporting process of its own: once CRM stops, the
    global search still returns tracking's hits, with `partial: true` and `errors.clients`."""
    crm = service_process("crm.main:create_app", crm_env)
    reporting = service_process("reporting.main:create_app", {**stack.reporting_env, "TT_CRM_URL": crm.url})
    gateway = service_process(
        "gateway.main:create_app",
        gateway_env(stack.env, stack.auth_url, TT_CRM_URL=crm.url, TT_TRACKING_URL=stack.tracking_url,
                    TT_REPORTING_URL=reporting.url),
    )  # fmt: skip
    admin = {"X-API-Key": stack.admin_token}
    word = uuid.uuid4().hex[:10]
    client = httpx.post(gateway.url + "/api/v1/clients", json={"name": f"Client {word}"}, headers=admin).json()
    r = httpx.post(gateway.url + "/api/v1/projects", headers=admin,
                   json={"name": f"Project {word}", "client_id": client["client"]["id"]})  # fmt: skip
    assert r.status_code == 201, r.text
    both = httpx.get(gateway.url + "/api/v1/search", params={"q": word}, headers=admin).json()
    assert [hit["type"] for hit in both["results"]] == ["project", "client"] and both["partial"] is False

    crm.stop()
    started = time.monotonic()
    r = httpx.get(gateway.url + "/api/v1/search", params={"q": word}, headers=admin)
    assert r.status_code == 200 and time.monotonic() - started < 2.5
    body = r.json()
    assert [hit["type"] for hit in body["results"]] == ["project"]
    assert body["partial"] is True and set(body["errors"]) == {"clients"}


def test_with_an_owner_stopped_decisions_fall_back_to_the_replica_within_the_timeout(
    stack, crm_env, tracking_env, service_process
):
    """CRM and tracking processes of their own that know each other. With CRM stopped, tracking
    still accepts a client its replica has (no wait) and refuses an unknown one from its replica
    within the catch-up timeout, saying `stale`; with tracking stopped, CRM's delete guard
    decides on its project replica the same way. No 500, no hang."""
    crm_port, tracking_port = free_port(), free_port()
    urls = {"TT_AUTH_URL": stack.auth_url, "TT_CRM_URL": f"http://127.0.0.1:{crm_port}",
            "TT_TRACKING_URL": f"http://127.0.0.1:{tracking_port}"}  # fmt: skip
    crm = service_process("crm.main:create_app", {**crm_env, **urls}, port=crm_port)
    tracking = service_process("tracking.main:create_app", {**tracking_env, **urls}, port=tracking_port)
    gateway = service_process("gateway.main:create_app", gateway_env(stack.env, stack.auth_url, **urls))
    admin = {"X-API-Key": stack.admin_token}

    def post(path: str, body: dict) -> httpx.Response:
        return httpx.post(gateway.url + path, json=body, headers=admin, timeout=10)

    known = post("/api/v1/clients", {"name": f"Known {uuid.uuid4().hex[:6]}"}).json()["client"]
    lone = post("/api/v1/clients", {"name": f"Lone {uuid.uuid4().hex[:6]}"}).json()["client"]
    assert post("/api/v1/projects", {"name": "Before the fault", "client_id": known["id"]}).status_code == 201

    crm.stop()
    started = time.monotonic()
    hit = post("/api/v1/projects", {"name": "On a known client", "client_id": known["id"]})
    assert hit.status_code == 201 and "X-TT-Freshness" not in hit.headers
    assert time.monotonic() - started < 0.5
    started = time.monotonic()
    miss = post("/api/v1/projects", {"name": "On an unknown client", "client_id": 987654321})
    elapsed = time.monotonic() - started
    assert miss.status_code == 400 and miss.json()["error_code"] == "invalid_client", miss.text
    assert miss.headers["X-TT-Freshness"] == "stale"
    assert elapsed < 2.0, elapsed  # the default catch-up timeout is 1 s

    service_process("crm.main:create_app", {**crm_env, **urls}, port=crm_port)
    tracking.stop()
    started = time.monotonic()
    deleted = httpx.delete(f"{gateway.url}/api/v1/clients/{lone['id']}", headers=admin, timeout=10)
    assert deleted.status_code == 200 and deleted.headers["X-TT-Freshness"] == "stale", deleted.text
    guarded = httpx.delete(f"{gateway.url}/api/v1/clients/{known['id']}", headers=admin, timeout=10)
    assert guarded.status_code == 409 and guarded.headers["X-TT-Freshness"] == "stale", guarded.text
    assert time.monotonic() - started < 4.0
