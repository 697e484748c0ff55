"""The event contracts: the checked-in schema of every published subject is the one its
producer's payload model generates (`make contracts` rewrites them), and every subject a
consumer subscribes to is published by someone."""

import importlib
import json
from fnmatch import fnmatch

import pytest

from shared.events.contracts import payload_schema, render, schema_path
from shared.testing.contracts import EVENT_CONTRACTS

PRODUCERS = ("auth.event_payloads", "crm.event_payloads", "tracking.event_payloads", "inventory.event_payloads")
# Subject filters each consumer subscribes to (durables, and the gateway's revocation events).
CONSUMED = {
    "tracking": ("tracking.events", ("AUTH_USER_EVENTS", "CRM_CLIENT_EVENTS")),
    "crm": ("crm.events", ("AUTH_USER_EVENTS", "TRACKING_PROJECT_EVENTS")),
    # one durable over `tt.>` (PLATFORM_EVENTS) that acts on these families only
    "integrations": (
        "integrations.events",
        (
            "TRACKING_TIME_ENTRY_EVENTS",
            "TRACKING_PROJECT_EVENTS",
            "TRACKING_TASK_EVENTS",
            "CRM_CLIENT_EVENTS",
            "AUTH_USER_EVENTS",
        ),
    ),
}


def published() -> dict:
    payloads = {}
    for name in PRODUCERS:
        payloads.update(importlib.import_module(name).PAYLOADS)
    return payloads


@pytest.mark.parametrize("subject", sorted(published()))
def test_the_checked_in_schema_is_the_producers(subject):
    path = schema_path(EVENT_CONTRACTS, subject)
    assert path.exists(), f"{path.name} missing: run make contracts"
    assert path.read_text() == render(payload_schema(subject, published()[subject])), "stale: run make contracts"


def test_no_schema_is_left_for_a_subject_nobody_publishes():
    files = {path.stem for path in EVENT_CONTRACTS.glob("*.json")}
    assert files == set(published()), files ^ set(published())


@pytest.mark.parametrize("consumer", sorted(CONSUMED))
def test_every_subscription_is_fed_by_a_producer(consumer):
    module, names = CONSUMED[consumer]
    events = importlib.import_module(module)
    for name in names:
        pattern = getattr(events, name).replace(">", "*")
        assert any(fnmatch(subject, pattern) for subject in published()), (consumer, name)


def test_schemas_are_closed_objects():
    """A consumer fixture that invents a field fails: the payload's properties are all named."""
    for path in EVENT_CONTRACTS.glob("*.json"):
        assert json.loads(path.read_text())["additionalProperties"] is False, path.name
