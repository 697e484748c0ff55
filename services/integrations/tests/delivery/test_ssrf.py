"""Never an internal address (TT_WEBHOOK_ALLOW_PRIVATE_TARGETS off): loopback, private and
link-local targets — by name after DNS resolution, or by literal address — and redirects to
them are refused as connection errors, and nothing reaches the receiver."""

from __future__ import annotations

import asyncio
import ipaddress
import time

import pytest
from sqlalchemy import select

from integrations.delivery import ssrf
from integrations.delivery.sender import AttemptRequest, Sender
from integrations.models import WebhookDelivery


def attempt(url: str, timeout: int = 3) -> AttemptRequest:
    return AttemptRequest(
        delivery_id=1,
        webhook_id=1,
        event_type="client.created",
        message_id="msg_x",
        method="POST",
        url=url,
        content_type="application/json",
        custom_headers={},
        timeout_seconds=timeout,
        body=b"{}",
        secret="s",
    )


def send(sender: Sender, url: str):
    async def run():
        try:
            return await sender.send(attempt(url))
        finally:
            await sender.close()

    return asyncio.run(run())


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "10.255.255.1", "169.254.169.254", "0.0.0.0"])
def test_internal_targets_are_refused_and_nothing_is_sent(receiver, host):
    url = f"http://{host}:{receiver.port}/hook"
    outcome = send(Sender(allow_private=False, max_redirects=5), url)
    assert outcome.error_type == "connection_error" and "non-public address" in outcome.error_message
    assert outcome.error_message.startswith("Connection error: ") and outcome.status_code is None
    assert receiver.requests == []


def test_the_operator_may_allow_private_targets(receiver):
    outcome = send(Sender(allow_private=True, max_redirects=5), receiver.url())
    assert outcome.succeeded and len(receiver.requests) == 1


@pytest.fixture
def only_127_0_0_1_is_public(monkeypatch):
    """Pretend 127.0.0.1 were a public address (so a first hop is allowed) — every other
    address keeps its real verdict."""
    real = ssrf.is_forbidden
    monkeypatch.setattr(ssrf, "is_forbidden", lambda ip: ip != ipaddress.ip_address("127.0.0.1") and real(ip))


@pytest.mark.usefixtures("only_127_0_0_1_is_public")
def test_a_redirect_to_an_internal_address_is_refused(receiver, inner_receiver):
    for n, target in enumerate([inner_receiver.url(), "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data"]):
        receiver.redirect(f"/hop{n}", target)
        outcome = send(Sender(allow_private=False, max_redirects=5), receiver.url(f"/hop{n}"))
        assert outcome.error_type == "connection_error" and "non-public address" in outcome.error_message, outcome
    assert len(receiver.requests) == 3 and inner_receiver.requests == []


def test_redirects_are_followed_and_bounded(receiver, inner_receiver):
    receiver.redirect("/start", inner_receiver.url("/final"))
    outcome = send(Sender(allow_private=True, max_redirects=5), receiver.url("/start"))
    assert outcome.succeeded and [r.path for r in inner_receiver.requests] == ["/final"]
    receiver.redirect("/loop", receiver.url("/loop"))
    looped = send(Sender(allow_private=True, max_redirects=2), receiver.url("/loop"))
    assert looped.error_type == "http_error" and looped.status_code == 302
    assert len(receiver.at("/loop")) == 3  # the first request and two redirects


def test_a_name_is_checked_on_the_address_it_resolves_to(monkeypatch, receiver):
    """DNS answers decide, and the connection goes to the checked address: a public-looking
    name that resolves to loopback is refused."""

    async def resolve(host, port):
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(ssrf, "resolve", resolve)
    outcome = send(Sender(allow_private=False, max_redirects=5), f"http://hooks.example.com:{receiver.port}/hook")
    assert outcome.error_type == "connection_error" and "hooks.example.com" in outcome.error_message
    assert receiver.requests == []


def test_the_worker_refuses_internal_targets(running_app, receiver, subscribe, publish, committed):
    """Through the whole path, the flag off: a subscription naming loopback by host name (the
    create check only refuses literal addresses) gets connection errors, the receiver nothing."""
    hook_id, _ = subscribe(f"http://localhost:{receiver.port}/hook", max_retries=0)
    with running_app(webhook_allow_private_targets=False) as client:
        publish("tt.crm.client.created", {"id": 3, "name": "C"}, notify=client.app.state.webhook_worker.notify)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with committed() as s:
                row = s.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook_id)).first()
            if row is not None and row.status == "failed":
                break
            time.sleep(0.02)
    assert row.status == "failed" and row.error_type == "connection_error"
    assert "non-public address" in row.error_message and receiver.requests == []
