"""Through a gateway process with small limits (3/min, 5/h) on real Redis: headers, 429 body,
403 before the limiter, login limit per client IP. NATS is unreachable for this gateway."""

import time

import pytest

ME = "/api/v1/users/me"


@pytest.fixture(scope="module")
def limited(make_gateway, nowhere):
    return make_gateway(
        TT_NATS_URL=nowhere.replace("http://", "nats://"),
        TT_RATE_LIMIT_PER_MINUTE="3",
        TT_RATE_LIMIT_PER_HOUR="5",
        TT_LOGIN_RATE_LIMIT_PER_MINUTE="2",
    )


def test_headers_then_429_with_the_spec_body(limited, fake_auth):
    token, _, _ = fake_auth.add_token("read:users")
    responses = [limited.get(ME, token) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-limit"] for r in responses[:3]] == ["3", "3", "3"]
    assert [r.headers["x-ratelimit-remaining"] for r in responses[:3]] == ["2", "1", "0"]
    reset = int(responses[0].headers["x-ratelimit-reset"])
    assert time.time() < reset <= time.time() + 61
    limited_response = responses[3]
    assert limited_response.json() == {
        "success": False,
        "error": "Rate limit exceeded",
        "message": "Request limit reached for this API token; retry after Retry-After seconds.",
        "error_code": "rate_limited",
        "limit_per_minute": 3,
        "limit_per_hour": 5,
        "remaining_per_minute": 0,
        "remaining_per_hour": 2,
    }
    assert 1 <= int(limited_response.headers["retry-after"]) <= 60
    assert limited_response.headers["x-ratelimit-remaining"] == "0"
    assert "access-control-allow-origin" in limited_response.headers


def test_limits_are_per_token(limited, fake_auth):
    first, _, user_id = fake_auth.add_token("read:users")
    second, _, _ = fake_auth.add_token("read:users", user_id=user_id)
    for _ in range(3):
        assert limited.get(ME, first).status_code == 200
    assert limited.get(ME, first).status_code == 429
    assert limited.get(ME, second).status_code == 200


def test_scope_failure_is_403_even_when_exhausted_and_costs_nothing(limited, fake_auth):
    token, _, _ = fake_auth.add_token("read:users")
    for _ in range(5):
        response = limited.get("/api/v1/projects", token)
        assert response.status_code == 403 and "x-ratelimit-limit" not in response.headers
    assert limited.get(ME, token).headers["x-ratelimit-remaining"] == "2"
    limited.get(ME, token)
    limited.get(ME, token)
    assert limited.get(ME, token).status_code == 429
    assert limited.get("/api/v1/projects", token).status_code == 403


def test_401_and_unauthenticated_endpoints_are_not_limited(limited):
    for _ in range(6):
        assert limited.get(ME, "tt_" + "z" * 32).status_code == 401
        assert limited.get("/api/v1/info").status_code == 200
    assert "x-ratelimit-limit" not in limited.get("/api/v1/health").headers


def test_login_has_its_own_per_ip_limit(limited):
    statuses = [limited.request("POST", "/api/v1/auth/login", json={}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    r = limited.request("POST", "/api/v1/auth/login/", json={})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    body = r.json()
    assert body["error_code"] == "rate_limited" and body["error"] == "Rate limit exceeded"
    assert "limit_per_minute" not in body and "remaining_per_hour" not in body


def test_requests_work_without_nats(limited, fake_auth):
    token, _, _ = fake_auth.add_token("read:users")
    assert limited.get(ME, token).status_code == 200
    assert limited.get("/readyz").json()["checks"]["token_events"] is False
