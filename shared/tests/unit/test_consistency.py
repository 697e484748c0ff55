"""The request side of read-your-writes: which answers say how current they are, and a decision
outside any request (a CLI) that has nothing to catch up with."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.consistency import FreshnessMiddleware, catch_up, note_freshness
from shared.events.catchup import ReplicaSync, owner_of
from shared.events.link import NatsLink
from shared.identity import IdentityCodec
from shared.upstream import Upstream


def sync_without_owners() -> ReplicaSync:
    """No owner deployed: every catch-up is unconfirmed at once (no network involved)."""
    return ReplicaSync(
        link=NatsLink("nats://127.0.0.1:1"),
        upstream=Upstream(IdentityCodec("x" * 32), service="test"),
        owner_urls={},
        durables=[("tracking-clients", "tt.crm.client.>")],
        timeout=1.0,
    )


def app() -> TestClient:
    api = FastAPI()
    api.add_middleware(FreshnessMiddleware, sync=sync_without_owners())

    @api.get("/hit")
    def hit() -> dict:
        return {"decided_on": "the replica row"}

    @api.get("/miss")
    def miss() -> dict:
        return {"first": catch_up("crm"), "second": catch_up("crm")}

    @api.get("/eventual")
    def eventual() -> dict:
        note_freshness("eventual")
        return {}

    return TestClient(api)


def test_an_answer_that_needed_no_catch_up_says_nothing():
    assert "X-TT-Freshness" not in app().get("/hit").headers


def test_an_unconfirmed_catch_up_makes_the_answer_stale():
    r = app().get("/miss")
    assert r.json() == {"first": False, "second": False}
    assert r.headers["X-TT-Freshness"] == "stale"


def test_a_read_that_chose_eventual_says_so():
    assert app().get("/eventual").headers["X-TT-Freshness"] == "eventual"


def test_outside_a_request_the_replica_answer_stands():
    assert catch_up("crm") is False


def test_the_owner_is_the_subject_second_word():
    assert owner_of("tt.crm.client.>") == "crm"
    assert owner_of("tt.tracking.>") == "tracking"
    assert owner_of("other.crm.client") == ""
