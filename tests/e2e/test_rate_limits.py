"""Per-token sliding-window limits through real gateway processes sharing real Redis."""

import subprocess
import time

import httpx
import pytest
from conftest import gateway_env

from shared.embedded import EmbeddedServices, free_port, wait_for_port

ME = "/api/v1/users/me"


@pytest.fixture(scope="module")
def limited_pair(stack, auth_env, service_process):
    env = gateway_env(auth_env, stack.auth_url, TT_RATE_LIMIT_PER_MINUTE=5, TT_RATE_LIMIT_PER_HOUR=1000)
    return [service_process("gateway.main:create_app", env).url for _ in range(2)]


def test_minute_limit_is_exact_across_two_gateways(limited_pair, make_token):
    token, _, _ = make_token("read:users")
    answers = [httpx.get(limited_pair[i % 2] + ME, headers={"X-API-Key": token}) for i in range(8)]
    assert [r.status_code for r in answers] == [200] * 5 + [429] * 3
    assert [r.headers["X-RateLimit-Remaining"] for r in answers[:5]] == ["4", "3", "2", "1", "0"]
    assert all(r.headers["X-RateLimit-Limit"] == "5" for r in answers)
    reset = int(answers[0].headers["X-RateLimit-Reset"])
    assert time.time() < reset <= time.time() + 61
    refused = answers[5]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    body = refused.json()
    assert body["error_code"] == "rate_limited" and body["error"] == "Rate limit exceeded"
    assert body["limit_per_minute"] == 5 and body["limit_per_hour"] == 1000
    assert body["remaining_per_minute"] == 0 and body["remaining_per_hour"] == 995


def test_hour_window_binds_when_it_is_tighter(stack, auth_env, service_process, make_token):
    env = gateway_env(auth_env, stack.auth_url, TT_RATE_LIMIT_PER_MINUTE=100, TT_RATE_LIMIT_PER_HOUR=3)
    url = service_process("gateway.main:create_app", env).url
    token, _, _ = make_token("read:users")
    answers = [httpx.get(url + ME, headers={"X-API-Key": token}) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert answers[3].json()["remaining_per_hour"] == 0 and answers[3].json()["remaining_per_minute"] == 97


def test_scope_failures_do_not_use_quota(limited_pair, make_token):
    token, _, _ = make_token("read:projects")
    for _ in range(7):
        assert httpx.get(limited_pair[0] + ME, headers={"X-API-Key": token}).status_code == 403
    r = httpx.get(limited_pair[0] + "/api/v1/admin/api-tokens", headers={"X-API-Key": token})
    assert r.status_code == 403
    # the same token still has its whole minute budget for an endpoint it may call
    info = httpx.get(limited_pair[1] + "/api/version/check", headers={"X-API-Key": token})
    assert info.headers.get("X-RateLimit-Remaining") == "4"


def test_login_attempts_are_limited_per_client_address(stack, auth_env, service_process):
    url = service_process("gateway.main:create_app", gateway_env(auth_env, stack.auth_url)).url
    codes = [
        httpx.post(url + "/api/v1/auth/login", json={"username": "admin", "password": "nope"}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    refused = httpx.post(url + "/api/v1/auth/login", json={"username": "admin", "password": "nope"})
    assert refused.json()["error_code"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1


def test_redis_outage_falls_back_to_local_limits_and_recovers(stack, auth_env, service_process, make_token):
    binary = EmbeddedServices.redis_binary()
    if binary is None:
        pytest.skip("no redis-server binary to stop and restart")
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    redis = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    wait_for_port("127.0.0.1", port)
    env = gateway_env(
        auth_env,
        stack.auth_url,
        TT_REDIS_URL=f"redis://127.0.0.1:{port}/0",
        TT_RATE_LIMIT_PER_MINUTE=4,
        TT_RATE_LIMIT_PER_HOUR=1000,
    )
    url = service_process("gateway.main:create_app", env).url
    token, _, _ = make_token("read:users")
    try:
        assert httpx.get(url + ME, headers={"X-API-Key": token}).status_code == 200
        redis.terminate()
        redis.wait()
        codes, slowest = [], 0.0
        for _ in range(8):
            started = time.monotonic()
            codes.append(httpx.get(url + ME, headers={"X-API-Key": token}).status_code)
            slowest = max(slowest, time.monotonic() - started)
        assert 500 not in codes and set(codes) <= {200, 429}
        assert codes.count(200) <= 4 and codes[-1] == 429, codes
        assert slowest < 0.5, f"a request waited {slowest:.3f}s on the dead Redis"

        redis = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        wait_for_port("127.0.0.1", port)
        fresh, _, _ = make_token("read:users")
        deadline = time.monotonic() + 5
        used_redis = False
        while time.monotonic() < deadline and not used_redis:
            httpx.get(url + ME, headers={"X-API-Key": fresh})
            used_redis = (
                int(
                    subprocess.run(
                        [binary.replace("redis-server", "redis-cli"), "-p", str(port), "dbsize"],
                        capture_output=True,
                        text=True,
                    ).stdout.strip()
                    or 0
                )
                > 0
            )
            time.sleep(0.2)
        assert used_redis, "the gateway did not go back to Redis after it returned"
    finally:
        redis.terminate()
