"""Secrets never leave where they belong (CONVENTIONS §2.1, integrations.md §2.3): after the flows
that handle them — tokens minted, logins with right and wrong passwords, a refused unknown token,
webhooks created and their secret regenerated, GitHub, Slack and Google connected through the
fakes — no token, password or provider/webhook secret appears in any process log of the stack
(all at DEBUG), any error body the security suites received, any message of the NATS streams, or
any process's /metrics. The register also holds every secret the other security files created,
so this file runs last (file order) and greps what the whole suite captured."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import nats
import pytest
from conftest import ADMIN_PASSWORD, GOOGLE_CLIENT_SECRET
from nats.js.api import ConsumerConfig, DeliverPolicy

from shared.events.link import DEAD_LETTER_STREAM

STREAMS = ("TT", DEAD_LETTER_STREAM)


@pytest.fixture(scope="module")
def flows(stack, api, captured, fake_github, fake_slack, fake_google, webhook_receiver) -> None:
    secrets = captured.secrets
    secrets.update({ADMIN_PASSWORD, GOOGLE_CLIENT_SECRET, stack.env["TT_IDENTITY_SECRET"]})
    secrets.update(k for k in stack.integrations_env["TT_ENCRYPTION_KEYS"].split(",") if k)
    user = api.user()
    token, _ = api.token(user)
    with api.client() as anonymous:
        r = anonymous.post("/api/v1/auth/login", json={"username": user["username"], "password": user["password"]})
        assert r.status_code == 200, r.text
        secrets.add(r.json()["token"])
        for wrong in (f"wrong-{uuid.uuid4().hex}", user["password"] + "x"):
            secrets.add(wrong)
            r = anonymous.post("/api/v1/auth/login", json={"username": user["username"], "password": wrong})
            assert r.status_code == 401
        unknown = "tt_" + uuid.uuid4().hex[:32]
        secrets.add(unknown)
        assert anonymous.get("/api/v1/users/me", headers={"Authorization": f"Bearer {unknown}"}).status_code == 401

    with api.client(token) as c:
        r = c.post("/api/v1/webhooks", json={"name": "s", "url": f"{webhook_receiver.url}/s", "events": ["*"]})
        assert r.status_code == 201, r.text
        hook = r.json()["webhook"]
        secrets.add(hook["secret"])
        r = c.put(f"/api/v1/webhooks/{hook['id']}", json={"generate_secret": True})
        assert r.status_code == 200 and r.json()["webhook"]["secret"] != hook["secret"], r.text
        secrets.add(r.json()["webhook"]["secret"])
        assert c.post(f"/api/v1/webhooks/{hook['id']}/test").status_code == 200

        pat = f"ghp-{uuid.uuid4().hex}"
        fake_github.add_token(pat, f"gh-{uuid.uuid4().hex[:8]}")
        hook_secret = uuid.uuid4().hex
        secrets.update({pat, hook_secret})
        github = {"github_token": pat, "repo_owner": "acme", "repo_name": "r", "webhook_secret": hook_secret}
        r = c.post("/api/integrations/github/config", json=github)
        assert r.status_code == 200, r.text
        assert c.post("/api/integrations/github/test").status_code == 200

        bot, signing = f"xoxb-{uuid.uuid4().hex}", uuid.uuid4().hex
        fake_slack.add_bot_token(bot)
        secrets.update({bot, signing})
        r = c.post("/api/integrations/slack/config", json={"bot_token": bot, "signing_secret": signing,
                                                           "channel_id": "CSECRETS"})  # fmt: skip
        assert r.status_code == 200, r.text
        assert c.post("/api/integrations/slack/test").status_code == 200

        email = f"{user['username']}@example.com"
        url = c.get("/integrations/google/connect", headers={"Accept": "application/json"}).json()["authorization_url"]
        consent = httpx.get(f"{url}&{urlencode({'login_hint': email})}", follow_redirects=False)
        assert consent.status_code == 302, consent.text
        back = consent.headers["location"]
        secrets.add(parse_qs(urlsplit(back).query)["code"][0])
        assert httpx.get(back, follow_redirects=False).status_code == 302
        assert c.get("/api/integrations/google/status").json()["connected"] is True
        for grant in fake_google.grants_of(email):
            secrets.update({grant.refresh_token, *grant.access_tokens})
    # every token the fake GitHub was shown is a secret too
    for request in fake_github.received():
        if auth := request.headers.get("authorization"):
            secrets.add(auth.split()[-1])


def stream_messages(nats_url: str) -> list[str]:
    async def read() -> list[str]:
        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            out: list[str] = []
            for stream in STREAMS:
                try:
                    info = await js.stream_info(stream)
                except nats.js.errors.NotFoundError:
                    continue
                total = info.state.messages
                if not total:
                    continue
                config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
                sub = await js.pull_subscribe(">", stream=stream, config=config)
                while len(out) < total:
                    try:
                        batch = await sub.fetch(1000, timeout=2)
                    except TimeoutError:
                        break
                    for msg in batch:
                        out.append(msg.data.decode("utf-8", "replace") + " " + repr(msg.headers))
                        await msg.ack()
                await sub.unsubscribe()
            return out
        finally:
            await nc.close()

    return asyncio.run(read())


def leaks(secrets: set[str], where: dict[str, str]) -> list[str]:
    return [f"{place} holds {secret[:6]}…" for place, text in where.items() for secret in secrets if secret in text]


def test_no_secret_in_logs_error_bodies_events_or_metrics(stack, captured, flows):
    secrets = {s for s in captured.secrets if s and len(s) >= 8}
    assert len(secrets) > 20, "the security flows registered too few secrets to prove anything"
    logs = sorted(Path(stack.gateway_log).parent.glob("*.log"))
    assert len(logs) >= 7, logs  # six services and the gateway
    where = {f"log {p.name}": p.read_text(errors="replace") for p in logs}
    assert any("DEBUG" in text for text in where.values()), "the stack does not log at DEBUG"
    where["error bodies"] = "\n".join(captured.error_bodies)
    assert captured.error_bodies, "the suites captured no error body"
    events = stream_messages(stack.env["TT_NATS_URL"])
    assert events, "no event read from the streams"
    where["NATS events"] = "\n".join(events)
    urls = [stack.gateway_metrics_url] + [
        f"{u}/metrics"
        for u in (
            stack.auth_url,
            stack.crm_url,
            stack.tracking_url,
            stack.inventory_url,
            stack.reporting_url,
            stack.integrations_url,
        )  # fmt: skip
    ]
    for url in urls:
        r = httpx.get(url, timeout=10)
        assert r.status_code == 200, url
        where[url] = r.text
    found = leaks(secrets, where)
    assert not found, "\n".join(found)
