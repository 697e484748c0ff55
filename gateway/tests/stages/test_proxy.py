"""Through a gateway process: what reaches the service and what comes back, and the 5xx the
gateway answers for services that are down (503), slow (504) or broken (502)."""

import time

import httpx


def test_method_query_body_and_headers_reach_the_service(gateway, fake_auth):
    token, _, _ = fake_auth.add_token("write:projects")
    r = gateway.request(
        "PUT",
        "/api/v1/projects/9?notify=true&tag=a&tag=b",
        token,
        content=b'{"name": "x"}',
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": "k1",
            "Connection": "keep-alive, X-Hop",
            "X-Hop": "drop-me",
            "Te": "trailers",
        },
    )
    echoed = r.json()
    assert (echoed["method"], echoed["path"], echoed["query"]) == (
        "PUT",
        "/api/v1/projects/9",
        "notify=true&tag=a&tag=b",
    )
    assert echoed["body"] == '{"name": "x"}'
    headers = echoed["headers"]
    assert headers["content-type"] == "application/json" and headers["idempotency-key"] == "k1"
    assert headers["content-length"] == "13"
    assert "x-hop" not in headers and "te" not in headers
    assert headers["x-forwarded-proto"] == "http" and headers["x-forwarded-host"].startswith("127.0.0.1:")


def test_empty_bodied_post_and_delete(gateway, fake_auth):
    token, _, _ = fake_auth.add_token("write:projects")
    r = gateway.request("POST", "/api/v1/projects", token)
    assert r.status_code == 200 and r.json()["body"] == "" and r.json()["headers"]["content-length"] == "0"
    assert gateway.request("DELETE", "/api/v1/projects/3", token).json()["method"] == "DELETE"


def test_large_request_body(gateway, fake_auth):
    token, _, _ = fake_auth.add_token("write:projects")
    payload = b'"' + b"a" * 300_000 + b'"'
    r = gateway.request("POST", "/api/v1/projects", token, content=payload)
    assert len(r.json()["body"]) == len(payload)


def test_streamed_response_arrives_whole(gateway, fake_auth):
    token, _, _ = fake_auth.add_token("read:projects")
    r = gateway.get("/api/v1/stream", token)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.content == b"".join((f"{i:04d}" * 256).encode() for i in range(50))
    assert r.headers["x-ratelimit-limit"] == "10000"


def test_keep_alive_connections_are_reused_without_errors(gateway, fake_auth):
    token, _, _ = fake_auth.add_token("read:projects")
    with httpx.Client(base_url=gateway.url, headers={"X-API-Key": token}) as client:
        statuses = {client.get(f"/api/v1/projects/{i}").status_code for i in range(200)}
    assert statuses == {200}


def test_slow_service_is_504(gateway, fake_auth):
    token, _, _ = fake_auth.add_token("read:projects")
    started = time.monotonic()
    r = gateway.get("/api/v1/slow?seconds=3", token)
    assert time.monotonic() - started < 2
    assert r.status_code == 504 and r.json()["error_code"] == "gateway_timeout"
    assert gateway.get("/api/v1/slow?seconds=0", token).status_code == 200  # the pool recovered


def test_broken_service_is_502(gateway, fake_auth):
    token, _, _ = fake_auth.add_token("read:*")
    r = gateway.get("/api/v1/inventory/garbage", token)
    assert r.status_code == 502 and r.json()["error_code"] == "bad_gateway"
    assert r.headers["content-type"] == "application/json"


def test_service_down_after_routes_loaded_is_503(make_gateway, fake_auth, nowhere):
    gw = make_gateway(TT_AUTH_URL=fake_auth.url, TT_TRACKING_URL=nowhere)
    token, _, _ = fake_auth.add_token("read:*")
    r = gw.get("/api/v1/projects", token)  # tracking never answered: owner prefix → 503
    assert r.status_code == 503 and r.json()["error_code"] == "service_unavailable"


def test_auth_down_is_503_not_401(make_gateway, nowhere, fake_backend):
    gw = make_gateway(TT_AUTH_URL=nowhere, TT_TRACKING_URL=fake_backend)
    r = gw.get("/api/v1/projects", "tt_" + "q" * 32)
    assert r.status_code == 503 and r.json()["error_code"] == "service_unavailable"
    assert gw.get("/readyz").status_code == 503
    assert gw.get("/healthz").status_code == 200
