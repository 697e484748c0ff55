"""The provider client's retry policy against a real HTTP server on loopback: 429/5xx answers
are retried with backoff (after `Retry-After` when given), at most the configured attempts and
never past the total bound; other answers are returned at once."""

from __future__ import annotations

import time

import httpx
import pytest
from fakes.server import Answer, FakeProvider, Request

from integrations.connectors.outbound import ProviderError, ProviderHttp, retry_after_seconds
from shared.embedded import free_port


class Echo(FakeProvider):
    def handle(self, request: Request) -> Answer:
        return Answer(200, {"ok": True})


@pytest.fixture
def server():
    fake = Echo().start()
    yield fake
    fake.stop()


def client(**overrides) -> ProviderHttp:
    settings = {"timeout": 2.0, "max_attempts": 3, "max_total_seconds": 5.0, "backoff_seconds": 0.01} | overrides
    return ProviderHttp(**settings)


def test_a_rate_limited_call_is_retried_after_retry_after(server):
    server.fail_next("/x", Answer(429, {"message": "slow down"}, {"Retry-After": "1"}))
    started = time.monotonic()
    response = client().request("GET", server.url + "/x")
    assert response.status_code == 200
    assert len(server.received("/x")) == 2
    assert time.monotonic() - started >= 0.9


def test_server_errors_are_retried_up_to_the_attempt_limit_and_the_last_answer_stands(server):
    server.fail_next("/y", *(Answer(503, {"message": "down"}) for _ in range(5)))
    response = client().request("GET", server.url + "/y")
    assert response.status_code == 503
    assert len(server.received("/y")) == 3


def test_a_client_error_is_not_retried(server):
    server.fail_next("/z", Answer(401, {"message": "Bad credentials"}))
    assert client().request("GET", server.url + "/z").status_code == 401
    assert len(server.received("/z")) == 1


def test_a_retry_after_beyond_the_total_bound_is_not_waited_for(server):
    server.fail_next("/w", Answer(429, {}, {"Retry-After": "60"}))
    started = time.monotonic()
    response = client(max_total_seconds=2.0).request("GET", server.url + "/w")
    assert response.status_code == 429
    assert time.monotonic() - started < 1.5
    assert len(server.received("/w")) == 1


def test_an_unreachable_provider_is_a_provider_error_without_the_url():
    url = f"http://127.0.0.1:{free_port()}/revoke?token=very-secret-token"
    with pytest.raises(ProviderError) as failure:
        client(max_attempts=2).request("POST", url)
    assert "very-secret-token" not in str(failure.value)


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "7"})) == 7.0
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after_seconds(httpx.Response(429)) is None
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None
