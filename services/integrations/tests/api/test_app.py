"""The service as a process: migrations, probes, its consumer, start and stop."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient

from integrations.consumers import apply_user_event, deliver_event
from integrations.events import PLATFORM_EVENTS, TRACKING_TIME_ENTRY_EVENTS, WEBHOOKS_DURABLE
from integrations.main import create_app
from integrations.models import KnownUser, WebhookDelivery, metadata
from integrations.slack.notifications import DURABLE as SLACK_DURABLE
from shared.events import EventEnvelope
from shared.testing.contracts import example_payload


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok", "service": "integrations"}


def test_one_durable_over_the_platform_subjects(app):
    [consumer] = [c for c in app.state.consumers if c.name.endswith(WEBHOOKS_DURABLE)]
    assert consumer.subject == PLATFORM_EVENTS


def test_slack_notifications_read_the_time_entry_events(app):
    [consumer] = [c for c in app.state.consumers if c.name.endswith(SLACK_DURABLE)]
    assert consumer.subject == TRACKING_TIME_ENTRY_EVENTS
    assert len(app.state.consumers) == 2


def test_starts_and_stops_with_its_worker(worker_settings):
    app = create_app(worker_settings())
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert app.state.webhook_worker._loop is not None
    assert app.state.webhook_worker._loop is None


def user_event(subject: str, **data) -> EventEnvelope:
    return EventEnvelope(type=subject, source="auth", entity_id=str(data["id"]), data=example_payload(subject, **data))


def test_user_events_feed_the_replica_and_are_webhook_events(session, make_webhook):
    hook = make_webhook(events=["user.created"])
    created = user_event("tt.auth.user.created", id=41, username="ann", full_name="Ann B", display_name="Ann B")
    assert deliver_event(session, created) == 1
    assert session.get(KnownUser, 41).display_name == "Ann B"
    apply_user_event(session, user_event("tt.auth.user.updated", id=41, username="ann2", display_name="Ann C"))
    assert session.get(KnownUser, 41).username == "ann2"
    [delivery] = session.query(WebhookDelivery).filter_by(webhook_id=hook.id).all()
    assert delivery.event_type == "user.created" and delivery.status == "pending" and delivery.due_at is not None


def test_events_outside_the_catalogue_and_inactive_or_newer_subscriptions_get_nothing(session, make_webhook):
    from datetime import timedelta

    make_webhook(events=["*"], is_active=False)
    event = EventEnvelope(
        type="tt.tracking.approval.approved", source="tracking", data=example_payload("tt.tracking.approval.approved")
    )
    assert deliver_event(session, event) == 0
    late = make_webhook(events=["*"])
    old = EventEnvelope(
        type="tt.crm.client.created",
        source="crm",
        data=example_payload("tt.crm.client.created", id=1, name="A"),
        occurred_at=late.created_at - timedelta(seconds=1),
    )
    assert deliver_event(session, old) == 0  # the subscription did not exist when it happened


def test_a_batch_gets_the_deliveries_of_its_events_one_at_a_time(session, make_webhook):
    """The batch path reads the subscriptions once; each event still gets exactly the
    subscriptions that take its name (or `*`) and existed when it happened."""
    from datetime import timedelta

    from integrations.consumers import deliver_events

    clients = make_webhook(events=["client.created"])
    everything = make_webhook(events=["*"])
    make_webhook(events=["client.created"], is_active=False)
    make_webhook(events=["project.created"])

    def client_event(n: int, **extra) -> EventEnvelope:
        subject = "tt.crm.client.created"
        return EventEnvelope(type=subject, source="crm", data=example_payload(subject, id=n, name=f"C{n}"), **extra)

    before_all = client_event(1, occurred_at=clients.created_at - timedelta(seconds=1))
    batch = [client_event(2), before_all, client_event(3)]
    batch.append(EventEnvelope(type="tt.tracking.approval.approved", source="tracking", data={}))  # not a webhook event
    assert deliver_events(session, batch) == 4
    got = {(d.event_id, d.webhook_id) for d in session.query(WebhookDelivery)}
    assert got == {(e.id, hook.id) for e in (batch[0], batch[2]) for hook in (clients, everything)}


def test_a_non_admins_subscription_receives_only_the_events_its_owner_caused(session, make_webhook):
    own = make_webhook(user_id=77, owner_is_admin=False)

    def client_created(actor: int | None) -> EventEnvelope:
        data = example_payload("tt.crm.client.created", id=5, name="C")
        return EventEnvelope(type="tt.crm.client.created", source="crm", data=data,
                             actor=None if actor is None else {"user_id": actor})  # fmt: skip

    mine, theirs, system = client_created(77), client_created(78), client_created(None)
    for event in (mine, theirs, system):
        deliver_event(session, event)
    assert [d.event_id for d in session.query(WebhookDelivery).filter_by(webhook_id=own.id)] == [mine.id]
