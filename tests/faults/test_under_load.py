"""Faults with real processes under a steady write load, in sequence on one private platform
(`conftest.py`): the tests run in file order, each starting from where the last left it.

After each fault (or a group whose separate checks would be redundant): every write acknowledged
to a client is at its owner, every event is applied once in every consumer, no client saw a 500,
and a dependency that was down gave the standard 503."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from faults.consistency import assert_consistent, counts
from sqlalchemy import create_engine, text

NATS_FROZEN_SECONDS = 60
# the first test's setup starts the whole platform: minutes on a machine shared with other suites
pytestmark = pytest.mark.timeout(420)
# one route each service owns, read by the admin
PROBES = {
    "auth": "/api/v1/users/me",
    "crm": "/api/v1/clients",
    "tracking": "/api/v1/projects",
    "inventory": "/api/v1/inventory/warehouses",
    "reporting": "/api/v1/reports/summary",
    "integrations": "/api/v1/webhooks",
}


@pytest.fixture(scope="module")
def clock() -> dict[str, float]:
    """When the NATS freeze began: the tests during it share the one 60 s outage."""
    return {}


def check(loaded, timeout: float = 30.0) -> None:
    answers = loaded.load.pause()
    try:
        assert_consistent(loaded.user, loaded.admin, loaded.user_id, answers, loaded.receiver, timeout=timeout)
    finally:
        loaded.load.resume()


def assert_unavailable(r: httpx.Response, service: str) -> None:
    assert r.status_code == 503, r.text
    body = r.json()
    assert (body["success"], body["error"], body["error_code"]) == (False, "Service unavailable", "service_unavailable")
    # auth down: the proxy's answer, or token introspection's when the token is not cached
    names = {service, "authentication"} if service == "auth" else {service}
    assert body["message"] in {f"The {name} service is unavailable" for name in names}, body


def limiter_mode(loaded) -> str:
    port = loaded.stack.processes["gateway"].env["TT_GATEWAY_METRICS_PORT"]
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    return re.search(r'^tt_rate_limit_backend\{mode="([a-z-]+)"\} 1\.0$', metrics, re.M).group(1)


def wait_until(what: str, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def connection_errors(answers) -> int:
    return sum(n for status, n in counts(answers, "entry").items() if isinstance(status, str))


def test_the_load_is_answered_and_consistent_before_any_fault(loaded):
    loaded.load.acknowledged_after(20)
    check(loaded)


def test_writes_are_answered_while_nats_is_frozen(loaded, clock):
    """SIGSTOP: NATS holds its connections open and answers nothing, the worst kind of outage."""
    loaded.stack.nats.freeze()
    clock["frozen"] = time.monotonic()
    loaded.load.acknowledged_after(50)
    started = time.monotonic()
    r = loaded.user.get("/api/v1/reports/summary", params={"start_date": "2024-01-01", "end_date": "2030-12-31"})
    assert r.status_code == 200 and r.headers["X-TT-Freshness"] == "stale", (r.status_code, r.headers)
    assert time.monotonic() - started < 5


def test_redis_killed_and_restarted_the_limits_fall_back_and_come_back(loaded):
    """DESIGN: a gateway counts alone while Redis is away (requests keep flowing), then goes back."""
    redis = loaded.stack.redis
    assert limiter_mode(loaded) == "redis"
    redis.kill()
    loaded.load.acknowledged_after(20)
    r = loaded.user.get("/api/v1/projects")
    assert r.status_code == 200 and int(r.headers["X-RateLimit-Limit"]) > 0
    wait_until("the limiter reports its fallback", lambda: limiter_mode(loaded) == "local-fallback")
    redis.start()
    wait_until("the limiter goes back to Redis", lambda: limiter_mode(loaded) == "redis")
    loaded.load.acknowledged_after(20)


def test_gateway_killed_with_requests_in_flight_loses_and_doubles_nothing(loaded):
    """Eight entries in flight and the load's own when the gateway dies: each client sees a
    connection error and retries with its Idempotency-Key once the gateway is back; the
    consistency check then finds each entry exactly once."""
    load = loaded.load
    before, cut_before = len(load.answers.entries), connection_errors(load.answers)
    with ThreadPoolExecutor(8) as burst:
        sent = [burst.submit(load.write_entry) for _ in range(8)]
        time.sleep(0.05)
        loaded.stack.kill("gateway")
        loaded.stack.restart("gateway")
        for future in sent:
            future.result()
    assert connection_errors(load.answers) > cut_before, "no client saw the gateway go"
    assert len(load.answers.entries) >= before + 8


@pytest.mark.parametrize("service", [name for name in PROBES if name != "reporting"])
def test_service_killed_the_gateway_answers_503_for_its_routes_until_it_is_back(loaded, service):
    """While NATS is still frozen, so each comes back without it (reporting's turn is below).
    The consistency check after the thaw covers what they consumed and published."""
    loaded.stack.kill(service)
    assert_unavailable(loaded.admin.get(PROBES[service]), service)
    loaded.stack.restart(service)
    assert loaded.admin.get(PROBES[service]).status_code == 200


def test_nats_thawed_after_60s_the_backlog_reaches_every_consumer_once_despite_reporting_killed_mid_apply(
    loaded, clock
):
    """Reporting is killed -9 while it applies the minute's backlog, then restarted: its
    applied-event ledger commits with the rows, so the redelivered part changes nothing twice."""
    stack = loaded.stack
    time.sleep(max(0.0, clock["frozen"] + NATS_FROZEN_SECONDS - time.monotonic()))
    engine = create_engine(stack.processes["reporting"].env["TT_REPORTING_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            before = conn.scalar(text("SELECT count(*) FROM entries"))
        stack.nats.thaw()
        wait_until("reporting starts on the backlog", lambda: _count(engine) > before, timeout=30)
        stack.kill("reporting")
        applied = _count(engine)
    finally:
        engine.dispose()
    backlog = len(loaded.load.answers.entries) - before
    assert applied - before < backlog, f"killed after the backlog: {applied - before} of {backlog}"
    assert_unavailable(loaded.admin.get(PROBES["reporting"]), "reporting")
    stack.restart("reporting")
    check(loaded, timeout=60)


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM entries"))


def test_nats_killed_and_restarted_loses_no_event(loaded):
    nats = loaded.stack.nats
    nats.kill()
    loaded.load.acknowledged_after(30)
    nats.start()
    loaded.load.acknowledged_after(30)
    check(loaded)


def test_postgres_crashed_and_restarted_services_answer_503_meanwhile_then_recover(loaded):
    """The embedded server hosts every service's database (as `make run` does), so this one
    restart takes each service's PostgreSQL away at once."""
    postgres = loaded.stack.postgres
    refused = counts(loaded.load.answers, "entry")[503]
    postgres.crash()
    try:
        r = loaded.user.post("/api/v1/clients", json={"name": "While the database is down"})
        assert r.status_code == 503 and r.json()["error_code"] == "service_unavailable", r.text
        assert r.headers["Retry-After"] == "1"
        wait_until("the load meets the outage", lambda: counts(loaded.load.answers, "entry")[503] > refused)
    finally:
        postgres.start()
    loaded.load.acknowledged_after(30, timeout=60)
    check(loaded)
